/**
 * Where an agent's transcript lives: everything it wrote to its terminal, kept by the supervisor
 * across restarts and reboots, size-capped and rotated. Said once here for the supervisor, `logs`
 * and `uninstall --purge`.
 *
 *   $XDG_STATE_HOME/mosaic/NAME.log      the current file (0600, in a 0700 directory)
 *   $XDG_STATE_HOME/mosaic/NAME.log.1    the one before it, … up to NAME.log.(keep-1)
 *
 * Agent names hold no `.`, so one agent's files are never another's.
 */
import { join } from 'node:path';
import { SESSION_SUFFIX } from './activity.js';

/** `transcript:` as the roster spells it (fleet-wide, or per agent over the fleet's). */
export interface TranscriptInput {
  size?: string | number;
  keep?: number;
}

/** Resolved: the cap of one file in bytes, and how many files are kept (the current one included). */
export interface TranscriptPolicy {
  size: number;
  keep: number;
}

/** 10 MiB × 3: at most 30 MiB per agent, which holds weeks of a busy agent's terminal. */
export const DEFAULT_TRANSCRIPT: TranscriptPolicy = { size: 10 * 1024 * 1024, keep: 3 };

/** The bounds a roster may set: a file of at least 4 KiB (a screenful), at most 1 GiB; 1 to 100 files. */
export const TRANSCRIPT_BOUNDS = { minSize: 4 * 1024, maxSize: 1024 ** 3, maxKeep: 100 } as const;

/** XDG's default for $XDG_STATE_HOME, relative to $HOME. */
export const DEFAULT_STATE_HOME = '.local/state';

/** The transcripts' directory, relative to $XDG_STATE_HOME. */
export const TRANSCRIPT_DIR = 'mosaic';

/** The directory as the supervisor computes it: an unset, empty or relative XDG_STATE_HOME is ignored (XDG rules). */
export function transcriptDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const state = env.XDG_STATE_HOME;
  return join(state && state.startsWith('/') ? state : join(home, DEFAULT_STATE_HOME), TRANSCRIPT_DIR);
}

/** An agent's current transcript file, by name, in the transcripts' directory. */
export function transcriptFile(name: string): string {
  return `${name}.log`;
}

/** Its files oldest first (`NAME.log.2`, `NAME.log.1`, `NAME.log`), as `logs` reads them. */
export function transcriptFiles(name: string, keep: number): string[] {
  return Array.from({ length: keep }, (_, i) => (keep - 1 - i === 0 ? transcriptFile(name) : `${transcriptFile(name)}.${keep - 1 - i}`));
}

/**
 * Every file name the transcripts' directory may hold for an agent, whatever `keep` was (for
 * --purge): its transcripts, and the latest session its reporter recorded (model/activity.ts).
 */
export const TRANSCRIPT_FILE_ERE = `^[a-z][a-z0-9-]*\\.(log(\\.[0-9]+)?|${SESSION_SUFFIX.slice(1)})$`;
