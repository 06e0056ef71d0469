import { isAbsolute, resolve } from 'node:path';
import { loadFleet, loadFleetFromBytes, type FrontEndResult } from '../load/load-fleet.js';
import { MAX_ROSTER_BYTES } from '../load/read-roster-file.js';
import type { CliIO } from './io.js';

export const DEFAULT_ROSTER = 'roster.yaml';
/** The roster argument that means standard input (a CI pipe), and its name in messages. */
export const STDIN_ARG = '-';
export const STDIN_NAME = '<stdin>';

/** The front end on the roster argument of validate, build and plan: a file, or `-` for stdin. */
export function loadRosterArg(io: CliIO, given: string | undefined): FrontEndResult & { file: string } {
  // One byte past the limit is enough to refuse it (rosterFromBytes).
  if (given === STDIN_ARG) return { ...loadFleetFromBytes(io.stdin?.(MAX_ROSTER_BYTES + 1) ?? Buffer.alloc(0), STDIN_NAME), file: STDIN_NAME };
  const { path, file } = rosterArg(io, given);
  return { ...loadFleet(path, file), file };
}

/** The roster's path on disk and the name messages use (as the user typed it). */
export function rosterArg(io: CliIO, given: string | undefined): { path: string; file: string } {
  const file = given ?? DEFAULT_ROSTER;
  return { path: isAbsolute(file) ? file : resolve(io.cwd, file), file };
}
