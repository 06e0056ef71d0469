import { hasErrors, type Diagnostic } from '../errors.js';
import { loadPreset, type FrontEndResult } from '../load/load-fleet.js';
import { parseRoster } from '../load/parse-roster.js';
import { resolveFleet, type SourcedRoster } from '../resolve/resolve-fleet.js';
import { validateRoster } from '../validate/validate-roster.js';

/**
 * The front end over text in memory (loadFleet reads from disk): parse → validate → preset →
 * resolve. Authoring commands run it on the roster as it would be after an edit, before writing.
 */
export function loadFleetFromText(text: string, file: string): FrontEndResult {
  const diagnostics: Diagnostic[] = [];
  const sources: FrontEndResult['sources'] = new Map();
  const report = (d: Diagnostic) => diagnostics.push(d);
  const source = parseRoster(file, text, report);
  sources.set(file, source.lineCounter);
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  const input = validateRoster(source, report);
  if (!input) return { diagnostics, sources };
  const roster: SourcedRoster = { source, input };
  let preset: SourcedRoster | undefined;
  if (input.profile) {
    preset = loadPreset(input.profile, report, sources);
    if (!preset) return { diagnostics, sources };
  }
  const fleet = resolveFleet(roster, preset, report, file);
  return { ...(fleet && !hasErrors(diagnostics) ? { fleet } : {}), diagnostics: inSourceOrder(diagnostics), sources };
}

function inSourceOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const files = [...new Set(diagnostics.map((d) => d.file))];
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => files.indexOf(a.d.file) - files.indexOf(b.d.file) || (a.d.range?.[0] ?? -1) - (b.d.range?.[0] ?? -1) || a.i - b.i)
    .map(({ d }) => d);
}
