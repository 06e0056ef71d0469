/**
 * Resource limits as the roster spells them (`limits:` of an agent, `fleet.limits`) and the
 * systemd resource-control properties they become: an agent's on its transient scope, the
 * fleet's on the fleet slice, so that the fleet's limit holds for all its agents together.
 */

/** Roster key → systemd property, in the order they are written. */
export const LIMIT_PROPERTIES = {
  memory: 'MemoryMax',
  memoryHigh: 'MemoryHigh',
  swap: 'MemorySwapMax',
  cpu: 'CPUQuota',
  tasks: 'TasksMax',
} as const;

export type LimitKey = keyof typeof LIMIT_PROPERTIES;
export const LIMIT_KEYS = Object.keys(LIMIT_PROPERTIES) as LimitKey[];

/** Resolved limits: systemd property and value (bytes, `N%` or `infinity`), in LIMIT_KEYS order. */
export type Limits = ReadonlyArray<readonly [property: string, value: string]>;
