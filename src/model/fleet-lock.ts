import { join } from 'node:path';

/** How long a second run waits for the fleet lock before it gives up, naming the holder. */
export const LOCK_WAIT_SECONDS = 10;

/**
 * One lock per fleet, taken by apply, uninstall, install.sh and uninstall.sh alike: in the
 * staging root offline, else in the user's runtime directory (never in ~/.config, which a
 * lock must not leave anything in). install.sh computes the same path.
 */
export function fleetLockPath(root: string, runtimeDir: string | undefined): string | null {
  if (root) return `${root.replace(/\/+$/, '')}/.mosaic-fleet.lock`;
  return runtimeDir && runtimeDir.startsWith('/') ? join(runtimeDir, 'mosaic-fleet.lock') : null;
}
