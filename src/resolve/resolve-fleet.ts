import type { DiagnosticCode, Report } from '../errors.js';
import { rangeAt, scalarText, type PathSegment, type RosterSource } from '../load/parse-roster.js';
import type { Agent, Fleet } from '../model/fleet.js';
import type { AgentInput, EnvInput, Profile, RosterInput, Scalar } from '../model/roster-input.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import type { Dropped } from '../validate/validate-roster.js';
import { BUILTIN_RUNTIMES } from './builtin-runtimes.js';
import { resolveHosts } from './resolve-hosts.js';
import { isHostPath, isReservedEnvKey, unrepresentable, unrepresentableInPath, unrepresentableAsExecutable, unrepresentableInUnit } from './check-value.js';

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
interface Origin {
  source: RosterSource;
  path: PathSegment[];
}

interface MergedAgent {
  input: AgentInput;
  /** Origin of each field; the roster's fields win over the preset's. */
  origin: (field: keyof AgentInput) => Origin;
}

interface RuntimeDef {
  command: string[];
  env: EnvEntry[];
}

const FLOOR_PROFILES: ReadonlySet<Profile> = new Set(['general', 'coding', 'research']);

/**
 * Merges the preset into the roster, applies defaults and checks the fleet invariants. Pure:
 * every problem goes to `report`; a Fleet is returned only when there were no errors.
 */
export function resolveFleet(roster: SourcedRoster, preset: SourcedRoster | undefined, report: Report, rosterName = roster.source.file): Fleet | undefined {
  let failed = false;
  const problem = (severity: 'error' | 'warning', code: DiagnosticCode, message: string, at: Origin, hint?: string, part: 'key' | 'value' = 'value') => {
    if (severity === 'error') failed = true;
    const range = rangeAt(at.source, at.path, part);
    report({ severity, code, message, file: at.source.file, ...(range ? { range } : {}), ...(hint ? { hint } : {}) });
  };
  const error = (code: DiagnosticCode, message: string, at: Origin, hint?: string, part?: 'key' | 'value') => problem('error', code, message, at, hint, part);
  const inRoster = (...path: PathSegment[]): Origin => ({ source: roster.source, path });
  const { input, dropped } = roster;
  if (dropped) failed = true;
  const droppedRuntime = (name: string) => dropped !== undefined && (dropped.runtimes === 'all' || dropped.runtimes.has(name));

  // Names are unique within the roster before anything is merged.
  const firstIndex = new Map<string, number>();
  input.agents.forEach((agent, index) => {
    if (dropped?.agents.has(index)) return;
    const earlier = firstIndex.get(agent.name);
    if (earlier === undefined) firstIndex.set(agent.name, index);
    else error('DUPLICATE_NAME', `agent name '${agent.name}' is used twice (first by agents[${earlier}])`, inRoster('agents', index, 'name'), 'give each agent its own name');
  });

  const presetAgents = preset?.input.agents ?? [];
  const omitted = new Set(input.omit ?? []);
  (input.omit ?? []).forEach((name, index) => {
    const at = inRoster('omit', index);
    if (!preset && dropped?.profile) return;
    if (!preset) error('UNKNOWN_OMIT', `omit names '${name}' but the roster has no profile`, at, 'omit drops agents of a profile preset; set `profile:` or remove omit');
    else if (!presetAgents.some((a) => a.name === name)) {
      error('UNKNOWN_OMIT', `omit names '${name}', which the ${input.profile} preset does not have`, at, didYouMeanHint(name, presetAgents.map((a) => a.name)) ?? `the ${input.profile} preset has: ${presetAgents.map((a) => a.name).join(', ')}`);
    } else if (firstIndex.has(name)) {
      error('OMIT_REDEFINED', `'${name}' is both omitted and defined under agents`, inRoster('agents', firstIndex.get(name)!, 'name'), `remove '${name}' from omit, or its entry under agents`);
    }
  });

  const agents = mergeAgents(roster, preset, omitted, firstIndex);
  const runtimes = mergeRuntimes(roster, preset);
  const fleetEnv = mergeEnv([preset && envOf(preset.source, preset.input.fleet?.env, ['fleet', 'env']), envOf(roster.source, input.fleet?.env, ['fleet', 'env'])]);
  const fleetSetting = <K extends 'session' | 'linger' | 'path' | 'tmux'>(key: K) => input.fleet?.[key] ?? preset?.input.fleet?.[key];

  const checkPathValue = (value: string, at: Origin, what: string, check: (value: string) => string | undefined) => {
    const bad = check(value);
    const inUnit = check === unrepresentableInUnit;
    if (bad) error('UNREPRESENTABLE', `${what} contains ${bad}`, at, inUnit ? 'this path is written into a systemd unit file, one line per value' : undefined);
    else if (!isHostPath(value)) error('RELATIVE_PATH', `${what} '${value}' is relative`, at, 'use an absolute path or one starting with ~/');
  };
  const checkText = (value: string, at: Origin, what: string) => {
    const bad = unrepresentable(value);
    if (bad) error('UNREPRESENTABLE', `${what} contains ${bad}`, at, 'no process argument or environment value can hold it');
  };
  const checkEnv = (entries: readonly EnvEntry[], what: (key: string) => string) => {
    for (const [key, value, at] of entries) {
      if (isReservedEnvKey(key)) error('ENV_KEY', `${what(key)}: names starting with MOSAIC_ are reserved`, at, 'mosaic-gen sets MOSAIC_AGENT and MOSAIC_ROLE itself; choose another name', 'key');
      else checkText(value, at, what(key));
    }
  };

  for (const [name, runtime] of Object.entries(runtimes)) {
    checkEnv(runtime.env, (key) => `env.${key} of runtime '${name}'`);
  }
  const path = fleetSetting('path') ?? [];
  path.forEach((dir, i) => checkPathValue(dir, inRoster('fleet', 'path', i), `fleet.path[${i}]`, unrepresentableInPath));
  checkEnv(fleetEnv, (key) => `fleet.env.${key}`);
  // The tmux binary is the executable of the holder unit's ExecStart=.
  const tmuxLayer = input.fleet?.tmux !== undefined ? roster : preset?.input.fleet?.tmux !== undefined ? preset : undefined;
  const badTmux = tmuxLayer && unrepresentableAsExecutable(tmuxLayer.input.fleet!.tmux!);
  if (badTmux) error('UNREPRESENTABLE', `fleet.tmux contains ${badTmux}`, { source: tmuxLayer.source, path: ['fleet', 'tmux'] }, 'name the tmux binary by a path without them, e.g. through a symlink');

  const hosts = resolveHosts(roster.source, input, { linger: fleetSetting('linger') ?? false, path, tmux: fleetSetting('tmux') ?? '/usr/bin/tmux' }, {
    error,
    checkPath: (dir, at, what) => checkPathValue(dir, at, what, unrepresentableInPath),
    checkEnv,
    envOf: (env, at) => envOf(roster.source, env, at),
  });

  const resolved: Agent[] = [];
  for (const agent of agents) {
    const { input: a, origin } = agent;
    const name = a.name;
    if (a.runtime === undefined) {
      // The runtime may come from the preset of a profile that was dropped.
      if (!dropped?.profile) error('NO_RUNTIME', `agent '${name}' has no runtime`, origin('name'), `add \`runtime:\` (${Object.keys(runtimes).join(', ')})`);
      continue;
    }
    const runtime = runtimes[a.runtime];
    if (!runtime) {
      if (!droppedRuntime(a.runtime)) error('UNKNOWN_RUNTIME', `agent '${name}' uses runtime '${a.runtime}', which is not defined`, origin('runtime'), didYouMeanHint(a.runtime, Object.keys(runtimes)) ?? `known runtimes: ${Object.keys(runtimes).join(', ')}; define others under \`runtimes:\``);
      continue;
    }
    const host = hosts.hostOf(a, origin);
    const role = a.role ?? (a.class === 'orchestrator' ? 'orchestrator' : null);
    const agentClass = a.class ?? (role === 'orchestrator' ? 'orchestrator' : 'worker');
    if ((role === 'orchestrator') !== (agentClass === 'orchestrator')) {
      // Point at what the roster itself wrote, not at a field inherited from the preset.
      const written = (field: 'role' | 'class') => a[field] !== undefined && origin(field).source === roster.source;
      const field = written('class') ? 'class' : written('role') ? 'role' : a.class !== undefined ? 'class' : 'role';
      error('ROLE_CLASS', `agent '${name}' has role '${role}' but class '${agentClass}'`, origin(field), role === 'orchestrator' ? 'the orchestrator role is the orchestrator class: drop `class:` or set it to orchestrator' : 'an orchestrator-class agent has the orchestrator role: drop `role:` or `class:`');
    }
    const args = (a.args ?? []).map((arg, i) => scalarText(origin('args').source, [...origin('args').path, i], arg));
    const command = [...runtime.command, ...args];
    command.forEach((word, i) => checkText(word, i < runtime.command.length ? inRoster('runtimes', a.runtime!) : { ...origin('args'), path: [...origin('args').path, i - runtime.command.length] }, `the command of agent '${name}'`));
    const agentEnv = envOf(origin('env').source, a.env, origin('env').path);
    checkEnv(agentEnv, (key) => `env.${key} of agent '${name}'`);
    const workdir = a.workdir ?? '~';
    if (a.workdir !== undefined) checkPathValue(workdir, origin('workdir'), `the workdir of agent '${name}'`, unrepresentable);
    const envFiles = a.envFiles ?? [];
    envFiles.forEach((file, i) => checkPathValue(file, { ...origin('envFiles'), path: [...origin('envFiles').path, i] }, `envFiles[${i}] of agent '${name}'`, unrepresentableInUnit));
    const env = new Map<string, string>();
    for (const [key, value] of [...fleetEnv, ...hosts.env(host), ...runtime.env, ...agentEnv]) env.set(key, value);
    resolved.push({
      name,
      role,
      class: agentClass,
      lifecycle: a.lifecycle ?? 'always-on',
      runtime: a.runtime,
      command,
      workdir,
      env: [...env].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
      envFiles,
      host,
    });
  }

  // Fleet invariants, over the merged agents: not over what remained of a roster with dropped parts.
  if (dropped) return undefined;
  const profile = input.profile ?? null;
  const orchestrators = resolved.filter((a) => a.class === 'orchestrator');
  const agentsKey = inRoster('agents');
  if (agents.length === 0) {
    error('NO_AGENTS', 'the fleet has no agents', agentsKey, input.omit?.length ? 'omit fewer preset agents, or add one under agents' : 'add an agent under agents', 'key');
  } else if (orchestrators.length > 1) {
    const second = agents.find((a) => a.input.name === orchestrators[1]!.name)!;
    error('R5', `the fleet has ${orchestrators.length} orchestrators (${orchestrators.map((a) => a.name).join(', ')}); it must have exactly one`, second.origin(second.input.class !== undefined ? 'class' : second.input.role !== undefined ? 'role' : 'name'), 'make all but one of them workers (class: worker) or remove them');
  } else if (orchestrators.length === 0 && profile !== 'minimal' && resolved.length === agents.length) {
    error('R5', 'the fleet has no orchestrator; it must have exactly one', agentsKey, 'give one agent `class: orchestrator` (only the minimal profile may go without)', 'key');
  }
  const hasEnhancer = resolved.some((a) => a.role === 'enhancer');
  if (!hasEnhancer && resolved.length === agents.length && agents.length > 0) {
    if (profile !== null && FLOOR_PROFILES.has(profile)) {
      error('FLOOR', `a ${profile} fleet needs an orchestrator and an enhancer; it has no enhancer`, agentsKey, 'add an agent with `role: enhancer` (or do not omit the preset\'s enhancer)', 'key');
    } else if (profile === null) {
      problem('warning', 'FLOOR', 'the fleet has no enhancer; the two-agent floor is an orchestrator and an enhancer', agentsKey, 'add an agent with `role: enhancer`, or set `profile: minimal` for a deliberately small fleet', 'key');
    }
  }

  if (failed) return undefined;
  return {
    roster: rosterName,
    profile,
    session: fleetSetting('session') ?? 'mosaic',
    linger: fleetSetting('linger') ?? false,
    path,
    tmux: fleetSetting('tmux') ?? '/usr/bin/tmux',
    agents: resolved,
    hosts: hosts.hosts,
  };
}

/** Preset agents in preset order (each overridden field by field by the roster), then the roster's own. */
function mergeAgents(roster: SourcedRoster, preset: SourcedRoster | undefined, omitted: ReadonlySet<string>, rosterIndex: ReadonlyMap<string, number>): MergedAgent[] {
  const merged: MergedAgent[] = [];
  const fromRoster = (index: number) => (field: keyof AgentInput): Origin => ({ source: roster.source, path: ['agents', index, field] });
  preset?.input.agents.forEach((base, presetIndex) => {
    if (omitted.has(base.name)) return;
    const index = rosterIndex.get(base.name);
    const override = index === undefined ? undefined : roster.input.agents[index]!;
    merged.push({
      input: { ...base, ...override },
      origin: (field) =>
        override && override[field] !== undefined ? fromRoster(index!)(field) : { source: preset.source, path: ['agents', presetIndex, field] },
    });
  });
  const presetNames = new Set(preset?.input.agents.map((a) => a.name) ?? []);
  roster.input.agents.forEach((agent, index) => {
    if (roster.dropped?.agents.has(index) || presetNames.has(agent.name) || rosterIndex.get(agent.name) !== index) return;
    merged.push({ input: agent, origin: fromRoster(index) });
  });
  return merged;
}

function mergeRuntimes(roster: SourcedRoster, preset: SourcedRoster | undefined): Record<string, RuntimeDef> {
  const runtimes: Record<string, RuntimeDef> = {};
  for (const [name, def] of Object.entries(BUILTIN_RUNTIMES)) runtimes[name] = { command: [...def.command], env: [] };
  for (const layer of [preset, roster]) {
    for (const [name, def] of Object.entries(layer?.input.runtimes ?? {})) {
      const path = ['runtimes', name];
      runtimes[name] = {
        command: def.command.map((word, i) => scalarText(layer!.source, [...path, 'command', i], word)),
        env: envOf(layer!.source, def.env, [...path, 'env']),
      };
    }
  }
  return runtimes;
}

type EnvEntry = [key: string, value: string, at: Origin];

function envOf(source: RosterSource, env: EnvInput | undefined, path: PathSegment[]): EnvEntry[] {
  return Object.entries(env ?? {}).map(([key, value]: [string, Scalar]) => [key, scalarText(source, [...path, key], value), { source, path: [...path, key] }]);
}

function mergeEnv(layers: Array<EnvEntry[] | undefined>): EnvEntry[] {
  const merged = new Map<string, EnvEntry>();
  for (const layer of layers) for (const entry of layer ?? []) merged.set(entry[0], entry);
  return [...merged.values()];
}
