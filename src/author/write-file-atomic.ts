import { randomBytes } from 'node:crypto';
import { closeSync, fchownSync, fsyncSync, linkSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** false: fail with EEXIST rather than replace an existing file (checked atomically). */
  overwrite: boolean;
}

/**
 * Writes a file so that a reader sees the old content or the new, never a mix: a temporary file
 * in the same directory, flushed, then renamed over the target. A replaced file keeps its mode,
 * owner and group (as far as permitted), and a symlink keeps pointing where it did (the file it
 * points to is replaced).
 */
export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): void {
  let target = path;
  let mode: number | undefined;
  let owner: { uid: number; gid: number } | undefined;
  try {
    target = realpathSync(path);
    const stat = statSync(target);
    mode = stat.mode & 0o7777;
    owner = { uid: stat.uid, gid: stat.gid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode ?? 0o666);
  try {
    try {
      if (owner) keepOwner(fd, owner);
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

/**
 * The replacement keeps the file's owner and group where this process may set them (root: both;
 * a member of the group: the group), so that group members keep their access after an edit.
 */
function keepOwner(fd: number, owner: { uid: number; gid: number }): void {
  try {
    fchownSync(fd, owner.uid, owner.gid);
  } catch {
    try {
      fchownSync(fd, process.getuid?.() ?? owner.uid, owner.gid);
    } catch {
      // not ours to give: the file gets this process's owner and group, as any new file would
    }
  }
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
