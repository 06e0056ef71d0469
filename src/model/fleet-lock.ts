import { join } from 'node:path';

/** How long a second run waits for the fleet lock before it gives up, naming the holder. */
export const LOCK_WAIT_SECONDS = 10;

/**
 * One lock per fleet, taken by apply, uninstall, install.sh and uninstall.sh alike: in the
 * staging root offline, else in the user's runtime directory, else in $TMPDIR by user id (never
 * in ~/.config, where a lock must not leave anything). install.sh computes the same path.
 */
export function fleetLockPath(root: string, runtimeDir: string | undefined, tmp: string, uid: number): string {
  if (root) return `${root.replace(/\/+$/, '')}/.mosaic-fleet.lock`;
  if (runtimeDir && runtimeDir.startsWith('/')) return join(runtimeDir, 'mosaic-fleet.lock');
  return join(tmp, `mosaic-fleet-${uid}.lock`);
}
