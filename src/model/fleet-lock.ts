/** How long a second run waits for the fleet lock before it gives up, naming the holder. */
export const LOCK_WAIT_SECONDS = 10;

/**
 * One lock per fleet, taken by the engine of every run that changes a host: in the staging
 * root offline, else in the user's runtime directory, else in a private directory of the
 * user's own under $TMPDIR (`mosaic-fleet-UID/`, made 0700; never in ~/.config, where a lock
 * must not leave anything).
 */
export const FLEET_LOCK = { staging: '.mosaic-fleet.lock', runtime: 'mosaic-fleet.lock', tmpPrefix: 'mosaic-fleet-', tmpFile: 'mosaic-fleet.lock' } as const;
