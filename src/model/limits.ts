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

/** systemd's size suffixes, base 1024: the power of 1024 each stands for. */
export const SIZE_UNITS: Readonly<Record<string, number>> = { '': 0, K: 1, M: 2, G: 3, T: 4 };

/** Bytes (as resolved) in the largest unit that divides them exactly: 4294967296 is 4G, 1610612736 is 1536M. */
export function sizeText(bytes: string): string {
  const n = BigInt(bytes);
  for (const unit of ['T', 'G', 'M', 'K']) {
    const size = 1024n ** BigInt(SIZE_UNITS[unit]!);
    if (n >= size && n % size === 0n) return `${n / size}${unit}`;
  }
  return bytes;
}
