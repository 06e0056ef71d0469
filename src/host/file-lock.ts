import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A held lock; release() is idempotent. */
export interface FileLock {
  release: () => void;
}

export type LockResult = { ok: true; lock: FileLock } | { ok: false; holder: number | undefined; error?: NodeJS.ErrnoException };

/** The locks this process holds, by absolute path: a lock naming our PID and not among them is a dead process's. */
const heldHere = new Set<string>();

/**
 * An exclusive lock as a file created with O_EXCL and holding the owner's PID: portable to every
 * file system Node writes to, unlike flock. A lock whose process is gone (killed mid-edit) is
 * taken over. Waits up to `waitMs`, polling; the caller reports the holder when it gives up.
 * The pauses between polls are timers, not a blocking wait: the process keeps serving its other
 * work (output, signals, another in-process command) while a build waits up to 30 s for out/.
 */
export async function acquireFileLock(path: string, waitMs: number): Promise<LockResult> {
  const deadline = Date.now() + waitMs;
  const key = resolve(path);
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      let held = true;
      heldHere.add(key);
      return {
        ok: true,
        lock: {
          release: () => {
            if (!held) return;
            held = false;
            heldHere.delete(key);
            try {
              unlinkSync(path);
            } catch {
              // already gone: nothing to release
            }
          },
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return { ok: false, holder: undefined, error: error as NodeJS.ErrnoException };
    }
    const holder = holderOf(path);
    // Our own PID in a lock we do not hold is a dead process's whose PID came round again (node
    // as PID 1 in a container killed and started again); one we hold is waited for like any other.
    const ours = holder === process.pid && !heldHere.has(key);
    if (holder !== undefined && (ours || !alive(holder))) {
      takeOverStale(path, holder);
      continue;
    }
    if (Date.now() >= deadline) return { ok: false, holder };
    await sleep(pause);
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The process exists (EPERM: it does, as another user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a dead process's lock aside before deleting it, and deletes it only if what was moved is
 * still that process's lock: two waiters that both saw it dead cannot delete a live successor's.
 */
function takeOverStale(path: string, holder: number): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first
  }
  if (holderOf(aside) === holder) {
    unlinkSync(aside);
    return;
  }
  // A live lock was moved: put it back unless a new one appeared meanwhile (link never replaces).
  try {
    linkSync(aside, path);
  } catch {
    // a new lock is there: the moved one's owner will find its file gone, which it tolerates
  }
  unlinkSync(aside);
}
