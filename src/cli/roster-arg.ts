import { isAbsolute, resolve } from 'node:path';
import type { CliIO } from './io.js';

export const DEFAULT_ROSTER = 'roster.yaml';

/** The roster's path on disk and the name messages use (as the user typed it). */
export function rosterArg(io: CliIO, given: string | undefined): { path: string; file: string } {
  const file = given ?? DEFAULT_ROSTER;
  return { path: isAbsolute(file) ? file : resolve(io.cwd, file), file };
}
