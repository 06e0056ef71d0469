import { join } from 'node:path';
import type { Diagnostic, Sources } from '../errors.js';
import { hasErrors } from '../errors.js';
import type { Fleet } from '../model/fleet.js';
import type { Profile } from '../model/roster-input.js';
import { PRESETS_DIR } from '../paths.js';
import { resolveFleet, type SourcedRoster } from '../resolve/resolve-fleet.js';
import { validateRosterParts } from '../validate/validate-roster.js';
import { lineCounterOf, parseRoster, type RosterSource } from './parse-roster.js';
import { readRosterFile, rosterFromBytes, type ReadResult } from './read-roster-file.js';

export interface FrontEndResult {
  /** Present only when there are no errors. */
  fleet?: Fleet;
  diagnostics: Diagnostic[];
  /** Every file a diagnostic may point into, for printing positions. */
  sources: Map<string, RosterSource['lineCounter']>;
}

type SourceMap = FrontEndResult['sources'];

/** The compiler's front end on a file: read, then everything loadFleetFromText does. */
export function loadFleet(path: string, file = path): FrontEndResult {
  return loadFleetFromRead(readRosterFile(path, file), file);
}

/** The front end on a roster read from standard input, named `file` in messages. */
export function loadFleetFromBytes(bytes: Buffer, file: string): FrontEndResult {
  return loadFleetFromRead(rosterFromBytes(bytes, file), file);
}

function loadFleetFromRead(read: ReadResult, file: string): FrontEndResult {
  if (!read.ok) return { diagnostics: [read.diagnostic], sources: read.before === undefined ? new Map() : new Map([[file, lineCounterOf(read.before)]]) };
  return loadFleetFromText(read.text, file);
}

/**
 * The front end over text in memory: parse → validate → (preset) → resolve. Authoring commands
 * run it on a roster as it would be after an edit, before writing it.
 */
export function loadFleetFromText(text: string, file: string): FrontEndResult {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceMap = new Map();
  const report = (d: Diagnostic) => diagnostics.push(d);
  const done = (fleet?: Fleet): FrontEndResult => ({ ...(fleet && !hasErrors(diagnostics) ? { fleet } : {}), diagnostics: inSourceOrder(diagnostics), sources });
  const roster = validated(parseRoster(file, text, report), report, sources, diagnostics, { keepValidParts: true });
  if (!roster) return done();
  let preset: SourcedRoster | undefined;
  if (roster.input.profile) {
    preset = loadPreset(roster.input.profile, report, sources);
    if (!preset) return done();
  }
  return done(resolveFleet(roster, preset, report, file));
}

export function presetPath(profile: Profile): string {
  return join(PRESETS_DIR, `${profile}.yaml`);
}

export function loadPreset(profile: Profile, report: (d: Diagnostic) => void, sources: SourceMap): SourcedRoster | undefined {
  const path = presetPath(profile);
  const read = readRosterFile(path);
  if (!read.ok) {
    report(read.diagnostic);
    return undefined;
  }
  const diagnostics: Diagnostic[] = [];
  const source = parseRoster(path, read.text, (d) => {
    diagnostics.push(d);
    report(d);
  });
  return validated(source, report, sources, diagnostics);
}

/** A roster that passed the schema; with keepValidParts, also what remains of one that did not. */
function validated(source: RosterSource, report: (d: Diagnostic) => void, sources: SourceMap, diagnostics: readonly Diagnostic[], { keepValidParts = false } = {}): SourcedRoster | undefined {
  sources.set(source.file, source.lineCounter);
  if (hasErrors(diagnostics)) return undefined;
  const parts = validateRosterParts(source, report);
  if (!parts || (!parts.complete && !keepValidParts)) return undefined;
  return parts.complete ? { source, input: parts.input } : { source, input: parts.input, dropped: parts.dropped };
}

/** Top to bottom, file by file, as a reader fixes them. */
function inSourceOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const files = [...new Set(diagnostics.map((d) => d.file))];
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => files.indexOf(a.d.file) - files.indexOf(b.d.file) || (a.d.range?.[0] ?? -1) - (b.d.range?.[0] ?? -1) || a.i - b.i)
    .map(({ d }) => d);
}

export type { Sources };
