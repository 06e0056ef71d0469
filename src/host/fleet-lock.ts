import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { type Diagnostic, errorIn } from '../errors.js';
import { LOCK_WAIT_SECONDS, fleetLockPath } from '../model/fleet-lock.js';
import { lockDescriptor } from './run-command.js';

export interface FleetLock {
  release(): void;
}

/**
 * Takes the fleet's lock (flock(2), through flock(1), on a file the holder unlinks when done),
 * waiting up to LOCK_WAIT_SECONDS. The lock belongs to the open file, so it holds until this
 * process releases it or ends, however it ends.
 */
export function takeFleetLock(root: string, env: Readonly<Record<string, string | undefined>>): FleetLock | Diagnostic {
  const path = fleetLockPath(root, env.XDG_RUNTIME_DIR, env.TMPDIR || '/tmp', process.getuid?.() ?? 0);
  for (let attempt = 0; attempt < 50; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      return errorIn(path, 'LOCKED', `cannot open the fleet lock: ${(error as Error).message}`);
    }
    const locked = lockDescriptor(fd, LOCK_WAIT_SECONDS);
    if (locked !== true) {
      closeSync(fd);
      if (locked === 'missing') return errorIn(path, 'LOCKED', 'flock (util-linux) is needed to lock the fleet', 'install util-linux');
      return errorIn(path, 'LOCKED', `another mosaic-gen run (PID ${holder(path)}) holds the fleet lock; waited ${LOCK_WAIT_SECONDS} s`, 'wait for it to finish, then run again');
    }
    if (sameFile(fd, path)) {
      writeSync(fd, `${process.pid}\n`);
      return {
        release() {
          try {
            unlinkSync(path);
          } catch {
            // gone already
          }
          closeSync(fd);
        },
      };
    }
    closeSync(fd); // the holder before us unlinked it: lock the new one
  }
  return errorIn(path, 'LOCKED', 'cannot take the fleet lock');
}

function sameFile(fd: number, path: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(path);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

function holder(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').at(-1) || 'unknown';
  } catch {
    return 'unknown';
  }
}
