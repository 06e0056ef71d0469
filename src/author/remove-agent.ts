import { errorIn, type Diagnostic } from '../errors.js';
import { rangeAt } from '../load/parse-roster.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { appendToSequence, insertTopLevelPair, removeFromSequence, topLevelPair } from './edit-sequence.js';
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
    return refuse([error('UNKNOWN_AGENT', `agent '${name}' is not in the fleet: it is already omitted`, undefined, rangeAt(source, ['omit', omitted.indexOf(name)]))], sources, text);
  }
  if (indexes.length === 0 && !fromPreset) {
    const fleet = [...presetNames.filter((n) => !omitted.includes(n)), ...input.agents.map((a) => a.name)];
    const hint = didYouMeanHint(name, fleet) ?? (fleet.length > 0 ? `the fleet has: ${[...new Set(fleet)].join(', ')}` : undefined);
    return refuse([error('UNKNOWN_AGENT', `the fleet has no agent '${name}'`, hint)], sources, text);
  }

  const splices: Splice[] = [];
  const changes: string[] = [];
  let current = text;
  const uneditable = (reason: string) => refuse([error('UNEDITABLE', reason, 'edit the roster by hand, or write the list in block style (one `- ` item per line)')], sources, text);
  // Last first, so earlier indexes stay valid.
  for (const index of [...indexes].reverse()) {
    const agents = topLevelPair(editableDocument(current), 'agents');
    const result = agents ? removeFromSequence(current, agents, index) : { ok: false as const, reason: 'agents: is not a list mosaic-gen can edit' };
    if (!result.ok) return uneditable(result.reason);
    splices.push(result.splice);
    current = applySplice(current, result.splice);
  }
  if (indexes.length > 0) changes.push(`removed agent '${name}'`);
  if (fromPreset) {
    const doc = editableDocument(current);
    const omit = topLevelPair(doc, 'omit');
    const result = omit ? appendToSequence(current, omit, name, 'flow') : insertTopLevelPair(current, doc, 'agents', 'omit', [name]);
    if (!result.ok) return uneditable(result.reason);
    splices.push(result.splice);
    current = applySplice(current, result.splice);
    changes.push(`added '${name}' to omit: (the ${input.profile} preset brings it)`);
  }
  return finishEdit(text, file, opened, splices, changes);
}
