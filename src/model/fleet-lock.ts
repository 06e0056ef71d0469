import { join } from 'node:path';

/** How long a second run waits for the fleet lock before it gives up, naming the holder. */
export const LOCK_WAIT_SECONDS = 10;

/** The lock's file name: in the staging root (hidden there), the runtime directory, or $TMPDIR by user id. */
export const FLEET_LOCK = { staging: '.mosaic-fleet.lock', runtime: 'mosaic-fleet.lock', tmpPrefix: 'mosaic-fleet-', tmpSuffix: '.lock' } as const;

/**
 * One lock per fleet, taken by apply, uninstall, install.sh and uninstall.sh alike: in the
 * staging root offline, else in the user's runtime directory, else in $TMPDIR by user id (never
 * in ~/.config, where a lock must not leave anything). install.sh computes the same path.
 */
export function fleetLockPath(root: string, runtimeDir: string | undefined, tmp: string, uid: number): string {
  if (root) return `${root.replace(/\/+$/, '')}/${FLEET_LOCK.staging}`;
  if (runtimeDir && runtimeDir.startsWith('/')) return join(runtimeDir, FLEET_LOCK.runtime);
  return join(tmp, `${FLEET_LOCK.tmpPrefix}${uid}${FLEET_LOCK.tmpSuffix}`);
}
