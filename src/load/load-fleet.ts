import { join } from 'node:path';
import type { Diagnostic, Sources } from '../errors.js';
import { hasErrors } from '../errors.js';
import type { Fleet } from '../model/fleet.js';
import type { Profile } from '../model/roster-input.js';
import { PRESETS_DIR } from '../paths.js';
import { resolveFleet, type SourcedRoster } from '../resolve/resolve-fleet.js';
import { validateRoster } from '../validate/validate-roster.js';
import { parseRoster, type RosterSource } from './parse-roster.js';
import { readRosterFile } from './read-roster-file.js';

export interface FrontEndResult {
  /** Present only when there are no errors. */
  fleet?: Fleet;
  diagnostics: Diagnostic[];
  /** Every file a diagnostic may point into, for printing positions. */
  sources: Map<string, RosterSource['lineCounter']>;
}

/** The compiler's front end: read → parse → validate → (preset) → resolve. */
export function loadFleet(path: string, file = path): FrontEndResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, RosterSource['lineCounter']>();
  const report = (d: Diagnostic) => diagnostics.push(d);
  const roster = loadValidated(path, file, report, sources);
  if (!roster || hasErrors(diagnostics)) return { diagnostics: inSourceOrder(diagnostics), sources };
  let preset: SourcedRoster | undefined;
  if (roster.input.profile) {
    preset = loadPreset(roster.input.profile, report, sources);
    if (!preset) return { diagnostics: inSourceOrder(diagnostics), sources };
  }
  const fleet = resolveFleet(roster, preset, report, file);
  return { ...(fleet && !hasErrors(diagnostics) ? { fleet } : {}), diagnostics: inSourceOrder(diagnostics), sources };
}

/** Top to bottom, file by file, as a reader fixes them. */
function inSourceOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const files = [...new Set(diagnostics.map((d) => d.file))];
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => files.indexOf(a.d.file) - files.indexOf(b.d.file) || (a.d.range?.[0] ?? -1) - (b.d.range?.[0] ?? -1) || a.i - b.i)
    .map(({ d }) => d);
}

export function presetPath(profile: Profile): string {
  return join(PRESETS_DIR, `${profile}.yaml`);
}

export function loadPreset(profile: Profile, report: (d: Diagnostic) => void, sources: Map<string, RosterSource['lineCounter']>): SourcedRoster | undefined {
  const path = presetPath(profile);
  return loadValidated(path, path, report, sources);
}

function loadValidated(path: string, file: string, report: (d: Diagnostic) => void, sources: Map<string, RosterSource['lineCounter']>): SourcedRoster | undefined {
  const read = readRosterFile(path, file);
  if (!read.ok) {
    report(read.diagnostic);
    return undefined;
  }
  const before = { errors: 0 };
  const counting = (d: Diagnostic) => {
    if (d.severity === 'error') before.errors++;
    report(d);
  };
  const source = parseRoster(file, read.text, counting);
  sources.set(file, source.lineCounter);
  if (before.errors > 0) return undefined;
  const input = validateRoster(source, counting);
  return input ? { source, input } : undefined;
}

export type { Sources };
