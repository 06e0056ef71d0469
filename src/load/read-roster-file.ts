import { readFileSync, statSync } from 'node:fs';
import { errorIn, type Diagnostic } from '../errors.js';

/**
 * Rosters are hand-written; anything this large is a mistake or an attack on the parser (a pool,
 * `replicas:`, writes a thousand agents in one line). One limit for every roster, however it is
 * written: one that yaml's document reads (an anchor, a block scalar) costs about 1.6 s and
 * 190 MB a MiB under Node 20 and more under Node 24 (an anchored roster of agents at 1.25 MiB:
 * 297 and 394 MB peak), so a roster of this size is read within 5 s and 400 MB on either.
 */
export const MAX_ROSTER_BYTES = 1.25 * 1024 * 1024;

/** On an encoding error, `before` is the text up to the bad byte, so its position can be printed. */
export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic; before?: string };

/** Reads a roster as UTF-8 text, turning every way that can fail into one diagnostic. */
export function readRosterFile(path: string, file = path): ReadResult {
  const fail = (code: Diagnostic['code'], message: string, hint?: string, range?: [number, number]): ReadResult => ({
    ok: false,
    diagnostic: errorIn(file, code, message, hint, range),
  });
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      return fail('NOT_A_FILE', `${file} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}`, 'name a roster file, e.g. roster.yaml');
    }
    if (stat.size > MAX_ROSTER_BYTES) {
      return fail('TOO_LARGE', tooLarge(file, stat.size), 'split the fleet or check that this is the right file');
    }
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('NOT_FOUND', `${file} does not exist`, 'create one with `mosaic-gen init --profile coding`, or name another file');
    if (code === 'EISDIR') return fail('NOT_A_FILE', `${file} is a directory`, 'name a roster file, e.g. roster.yaml');
    return fail('UNREADABLE', `${file} cannot be read (${code ?? 'unknown error'})`);
  }
  return decodeRoster(bytes, file);
}

/**
 * Roster bytes from elsewhere than a file (standard input), with the file's size limit. Standard
 * input is read up to one byte past the limit (src/cli/roster-arg.ts), so more bytes than the
 * limit say only that there were more, not how many.
 */
export function rosterFromBytes(bytes: Buffer, file: string): ReadResult {
  if (bytes.length > MAX_ROSTER_BYTES) {
    return { ok: false, diagnostic: errorIn(file, 'TOO_LARGE', tooLarge(file, `more than ${MAX_ROSTER_BYTES}`), 'split the fleet or check that this is the right input') };
  }
  return decodeRoster(bytes, file);
}

function tooLarge(file: string, bytes: number | string): string {
  return `${file} is ${bytes} bytes; the limit is ${MAX_ROSTER_BYTES} bytes`;
}

function decodeRoster(bytes: Buffer, file: string): ReadResult {
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const before = bytes.subarray(0, bad).toString('utf8');
    const what = bytes[bad] === 0 ? 'a NUL byte (is this a binary file?)' : 'a byte that is not valid UTF-8';
    const diagnostic = errorIn(file, 'ENCODING', `${file} contains ${what}`, 'save the roster as UTF-8 text', [before.length, before.length + 1]);
    return { ok: false, diagnostic, before };
  }
  return { ok: true, text: bytes.toString('utf8') };
}

/** Byte offset of the first NUL or malformed UTF-8 sequence, if any. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0) return i;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1]!;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return undefined;
}
