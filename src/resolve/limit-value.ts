/**
 * A roster limit value read the way systemd reads it (systemd.resource-control(5)), to the value
 * written into the generated files: sizes in bytes (`512M` is 536870912), percentages and
 * `infinity` as written. Anything systemd would refuse, or read differently from what the roster
 * seems to say (`4GB`, `1.5` cores), is refused here with the spelling that works.
 */
import { SIZE_UNITS, type LimitKey } from '../model/limits.js';

export type LimitValue = { value: string } | { problem: string; hint: string };

const SIZE_HINT = 'a size in bytes with K, M, G or T (base 1024: 512M is 536870912 bytes), a percentage of RAM such as 50%, or infinity';

export function limitValue(key: LimitKey, spelt: string): LimitValue {
  const text = spelt.trim();
  if (key === 'cpu') return cpuQuota(text);
  if (text === 'infinity') return { value: text };
  return key === 'tasks' ? tasksMax(text) : memorySize(text, key === 'swap');
}

/** systemd reads a limit as an unsigned 64-bit number, the largest of which means infinity. */
const UINT64_INFINITY = 2n ** 64n - 1n;
/** CPUQuota= is read in hundredths of a percent into an int (parse_permyriad_unbounded). */
const MAX_CPU_PERCENT = 21474836n;

/** No swap at all (0) is a limit; no memory at all is not. */
function memorySize(text: string, zeroAllowed: boolean): LimitValue {
  const size = /^(\d+)(?:\.(\d+))?([KMGT]?)$/.exec(text);
  if (size) {
    const bytes = (BigInt(size[1]! + (size[2] ?? '')) * 1024n ** BigInt(SIZE_UNITS[size[3]!]!)) / 10n ** BigInt(size[2]?.length ?? 0);
    if (bytes === 0n && !zeroAllowed) return { problem: 'is 0 bytes', hint: 'a limit of 0 would stop the agent from running at all; use a size, or infinity for none' };
    if (bytes >= UINT64_INFINITY) return { problem: 'is too large', hint: 'use infinity for no limit' };
    return { value: bytes.toString() };
  }
  const percent = percentage(text, SIZE_HINT);
  if (percent) return percent;
  const unit = /^(\d+(?:\.\d+)?)\s*([kmgtKMGT])(?:i?b)?$/i.exec(text);
  if (unit) return { problem: 'is not a size systemd reads', hint: `write ${unit[1]}${unit[2]!.toUpperCase()} (systemd sizes are base 1024 and take K, M, G or T alone)` };
  return { problem: 'is not a size', hint: SIZE_HINT };
}

function cpuQuota(text: string): LimitValue {
  const percent = /^(\d+)%$/.exec(text);
  const quota = percent ? BigInt(percent[1]!) : undefined;
  if (quota !== undefined && quota > MAX_CPU_PERCENT) return { problem: 'is more than systemd reads', hint: `at most ${MAX_CPU_PERCENT}%; leave cpu out for no quota` };
  if (quota !== undefined && quota > 0n) return { value: `${quota}%` };
  // CPUQuota= has no infinity: systemd ignores the line (a slice) or refuses the scope.
  if (text === 'infinity') return { problem: 'is not a CPU quota', hint: 'CPUQuota= has no infinity: leave cpu out for no quota' };
  const cores = /^(\d+(?:\.\d+)?)$/.exec(text);
  if (cores && Number(cores[1]) > 0) return { problem: 'is not a percentage', hint: `cpu is a share of one CPU in percent: ${Math.round(Number(cores[1]) * 100)}% is ${cores[1]} CPUs` };
  return { problem: 'is not a CPU quota', hint: 'a whole percentage of one CPU above 0, e.g. 50% or 150% (one and a half CPUs)' };
}

function tasksMax(text: string): LimitValue {
  const hint = 'a whole number above 0 (processes and threads), a percentage of the system limit such as 10%, or infinity';
  if (/^\d+$/.test(text)) {
    // Not through Number: 99999999999999999999 would be written rounded, and out of systemd's range.
    const tasks = BigInt(text);
    if (tasks >= UINT64_INFINITY) return { problem: 'is too large', hint: 'use infinity for no limit' };
    if (tasks > 0n) return { value: tasks.toString() };
  }
  return percentage(text, hint) ?? { problem: 'is not a number of tasks', hint };
}

function percentage(text: string, hint: string): LimitValue | undefined {
  const percent = /^(\d+)%$/.exec(text);
  if (!percent) return undefined;
  const n = Number(percent[1]);
  if (n > 0 && n <= 100) return { value: `${n}%` };
  return { problem: 'is not a percentage from 1% to 100%', hint };
}
