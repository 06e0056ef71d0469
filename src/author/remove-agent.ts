import { errorIn, type Diagnostic } from '../errors.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { appendToSequence, insertTopLevelPair, removeFromSequence, topLevelPair, type BlankLines } from './edit-sequence.js';
import { APPEND_BLANKS, firstFaithful, REMOVE_BLANKS, rosterValue, UNFAITHFUL_HINT, type Placement } from './faithful-edit.js';
import { finishEdit, refuse, type EditOutcome } from './finish-edit.js';
import { editableDocument, openRoster } from './open-roster.js';
import { applySplice, type Splice } from './splice.js';

/**
 * Takes an agent out of the fleet: its entries under `agents:` go, and a name the preset brings is
 * added to `omit:` (an entry under agents only overrides a preset agent; omit is what drops it).
 * The edited roster must pass the whole front end (removing the orchestrator is refused).
 */
export function removeAgent(text: string, file: string, name: string): EditOutcome {
  const error = (code: Diagnostic['code'], message: string, hint?: string, range?: [number, number]) => errorIn(file, code, message, hint, range);
  const opened = openRoster(text, file);
  if (!opened.ok) return refuse(opened.diagnostics, opened.sources, text);
  const sources = new Map([[file, opened.source.lineCounter]]);
  const { input, source, presetNames } = opened;
  const omitted = input.omit ?? [];
  const indexes = input.agents.flatMap((a, i) => (a.name === name ? [i] : []));
  const fromPreset = presetNames.includes(name);
  if (indexes.length === 0 && fromPreset && omitted.includes(name)) {
    return refuse([error('UNKNOWN_AGENT', `agent '${name}' is not in the fleet: it is already omitted`, undefined, source.rangeAt(['omit', omitted.indexOf(name)]))], sources, text);
  }
  if (indexes.length === 0 && !fromPreset) {
    const fleet = [...presetNames.filter((n) => !omitted.includes(n)), ...input.agents.map((a) => a.name)];
    const hint = didYouMeanHint(name, fleet) ?? (fleet.length > 0 ? `the fleet has: ${[...new Set(fleet)].join(', ')}` : undefined);
    return refuse([error('UNKNOWN_AGENT', `the fleet has no agent '${name}'`, hint)], sources, text);
  }

  const uneditable = (reason: string, hint = 'edit the roster by hand, or write the list in block style (one `- ` item per line)') => refuse([error('UNEDITABLE', reason, hint)], sources, text);
  const place = (blanks: BlankLines, omitBlanks: BlankLines): Placement => {
    const splices: Splice[] = [];
    let current = text;
    // Last first, so earlier indexes stay valid.
    for (const index of [...indexes].reverse()) {
      const agents = topLevelPair(editableDocument(current), 'agents');
      const result = agents ? removeFromSequence(current, agents, index, blanks) : { ok: false as const, reason: 'agents: is not a list mosaic-gen can edit' };
      if (!result.ok) return result;
      splices.push(result.splice);
      current = applySplice(current, result.splice);
    }
    if (fromPreset) {
      const doc = editableDocument(current);
      const omit = topLevelPair(doc, 'omit');
      const result = omit ? appendToSequence(current, omit, name, 'flow', omitBlanks) : insertTopLevelPair(current, doc, 'agents', 'omit', [name]);
      if (!result.ok) return result;
      splices.push(result.splice);
    }
    return { ok: true, splices };
  };
  const before = rosterValue(text) as { agents: unknown[]; omit?: string[] };
  const expected = { ...before, agents: before.agents.filter((_, i) => !indexes.includes(i)), ...(fromPreset ? { omit: [...(before.omit ?? []), name] } : {}) };
  const placements = (indexes.length > 0 ? REMOVE_BLANKS : ['usual' as const]).flatMap((b) => (fromPreset ? APPEND_BLANKS : ['usual' as const]).map((o) => () => place(b, o)));
  const placed = firstFaithful(text, placements, expected);
  if (placed === 'unfaithful') return uneditable(`removing '${name}' would change another value of the roster (a \`|+\` block scalar next to it keeps the blank lines after it)`, UNFAITHFUL_HINT);
  if (!placed.ok) return uneditable(placed.reason);
  const changes = [...(indexes.length > 0 ? [`removed agent '${name}'`] : []), ...(fromPreset ? [`added '${name}' to omit: (the ${input.profile} preset brings it)`] : [])];
  return finishEdit(text, file, opened, placed.splices, changes);
}
