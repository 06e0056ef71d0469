import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, linkSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TMP_PREFIX } from '../model/own-names.js';

export interface AtomicWriteOptions {
  /** false: fail with EEXIST rather than replace an existing file (checked atomically). */
  overwrite: boolean;
  /**
   * The file's mode. 'keep' edits a file in place: a replaced file keeps its mode, owner and group
   * (as far as permitted) and a symlink keeps pointing where it did (the file it points to is replaced). A number writes a generated
   * file: exactly that mode, and a symlink at the path is replaced, never followed.
   */
  mode: number | 'keep';
  /**
   * true: flushed to disk before it is renamed into place (a user's file, which nothing can
   * regenerate). false for a build's output: a crash costs a rebuild, and a flush per file made
   * a 10,000-agent build four times slower.
   */
  durable: boolean;
}


/** A file written under a temporary name beside its target, not yet in place. */
export interface StagedFile {
  commit: () => void;
  discard: () => void;
}

/**
 * The one way mosaic-gen writes a file: a reader sees the old content or the new, never a mix.
 * A temporary file in the same directory, then (on commit) renamed over the target.
 */
export function stageFile(path: string, text: string, options: AtomicWriteOptions): StagedFile {
  let target = path;
  let mode = options.mode === 'keep' ? undefined : options.mode;
  let owner: { uid: number; gid: number } | undefined;
  if (options.mode === 'keep') {
    try {
      target = realpathSync(path);
      const stat = statSync(target);
      mode = stat.mode & 0o7777;
      owner = { uid: stat.uid, gid: stat.gid };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const temp = join(dirname(target), `${TMP_PREFIX}${randomBytes(6).toString('hex')}`);
  // O_EXCL|O_NOFOLLOW: a name planted in advance (a symlink included) fails rather than being followed.
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode ?? 0o666);
  try {
    try {
      if (owner) keepOwner(fd, owner);
      writeSync(fd, text);
      // openSync's mode is filtered by the umask; the file gets exactly the mode asked or kept.
      if (mode !== undefined) fchmodSync(fd, mode);
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    safeUnlink(temp);
    throw error;
  }
  return {
    commit: () => {
      try {
        if (options.overwrite) renameSync(temp, target);
        else linkSync(temp, target);
      } finally {
        if (!options.overwrite) safeUnlink(temp);
      }
    },
    discard: () => safeUnlink(temp),
  };
}

/**
 * A new file created under its own name, for a directory no reader looks into yet (a build into
 * an empty out/): there is no old content to keep whole, so no temporary name and no rename.
 * O_EXCL|O_NOFOLLOW as for a temporary file; exactly the mode asked. Discard removes it.
 */
export function createFile(path: string, text: string, mode: number): StagedFile {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      writeSync(fd, text);
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    safeUnlink(path);
    throw error;
  }
  return { commit: () => {}, discard: () => safeUnlink(path) };
}

export function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): void {
  const staged = stageFile(path, text, options);
  try {
    staged.commit();
  } catch (error) {
    staged.discard();
    throw error;
  }
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
