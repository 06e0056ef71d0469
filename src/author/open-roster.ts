import { parseDocument, type Document } from 'yaml';
import { hasErrors, type Diagnostic } from '../errors.js';
import { loadPreset, type FrontEndResult } from '../load/load-fleet.js';
import { parseRoster, type RosterSource } from '../load/parse-roster.js';
import type { RosterInput } from '../model/roster-input.js';
import type { SourcedRoster } from '../resolve/resolve-fleet.js';
import { validateRoster } from '../validate/validate-roster.js';

/** A roster about to be edited: well-formed and schema-valid (fleet invariants may still fail). */
export interface OpenRoster {
  source: RosterSource;
  input: RosterInput;
  preset?: SourcedRoster;
  /** Names the preset brings, in preset order. */
  presetNames: string[];
}

export type OpenResult = ({ ok: true } & OpenRoster) | { ok: false; diagnostics: Diagnostic[]; sources: FrontEndResult['sources'] };

/**
 * Parses and schema-checks a roster before an edit. Invariant errors (R5, FLOOR, …) do not stop an
 * edit, which may be what fixes them; the edited roster is checked in full before it is written.
 */
export function openRoster(text: string, file: string): OpenResult {
  const diagnostics: Diagnostic[] = [];
  const sources: FrontEndResult['sources'] = new Map();
  const report = (d: Diagnostic) => diagnostics.push(d);
  const source = parseRoster(file, text, report);
  sources.set(file, source.lineCounter);
  const input = hasErrors(diagnostics) ? undefined : validateRoster(source, report);
  if (!input) return { ok: false, diagnostics, sources };
  const preset = input.profile ? loadPreset(input.profile, report, sources) : undefined;
  if (input.profile && !preset) return { ok: false, diagnostics, sources };
  return { ok: true, source, input, ...(preset ? { preset } : {}), presetNames: preset?.input.agents.map((a) => a.name) ?? [] };
}

/** The document with the source tokens that edits need to find exact offsets. */
export function editableDocument(text: string): Document.Parsed {
  return parseDocument(text, { keepSourceTokens: true });
}
