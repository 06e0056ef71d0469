import { hasErrors, type Diagnostic } from '../errors.js';
import type { FrontEndResult } from '../load/load-fleet.js';
import type { Fleet } from '../model/fleet.js';
import { loadFleetFromText } from '../load/load-fleet.js';
import type { OpenRoster } from './open-roster.js';
import { applySplice, offsetBefore, type Splice } from './splice.js';

/** The outcome of an authoring edit: the new text when it validates, or why it was refused. */
export interface EditOutcome {
  ok: boolean;
  /** The edited roster when ok; the original otherwise. */
  text: string;
  /** Errors (the edit is refused) or warnings about the edited roster. Positions are in the original text. */
  diagnostics: Diagnostic[];
  sources: FrontEndResult['sources'];
  /** What the edit did, one sentence each. */
  changes: string[];
  fleet?: Fleet;
}

export function refuse(diagnostics: Diagnostic[], sources: FrontEndResult['sources'], text: string): EditOutcome {
  return { ok: false, text, diagnostics, sources, changes: [] };
}

/**
 * Runs the whole front end over the edited text. Diagnostics are moved back to the original
 * text, which is what the user has on disk (a place inside inserted text has no position there).
 */
export function finishEdit(original: string, file: string, opened: OpenRoster, splices: readonly Splice[], changes: string[]): EditOutcome {
  const text = splices.reduce(applySplice, original);
  const result = loadFleetFromText(text, file);
  const sources = new Map(result.sources);
  sources.set(file, opened.source.lineCounter);
  const diagnostics = result.diagnostics.map((d) => (d.file === file ? moveBack(d, splices) : d));
  if (hasErrors(diagnostics) || !result.fleet) return { ok: false, text: original, diagnostics, sources, changes };
  return { ok: true, text, diagnostics, sources, changes, fleet: result.fleet };
}

function moveBack(diagnostic: Diagnostic, splices: readonly Splice[]): Diagnostic {
  const { range, ...rest } = diagnostic;
  if (!range) return diagnostic;
  const start = offsetBefore(range[0], splices);
  if (start === undefined) return rest;
  return { ...rest, range: [start, Math.max(start, offsetBefore(range[1], splices) ?? start)] };
}
