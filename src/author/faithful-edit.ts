import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import type { BlankLines } from './edit-sequence.js';
import { applySplice, type Splice } from './splice.js';

/** The splices of one way to make an edit, or why the roster cannot be edited at all. */
export type Placement = { ok: true; splices: Splice[] } | { ok: false; reason: string };

/** Blank-line placements to try, the usual (round-trip) one first. */
export const REMOVE_BLANKS: readonly BlankLines[] = ['usual', 'none', 'above', 'below', 'both'];
export const APPEND_BLANKS: readonly BlankLines[] = ['usual', 'keep-with-previous'];

/** The roster's data as YAML gives it (anchors resolved): what an edit must change only as meant. */
export function rosterValue(text: string): unknown {
  return parseDocument(text, { uniqueKeys: false }).toJS({ maxAliasCount: -1 });
}

/**
 * The first placement whose edited text parses to exactly `expected`: every value the edit did not
 * mean to touch is as it was (a `|+` scalar next to the edit keeps its blank lines), and the new
 * entry reads back as given. `unfaithful` when none does; the edit is then refused.
 */
export function firstFaithful(text: string, placements: Iterable<() => Placement>, expected: unknown): Placement | 'unfaithful' {
  for (const place of placements) {
    const placement = place();
    if (!placement.ok) return placement;
    try {
      if (isDeepStrictEqual(rosterValue(placement.splices.reduce(applySplice, text)), expected)) return placement;
    } catch {
      // the edited text does not parse: try the next placement
    }
  }
  return 'unfaithful';
}

export const UNFAITHFUL_HINT = 'edit the roster by hand: mosaic-gen writes an edit only when every other value stays as it was';
