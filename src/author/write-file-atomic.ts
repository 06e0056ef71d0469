import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** false: fail with EEXIST rather than replace an existing file (checked atomically). */
  overwrite: boolean;
}

/**
 * Writes a file so that a reader sees the old content or the new, never a mix: a temporary file
 * in the same directory, flushed, then renamed over the target. A replaced file keeps its mode,
 * and a symlink keeps pointing where it did (the file it points to is replaced).
 */
export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): void {
  let target = path;
  let mode: number | undefined;
  try {
    target = realpathSync(path);
    mode = statSync(target).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode ?? 0o666);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // openSync's mode is filtered by the umask; a replaced file keeps exactly its old mode.
    if (mode !== undefined) chmodSync(temp, mode);
    if (options.overwrite) renameSync(temp, target);
    else linkSync(temp, target);
  } catch (error) {
    safeUnlink(temp);
    throw error;
  }
  if (!options.overwrite) safeUnlink(temp);
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
