/**
 * The merge half of resolve: a roster over its profile's preset over the built-in runtimes, each
 * value with where it was written. No rules here (resolve/fleet-rules.ts) and no defaults beyond
 * what a rule and the fleet both need (agentKind).
 */
import type { PathSegment, RosterSource } from '../load/parse-roster.js';
import type { AgentClass, AgentInput, EnvInput, FleetInput, RosterInput } from '../model/roster-input.js';
import type { Dropped } from '../validate/validate-roster.js';
import { BUILTIN_RUNTIMES } from './builtin-runtimes.js';
import { BUILTIN_WIRING, reportWiring, type ActivityWiring } from '../model/activity.js';

/** A validated roster together with the document it came from, for positions. */
export interface SourcedRoster {
  source: RosterSource;
  input: RosterInput;
  /**
   * Set when this is what remained of a roster that broke the schema: its own rules are checked,
   * but not those that need the whole fleet or a dropped part (no Fleet comes out of it).
   */
  dropped?: Dropped;
}

/** Where a value was written: which file, which path in it. */
export interface Origin {
  source: RosterSource;
  path: PathSegment[];
}

export type EnvEntry = [key: string, value: string, at: Origin];

export interface MergedAgent {
  input: AgentInput;
  /** Fields of the roster's entry removed for breaking the schema (validate-roster.ts Dropped): absent, but not missing. */
  brokenFields?: ReadonlySet<string>;
  /** Origin of each field; the roster's fields win over the preset's. */
  origin: (field: keyof AgentInput) => Origin;
}

export interface MergedRuntime {
  command: string[];
  env: EnvEntry[];
  /** How its agents report activity, and the words that resume a session (none: always fresh). */
  report: ActivityWiring;
  resume: readonly string[];
  /** The definition that won, or the roster's `runtimes:` for a built-in one. */
  at: Origin;
}

type Setting = 'session' | 'linger' | 'path' | 'tmux' | 'limits' | 'restart' | 'transcript' | 'update' | 'resume' | 'restartGap';

export interface MergedRoster {
  roster: SourcedRoster;
  preset: SourcedRoster | undefined;
  agents: MergedAgent[];
  runtimes: Record<string, MergedRuntime>;
  fleetEnv: EnvEntry[];
  /** Each host's own env entries (`hosts.NAME.env`), applied after fleet.env. */
  hostEnv: Record<string, EnvEntry[]>;
  /** A fleet setting and the layer that set it, the roster's first. */
  setting: <K extends Setting>(key: K) => { value: NonNullable<FleetInput[K]>; at: Origin } | undefined;
  /** The index in the roster's agents of the first entry of each name. */
  firstIndex: ReadonlyMap<string, number>;
}

export function mergeRoster(roster: SourcedRoster, preset: SourcedRoster | undefined): MergedRoster {
  const firstIndex = new Map<string, number>();
  roster.input.agents.forEach((agent, index) => {
    if (!roster.dropped?.agents.has(index) && !firstIndex.has(agent.name)) firstIndex.set(agent.name, index);
  });
  const layers = [preset, roster].filter((l): l is SourcedRoster => l !== undefined);
  return {
    roster,
    preset,
    agents: mergeAgents(roster, preset, new Set(roster.input.omit ?? []), firstIndex),
    runtimes: mergeRuntimes(roster, layers),
    fleetEnv: mergeEnv(layers.map((l) => envOf(l.source, l.input.fleet?.env, ['fleet', 'env']))),
    hostEnv: Object.fromEntries(Object.entries(roster.input.hosts ?? {}).map(([name, host]) => [name, envOf(roster.source, host.env, ['hosts', name, 'env'])])),
    setting: (key) => {
      const layer = [...layers].reverse().find((l) => l.input.fleet?.[key] !== undefined);
      return layer && { value: layer.input.fleet![key]!, at: { source: layer.source, path: ['fleet', key] } };
    },
    firstIndex,
  };
}

/** An agent's role and class, each following from the other when only one is written. */
export function agentKind(a: AgentInput): { role: string | null; class: AgentClass } {
  const role = a.role ?? (a.class === 'orchestrator' ? 'orchestrator' : null);
  return { role, class: a.class ?? (role === 'orchestrator' ? 'orchestrator' : 'worker') };
}

/** The agent's env entries, with their origins. */
export function agentEnv(agent: MergedAgent): EnvEntry[] {
  return envOf(agent.origin('env').source, agent.input.env, agent.origin('env').path);
}

/** Preset agents in preset order (each overridden field by field by the roster), then the roster's own. */
function mergeAgents(roster: SourcedRoster, preset: SourcedRoster | undefined, omitted: ReadonlySet<string>, rosterIndex: ReadonlyMap<string, number>): MergedAgent[] {
  const merged: MergedAgent[] = [];
  const fromRoster = (index: number) => (field: keyof AgentInput): Origin => ({ source: roster.source, path: ['agents', index, field] });
  preset?.input.agents.forEach((base, presetIndex) => {
    if (omitted.has(base.name)) return;
    const index = rosterIndex.get(base.name);
    const override = index === undefined ? undefined : roster.input.agents[index]!;
    const brokenFields = index === undefined ? undefined : roster.dropped?.agentFields.get(index);
    merged.push({
      ...(brokenFields ? { brokenFields } : {}),
      input: { ...base, ...override },
      origin: (field) =>
        override && override[field] !== undefined ? fromRoster(index!)(field) : { source: preset.source, path: ['agents', presetIndex, field] },
    });
  });
  const presetNames = new Set(preset?.input.agents.map((a) => a.name) ?? []);
  roster.input.agents.forEach((agent, index) => {
    if (roster.dropped?.agents.has(index) || presetNames.has(agent.name) || rosterIndex.get(agent.name) !== index) return;
    const brokenFields = roster.dropped?.agentFields.get(index);
    merged.push({ ...(brokenFields ? { brokenFields } : {}), input: agent, origin: fromRoster(index) });
  });
  return merged;
}

function mergeRuntimes(roster: SourcedRoster, layers: readonly SourcedRoster[]): Record<string, MergedRuntime> {
  const runtimes: Record<string, MergedRuntime> = {};
  for (const [name, def] of Object.entries(BUILTIN_RUNTIMES)) {
    const wiring = BUILTIN_WIRING[name]!;
    runtimes[name] = { command: [...def.command], env: [], report: wiring.report, resume: wiring.resume, at: { source: roster.source, path: ['runtimes', name] } };
  }
  for (const layer of layers) {
    for (const [name, def] of Object.entries(layer.input.runtimes ?? {})) {
      const path = ['runtimes', name];
      // A definition replaces the built-in one whole: its command may not take the built-in's hooks.
      runtimes[name] = { command: [...def.command], env: envOf(layer.source, def.env, [...path, 'env']), report: reportWiring(def.report), resume: def.resume ?? [], at: { source: layer.source, path } };
    }
  }
  return runtimes;
}

function envOf(source: RosterSource, env: EnvInput | undefined, path: PathSegment[]): EnvEntry[] {
  return Object.entries(env ?? {}).map(([key, value]) => [key, value, { source, path: [...path, key] }]);
}

function mergeEnv(layers: ReadonlyArray<EnvEntry[]>): EnvEntry[] {
  const merged = new Map<string, EnvEntry>();
  for (const layer of layers) for (const entry of layer) merged.set(entry[0], entry);
  return [...merged.values()];
}
