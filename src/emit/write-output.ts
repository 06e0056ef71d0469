import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../errors.js';
import type { Artifact } from '../model/artifact.js';
import { MANIFEST_SOURCE } from '../plan/plan-install.js';

/** The output paths a previous build recorded in out/manifest.json, if a mosaic-gen build is there. */
export function previousOutputPaths(outDir: string): Set<string> | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, MANIFEST_SOURCE), 'utf8')) as { generator?: unknown; files?: Array<{ path?: unknown }> };
    if (typeof manifest.generator !== 'string' || !manifest.generator.startsWith('mosaic-gen') || !Array.isArray(manifest.files)) return undefined;
    const paths = manifest.files.map((f) => f.path).filter((p): p is string => typeof p === 'string' && isSafeRelative(p));
    return new Set([...paths, MANIFEST_SOURCE, 'install.sh', 'uninstall.sh']);
  } catch {
    return undefined;
  }
}

/** A relative path that stays inside the output directory. */
function isSafeRelative(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.split('/').some((part) => part === '..' || part === '.' || part === '');
}

export interface OutputChanges {
  write: Artifact[];
  unchanged: Artifact[];
  /** Files of the previous build that this build no longer has. */
  remove: string[];
  /** Paths this build would write over that mosaic-gen did not write. */
  conflicts: string[];
}

/** Compares a build with an output directory: what to write, what to remove, what is not ours. */
export function compareOutput(outDir: string, files: readonly Artifact[]): OutputChanges {
  const previous = previousOutputPaths(outDir);
  const changes: OutputChanges = { write: [], unchanged: [], remove: [], conflicts: [] };
  for (const file of files) {
    const path = join(outDir, file.path);
    const current = readIfFile(path);
    if (current === undefined) {
      if (existsOrLink(path)) changes.conflicts.push(file.path);
      else changes.write.push(file);
    } else if (!previous?.has(file.path) && current !== file.text) {
      changes.conflicts.push(file.path);
    } else if (current === file.text && executable(path) === (file.mode === 0o755)) {
      changes.unchanged.push(file);
    } else {
      changes.write.push(file);
    }
  }
  const next = new Set(files.map((f) => f.path));
  for (const path of previous ?? []) if (!next.has(path) && existsOrLink(join(outDir, path))) changes.remove.push(path);
  changes.remove.sort();
  return changes;
}

/**
 * Writes a build: every new file to a temporary name first, then renamed into place, manifest
 * last; then removes the previous build's leftovers. Refuses (writing nothing) to overwrite files
 * mosaic-gen did not write.
 */
export function writeOutput(outDir: string, files: readonly Artifact[]): { changes: OutputChanges; diagnostic?: Diagnostic } {
  const changes = compareOutput(outDir, files);
  if (changes.conflicts.length > 0) {
    return {
      changes,
      diagnostic: {
        severity: 'error',
        code: 'OUTPUT',
        file: outDir,
        message: `${changes.conflicts.map((p) => join(outDir, p)).join(', ')} ${changes.conflicts.length === 1 ? 'exists and was' : 'exist and were'} not written by mosaic-gen`,
        hint: 'build into an empty directory (-o DIR), or move those files away',
      },
    };
  }
  const ordered = [...changes.write].sort((a, b) => Number(a.path === MANIFEST_SOURCE) - Number(b.path === MANIFEST_SOURCE));
  const staged: Array<[tmp: string, path: string]> = [];
  const made = new Set<string>();
  try {
    for (const file of ordered) {
      const path = join(outDir, file.path);
      const dir = dirname(path);
      if (!made.has(dir)) mkdirSync(dir, { recursive: true });
      made.add(dir);
      const tmp = `${path}.mosaic-tmp-${process.pid}`;
      writeFileSync(tmp, file.text, { mode: file.mode });
      chmodSync(tmp, file.mode);
      staged.push([tmp, path]);
    }
  } catch (error) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    return { changes, diagnostic: { severity: 'error', code: 'OUTPUT', file: outDir, message: `cannot write the output: ${(error as Error).message}` } };
  }
  for (const [tmp, path] of staged) renameSync(tmp, path);
  for (const path of changes.remove) {
    rmSync(join(outDir, path), { force: true });
    removeEmptyParents(outDir, dirname(path));
  }
  return { changes };
}

function removeEmptyParents(outDir: string, dir: string): void {
  for (let current = dir; current !== '.' && current !== ''; current = dirname(current)) {
    try {
      rmdirSync(join(outDir, current));
    } catch {
      return;
    }
  }
}

// A missing file is the common case (a fresh output directory): answered without throwing.
function readIfFile(path: string): string | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function existsOrLink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined || existsSync(path);
  } catch {
    return existsSync(path);
  }
}

function executable(path: string): boolean {
  return (lstatSync(path).mode & 0o100) !== 0;
}
