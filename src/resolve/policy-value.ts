/**
 * `restart:` and `transcript:` values read the way their readers read them: time spans as systemd
 * does (systemd.time(7): `5s`, `10min`, `1h 30min`, a bare number being seconds), counts and
 * sizes as whole numbers. A value that would be refused, or read otherwise than it seems to say,
 * is refused here with the spelling that works.
 */
import type { RestartInput, RestartPolicy } from '../model/restart.js';
import { TRANSCRIPT_BOUNDS, type TranscriptInput, type TranscriptPolicy } from '../model/transcript.js';

export type PolicyValue<T> = { value: T } | { problem: string; hint: string };

/** systemd's time units (time-util.c), in microseconds; case matters (`M` is a month, `m` a minute). */
const TIME_UNITS: Readonly<Record<string, number>> = {
  us: 1, usec: 1, 'µs': 1, 'μs': 1,
  ms: 1e3, msec: 1e3,
  s: 1e6, sec: 1e6, second: 1e6, seconds: 1e6,
  m: 60e6, min: 60e6, minute: 60e6, minutes: 60e6,
  h: 3600e6, hr: 3600e6, hour: 3600e6, hours: 3600e6,
  d: 86400e6, day: 86400e6, days: 86400e6,
  w: 604800e6, week: 604800e6, weeks: 604800e6,
  M: 2629800e6, month: 2629800e6, months: 2629800e6,
  y: 31557600e6, year: 31557600e6, years: 31557600e6,
};

const SPAN_HINT = 'a time span as systemd reads it: a number with a unit, such as 5s, 500ms, 10min, 1h 30min (a bare number is seconds)';

/**
 * A span to its microseconds and the spelling written into the unit: the roster's own words
 * without spaces (systemd reads `1h30min` as `1h 30min`), `µs` as `us`, a bare number with `s`.
 */
export function timeSpan(spelt: string | number, what: 'window' | 'delay'): PolicyValue<{ text: string; micros: number }> {
  const text = String(spelt).trim();
  if (text === 'infinity') return { problem: 'is not a finite time span', hint: what === 'window' ? 'a window of infinity would count failures forever; use a span such as 10min or 1h' : 'use a span such as 5s' };
  if (/^\d+(\.\d+)?$/.test(text)) return checked(Number(text) * 1e6, `${text}s`, what);
  const parts = [...text.matchAll(/\s*(\d+(?:\.\d+)?)\s*([A-Za-zµμ]+)/gy)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || parts.some((p) => TIME_UNITS[p[2]!] === undefined)) {
    const unit = parts.find((p) => TIME_UNITS[p[2]!] === undefined)?.[2];
    const lower = unit && TIME_UNITS[unit.toLowerCase()] !== undefined ? ` ('${unit}' is not one of systemd's units; it reads ${unit.toLowerCase()})` : unit ? ` ('${unit}' is not one of systemd's units)` : '';
    return { problem: `is not a time span${lower}`, hint: SPAN_HINT };
  }
  const micros = parts.reduce((sum, p) => sum + Number(p[1]) * TIME_UNITS[p[2]!]!, 0);
  return checked(micros, parts.map((p) => `${p[1]}${p[2] === 'µs' || p[2] === 'μs' ? 'us' : p[2]}`).join(''), what);
}

function checked(micros: number, text: string, what: 'window' | 'delay'): PolicyValue<{ text: string; micros: number }> {
  // A window of 0 turns systemd's start limit off: the agent would be restarted forever.
  if (what === 'window' && micros < 1e6) return { problem: 'is shorter than a second', hint: 'a window of 0 turns the limit off (an endless loop); use a span such as 10min' };
  if (micros > 31557600e6 * 100) return { problem: 'is longer than a hundred years', hint: SPAN_HINT };
  return { value: { text, micros } };
}

/** A whole number from `min` to `max`, as YAML gave it. */
function count(value: unknown, min: number, max: number, what: string): PolicyValue<number> {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return { value };
  return { problem: `is not a whole number from ${min} to ${max}`, hint: what };
}

/** The policy of a roster layer's `restart:` over `base`, or the first problem of each key. */
export function restartPolicy(input: RestartInput, base: RestartPolicy): { value: RestartPolicy; problems: Array<{ key: keyof RestartInput; spelt: string; problem: string; hint: string }> } {
  const value = { ...base };
  const problems: Array<{ key: keyof RestartInput; spelt: string; problem: string; hint: string }> = [];
  if (input.limit !== undefined) {
    const read = count(input.limit, 1, 1000, 'how many times systemd starts the agent within the window before it gives up, e.g. 5');
    if ('value' in read) value.limit = read.value;
    else problems.push({ key: 'limit', spelt: String(input.limit), ...read });
  }
  for (const key of ['window', 'delay'] as const) {
    if (input[key] === undefined) continue;
    const read = timeSpan(input[key], key);
    if ('value' in read) value[key] = read.value.text;
    else problems.push({ key, spelt: String(input[key]), ...read });
  }
  return { value, problems };
}

const SIZE_HINT = 'a size in bytes with K, M or G (base 1024), from 4K to 1G, e.g. 10M';

/** The policy of a roster layer's `transcript:` over `base`, or the first problem of each key. */
export function transcriptPolicy(input: TranscriptInput, base: TranscriptPolicy): { value: TranscriptPolicy; problems: Array<{ key: keyof TranscriptInput; spelt: string; problem: string; hint: string }> } {
  const value = { ...base };
  const problems: Array<{ key: keyof TranscriptInput; spelt: string; problem: string; hint: string }> = [];
  if (input.size !== undefined) {
    const size = /^(\d+)([KMG]?)$/.exec(String(input.size).trim());
    const bytes = size ? Number(size[1]) * 1024 ** ' KMG'.indexOf(size[2] || ' ') : NaN;
    if (bytes >= TRANSCRIPT_BOUNDS.minSize && bytes <= TRANSCRIPT_BOUNDS.maxSize) value.size = bytes;
    else problems.push({ key: 'size', spelt: String(input.size), problem: size ? 'is out of range' : 'is not a size', hint: SIZE_HINT });
  }
  if (input.keep !== undefined) {
    const read = count(input.keep, 1, TRANSCRIPT_BOUNDS.maxKeep, 'how many files of the transcript are kept, the current one included, e.g. 3');
    if ('value' in read) value.keep = read.value;
    else problems.push({ key: 'keep', spelt: String(input.keep), ...read });
  }
  return { value, problems };
}
