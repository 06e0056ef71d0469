import { commandError, errorIn, type Diagnostic } from '../errors.js';
import type { AgentClass, Lifecycle } from '../model/roster-input.js';
import { appendToSequence, removeFromSequence, topLevelPair, type BlankLines } from './edit-sequence.js';
import { APPEND_BLANKS, firstFaithful, REMOVE_BLANKS, rosterValue, UNFAITHFUL_HINT, type Placement } from './faithful-edit.js';
import { finishEdit, refuse, type EditOutcome } from './finish-edit.js';
import { editableDocument, openRoster } from './open-roster.js';
import { schemaDef } from '../validate/roster-schema.js';
import { endsWithNewline, eolOf } from './roster-lines.js';
import { applySplice, type Splice } from './splice.js';

export interface NewAgent {
  name: string;
  /** Required for a new agent; a preset's agent has the preset's. */
  runtime?: string;
  role?: string;
  class?: AgentClass;
  lifecycle?: Lifecycle;
  workdir?: string;
  env?: Record<string, string>;
  host?: string;
}


/**
 * Appends an agent to `agents:`. A name the roster already lists, or one its preset brings, is
 * refused, except a preset's agent given a host: its entry places it there. A preset name listed
 * under `omit:` is taken out of omit and the new entry overrides the preset's agent. The edited
 * roster must pass the whole front end.
 */
export function addAgent(text: string, file: string, agent: NewAgent): EditOutcome {
  const error = (code: Diagnostic['code'], message: string, hint?: string, range?: [number, number]) => errorIn(file, code, message, hint, range);
  const opened = openRoster(text, file);
  if (!opened.ok) return refuse(opened.diagnostics, opened.sources, text);
  const sources = new Map([[file, opened.source.lineCounter]]);
  const { input, source, presetNames } = opened;
  const { name } = agent;
  // The agent-name rule of the schema itself, not a copy of it.
  if (!new RegExp(schemaDef('#/$defs/agentName').pattern!).test(name)) {
    return refuse([error('NAME', `'${name}' is not a valid agent name`, 'use lowercase letters, digits and -, starting with a letter, at most 32 characters')], sources, text);
  }
  const existing = input.agents.findIndex((a) => a.name === name);
  if (existing >= 0) {
    return refuse([error('DUPLICATE_NAME', `agent '${name}' is already in the roster`, 'edit that entry, or choose another name', source.rangeAt(['agents', existing, 'name']))], sources, text);
  }
  const omitIndex = (input.omit ?? []).indexOf(name);
  const presetAgent = presetNames.includes(name);
  // Placing a preset's agent on a host is an entry of its name and host alone: the preset's own
  // fields (its runtime among them) apply, as for any override of a preset agent.
  const placing = presetAgent && omitIndex < 0 && agent.host !== undefined;
  if (presetAgent && omitIndex < 0 && !placing) {
    return refuse(
      [error('DUPLICATE_NAME', `agent '${name}' is already in the fleet: the ${input.profile} preset defines it`, `to change it, add \`- name: ${name}\` under agents with only the fields to override; to replace it, run \`mosaic-gen remove ${name}\` first`, source.rangeAt(['profile']))],
      sources,
      text,
    );
  }

  if (agent.runtime === undefined && !presetAgent) {
    return refuse([commandError('mosaic-gen add', 'USAGE', `'${name}' is a new agent: it needs --runtime`, 'pass --runtime claude, codex, pi, opencode or one defined under runtimes: (only a preset\'s agent has one already)')], sources, text);
  }
  const entry = entryOf(agent);
  const uneditable = (reason: string, hint = 'edit the roster by hand, or write the list in block style (one `- ` item per line)') => refuse([error('UNEDITABLE', reason, hint)], sources, text);
  const place = (omitBlanks: BlankLines, appendBlanks: BlankLines): Placement => {
    const splices: Splice[] = [];
    let current = text;
    if (omitIndex >= 0) {
      const omit = topLevelPair(editableDocument(current), 'omit');
      const result = omit ? removeFromSequence(current, omit, omitIndex, omitBlanks) : { ok: false as const, reason: 'omit: is not a list mosaic-gen can edit' };
      if (!result.ok) return result;
      splices.push(result.splice);
      current = applySplice(current, result.splice);
    }
    // A roster of a profile may have no agents: at all (the preset brings them): it gets one.
    if (!topLevelPair(editableDocument(current), 'agents')) {
      const eol = eolOf(current);
      const opening: Splice = { start: current.length, end: current.length, insert: `${current === '' || endsWithNewline(current) ? '' : eol}agents: []${eol}` };
      splices.push(opening);
      current = applySplice(current, opening);
    }
    const agents = topLevelPair(editableDocument(current), 'agents');
    const result = agents ? appendToSequence(current, agents, entry, 'block', appendBlanks) : { ok: false as const, reason: 'agents: is not a list mosaic-gen can edit' };
    if (!result.ok) return result;
    return { ok: true, splices: [...splices, result.splice] };
  };
  const before = rosterValue(text) as { agents?: unknown[]; omit?: string[] };
  const expected = { ...before, agents: [...(before.agents ?? []), entry], ...(omitIndex >= 0 ? { omit: before.omit!.filter((_, i) => i !== omitIndex) } : {}) };
  const placements = (omitIndex >= 0 ? REMOVE_BLANKS : ['usual' as const]).flatMap((o) => APPEND_BLANKS.map((a) => () => place(o, a)));
  const placed = firstFaithful(text, placements, expected);
  if (placed === 'unfaithful') return uneditable(`adding '${name}' here would change another value of the roster (a \`|+\` block scalar next to the end of agents: keeps the blank lines after it)`, UNFAITHFUL_HINT);
  if (!placed.ok) return uneditable(placed.reason);
  const changes = [
    ...(omitIndex >= 0 ? [`took '${name}' out of omit:; the ${input.profile} preset's fields apply where this entry gives none`] : []),
    placing ? `placed the ${input.profile} preset's agent '${name}' on host '${agent.host}'; the preset's fields apply where this entry gives none` : `added agent '${name}'`,
  ];
  return finishEdit(text, file, opened, placed.splices, changes);
}

/** The agent as it is written: fields in the documented order, only those given. */
function entryOf(agent: NewAgent): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: agent.name };
  if (agent.runtime !== undefined) entry.runtime = agent.runtime;
  if (agent.role !== undefined) entry.role = agent.role;
  if (agent.class !== undefined) entry.class = agent.class;
  if (agent.lifecycle !== undefined) entry.lifecycle = agent.lifecycle;
  if (agent.workdir !== undefined) entry.workdir = agent.workdir;
  if (agent.env !== undefined && Object.keys(agent.env).length > 0) entry.env = agent.env;
  if (agent.host !== undefined) entry.host = agent.host;
  return entry;
}
