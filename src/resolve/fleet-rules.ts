/**
 * The rules of a merged roster, each named, each with its code(s). Every rule sees the whole
 * merge, so a problem is reported once where it was written: a bad runtime once, however many
 * agents use it.
 */
import type { DiagnosticCode } from '../errors.js';
import { LIMIT_KEYS, LIMIT_PROPERTIES, type LimitKey, type Limits } from '../model/limits.js';
import type { LimitsInput, Profile } from '../model/roster-input.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { isHostPath, isReservedEnvKey, unrepresentable, unrepresentableAsExecutable, unrepresentableInPath, unrepresentableInUnit } from '../model/value-rules.js';
import { limitValue } from './limit-value.js';
import { defaultHost, hostsOf, instanceName } from './place-agents.js';
import { agentNameRule } from '../validate/roster-schema.js';
import { restartPolicy, transcriptPolicy } from './policy-value.js';
import { DEFAULT_RESTART } from '../model/restart.js';
import { DEFAULT_TRANSCRIPT } from '../model/transcript.js';
import { DEFAULT_RESTART_GAP, REPORT_PLACEHOLDER, RESTART_GAP_MAX, SESSION_PLACEHOLDER, SILENCE_BOUNDS } from '../model/activity.js';
import { agentEnv, agentKind, type EnvEntry, type MergedRoster, type Origin } from './merge-roster.js';

export type Say = (severity: 'error' | 'warning', code: DiagnosticCode, message: string, at: Origin, hint?: string, part?: 'key' | 'value') => void;

export interface Rule {
  name: string;
  /** Over the whole fleet: not checked over what remained of a roster that broke the schema. */
  wholeFleet?: true;
  check: (m: MergedRoster, say: Say) => void;
}

const FLOOR_PROFILES: ReadonlySet<Profile> = new Set(['general', 'coding', 'research']);

const inRoster = (m: MergedRoster, ...path: Origin['path']): Origin => ({ source: m.roster.source, path });

export const RULES: readonly Rule[] = [
  {
    name: 'unique names (DUPLICATE_NAME)',
    check: (m, say) =>
      m.roster.input.agents.forEach((agent, index) => {
        if (m.roster.dropped?.agents.has(index)) return;
        const first = m.firstIndex.get(agent.name)!;
        if (first !== index) say('error', 'DUPLICATE_NAME', `agent name '${agent.name}' is used twice (first by agents[${first}])`, inRoster(m, 'agents', index, 'name'), 'give each agent its own name');
      }),
  },
  {
    name: 'omit names preset agents not redefined (UNKNOWN_OMIT, OMIT_REDEFINED)',
    check: (m, say) => {
      const { profile, omit = [] } = m.roster.input;
      // Without the preset of a dropped profile, nothing can be said of what omit names.
      if (!m.preset && m.roster.dropped?.profile) return;
      const presetNames = m.preset?.input.agents.map((a) => a.name) ?? [];
      omit.forEach((name, index) => {
        const at = inRoster(m, 'omit', index);
        if (!m.preset) say('error', 'UNKNOWN_OMIT', `omit names '${name}' but the roster has no profile`, at, 'omit drops agents of a profile preset; set `profile:` or remove omit');
        else if (!presetNames.includes(name)) say('error', 'UNKNOWN_OMIT', `omit names '${name}', which the ${profile} preset does not have`, at, didYouMeanHint(name, presetNames) ?? `the ${profile} preset has: ${presetNames.join(', ')}`);
        else if (m.firstIndex.has(name)) say('error', 'OMIT_REDEFINED', `'${name}' is both omitted and defined under agents`, inRoster(m, 'agents', m.firstIndex.get(name)!, 'name'), `remove '${name}' from omit, or its entry under agents`);
      });
    },
  },
  {
    name: 'every agent has a defined runtime (NO_RUNTIME, UNKNOWN_RUNTIME)',
    check: (m, say) => {
      const known = Object.keys(m.runtimes);
      const { dropped } = m.roster;
      const droppedRuntime = (name: string) => dropped !== undefined && (dropped.runtimes === 'all' || dropped.runtimes.has(name));
      const unknown = new Map<string, string[]>();
      for (const { input: a, origin, brokenFields } of m.agents) {
        // The runtime may come from the preset of a profile that was dropped, or be a dropped definition.
        if (a.runtime === undefined) {
          if (!dropped?.profile && !brokenFields?.has('runtime')) say('error', 'NO_RUNTIME', `agent '${a.name}' has no runtime`, origin('name'), `add \`runtime:\` (${known.join(', ')})`);
        } else if (!m.runtimes[a.runtime] && !droppedRuntime(a.runtime)) {
          const users = unknown.get(a.runtime) ?? [];
          if (users.length === 0) unknown.set(a.runtime, users);
          users.push(a.name);
        }
      }
      for (const [runtime, users] of unknown) {
        const first = m.agents.find((a) => a.input.name === users[0])!;
        const others = users.length > 1 ? ` (so do ${users.length - 1} more: ${users.slice(1).join(', ')})` : '';
        say('error', 'UNKNOWN_RUNTIME', `agent '${users[0]}' uses runtime '${runtime}', which is not defined${others}`, first.origin('runtime'), didYouMeanHint(runtime, known) ?? `known runtimes: ${known.join(', ')}; define others under \`runtimes:\``);
      }
    },
  },
  {
    name: 'runtime commands and env fit the generated files (UNREPRESENTABLE, ENV_KEY)',
    check: (m, say) => {
      const used = new Set(m.agents.map((a) => a.input.runtime));
      for (const [name, runtime] of Object.entries(m.runtimes)) {
        checkEnv(say, runtime.env, (key) => `env.${key} of runtime '${name}'`);
        if (used.has(name)) runtime.command.forEach((word) => checkText(say, word, runtime.at, `the command of runtime '${name}'`));
      }
    },
  },
  {
    name: 'a runtime reports one way, resumes with its session, and restarts are spaced within bounds (INVALID, UNREPRESENTABLE)',
    check: (m, say) => {
      for (const layer of [m.preset, m.roster]) {
        for (const [name, def] of Object.entries(layer?.input.runtimes ?? {})) {
          const at = (...path: Origin['path']): Origin => ({ source: layer!.source, path: ['runtimes', name, ...path] });
          const report = def.report;
          if (report) {
            const ways = (['hooks', 'args', 'silence'] as const).filter((key) => report[key] !== undefined);
            if (ways.length !== 1) say('error', 'INVALID', `report of runtime '${name}' ${ways.length === 0 ? 'says no way' : `says ${ways.length} ways (${ways.join(', ')})`}: it reports one way`, at('report'), 'write one of: hooks: claude | codex, args: [WORDS…] (with {report}), silence: SECONDS');
            if (report.silence !== undefined && (report.silence < SILENCE_BOUNDS.min || report.silence > SILENCE_BOUNDS.max)) say('error', 'INVALID', `report.silence of runtime '${name}' is ${report.silence} seconds`, at('report', 'silence'), `from ${SILENCE_BOUNDS.min} to ${SILENCE_BOUNDS.max} seconds`);
            (report.args ?? []).forEach((word, i) => checkText(say, word, at('report', 'args', i), `report.args of runtime '${name}'`));
            if (report.args && !report.args.some((word) => word.includes(REPORT_PLACEHOLDER))) say('error', 'INVALID', `report.args of runtime '${name}' never name the reporter`, at('report', 'args'), `put ${REPORT_PLACEHOLDER} where the runtime is to run it, e.g. [--on-idle, '${REPORT_PLACEHOLDER} idle']`);
          }
          (def.resume ?? []).forEach((word, i) => checkText(say, word, at('resume', i), `resume of runtime '${name}'`));
          if (def.resume && !def.resume.some((word) => word.includes(SESSION_PLACEHOLDER))) say('error', 'INVALID', `resume of runtime '${name}' never names the session`, at('resume'), `put ${SESSION_PLACEHOLDER} where the session id goes, e.g. [--resume, '${SESSION_PLACEHOLDER}']`);
        }
      }
      const gap = m.setting('restartGap');
      if (gap && (gap.value < 0 || gap.value > RESTART_GAP_MAX)) say('error', 'INVALID', `fleet.restartGap is ${gap.value} seconds`, gap.at, `from 0 to ${RESTART_GAP_MAX} seconds (default ${DEFAULT_RESTART_GAP})`);
    },
  },
  {
    name: 'fleet settings fit the generated files (UNREPRESENTABLE, RELATIVE_PATH, ENV_KEY)',
    check: (m, say) => {
      m.setting('path')?.value.forEach((dir, i) => checkPath(say, dir, { ...m.setting('path')!.at, path: [...m.setting('path')!.at.path, i] }, `fleet.path[${i}]`, unrepresentableInPath));
      checkEnv(say, m.fleetEnv, (key) => `fleet.env.${key}`);
      // The tmux binary is the executable of the holder unit's ExecStart=.
      const tmux = m.setting('tmux');
      const bad = tmux && unrepresentableAsExecutable(tmux.value);
      if (bad) say('error', 'UNREPRESENTABLE', `fleet.tmux contains ${bad}`, tmux.at, 'name the tmux binary by a path without them, e.g. through a symlink');
    },
  },
  {
    name: 'agent args, env, workdir and envFiles fit the generated files (UNREPRESENTABLE, RELATIVE_PATH, ENV_KEY)',
    check: (m, say) => {
      for (const agent of m.agents) {
        const { input: a, origin } = agent;
        (a.args ?? []).forEach((arg, i) => checkText(say, arg, { ...origin('args'), path: [...origin('args').path, i] }, `the command of agent '${a.name}'`));
        checkEnv(say, agentEnv(agent), (key) => `env.${key} of agent '${a.name}'`);
        if (a.workdir !== undefined) checkPath(say, a.workdir, origin('workdir'), `the workdir of agent '${a.name}'`, unrepresentable);
        (a.envFiles ?? []).forEach((file, i) => checkPath(say, file, { ...origin('envFiles'), path: [...origin('envFiles').path, i] }, `envFiles[${i}] of agent '${a.name}'`, unrepresentableInUnit));
      }
    },
  },
  {
    name: 'hosts fit the generated files, and with hosts every agent names one of them (UNREPRESENTABLE, RELATIVE_PATH, ENV_KEY, UNKNOWN_HOST)',
    check: (m, say) => {
      const { hosts } = m.roster.input;
      const names = Object.keys(hosts ?? {});
      for (const [name, host] of Object.entries(hosts ?? {})) {
        const at = (...path: Origin['path']) => inRoster(m, 'hosts', name, ...path);
        (host.path ?? []).forEach((dir, i) => checkPath(say, dir, at('path', i), `hosts.${name}.path[${i}]`, unrepresentableInPath));
        checkEnv(say, m.hostEnv[name] ?? [], (key) => `hosts.${name}.env.${key}`);
        const badTmux = host.tmux === undefined ? undefined : unrepresentableAsExecutable(host.tmux);
        if (badTmux) say('error', 'UNREPRESENTABLE', `hosts.${name}.tmux contains ${badTmux}`, at('tmux'), 'name the tmux binary by a path without them, e.g. through a symlink');
      }
      const fallback = checkDefaultHost(m, say, names);
      const unplaced: string[] = [];
      for (const { input: a, origin, brokenFields } of m.agents) {
        if (brokenFields?.has('host')) continue;
        const named = hostsOf(a);
        if (hosts === undefined) {
          if (a.host !== undefined) say('error', 'UNKNOWN_HOST', `agent '${a.name}' names host '${named.join(', ')}', but the roster has no hosts`, origin('host'), `declare it: hosts: { ${named[0]}: {} }, or drop \`host:\``);
        } else if (a.host === undefined) {
          // A preset agent is placed in the roster, not in the preset (a file of the package): said
          // once for all of them, at the roster's hosts: line, below.
          if (fallback !== undefined) continue;
          if (origin('name').source !== m.roster.source) unplaced.push(a.name);
          else say('error', 'UNKNOWN_HOST', `agent '${a.name}' has no host; with hosts, every agent names the one it runs on, or there is a default host`, origin('name'), `add \`host:\` (${names.join(', ') || 'declare a host under hosts first'}), or a default: \`host: ${names[0] ?? 'NAME'}\` under fleet:`);
        } else {
          for (const [i, host] of named.entries()) {
            if (names.includes(host)) continue;
            const at = Array.isArray(a.host) ? { ...origin('host'), path: [...origin('host').path, i] } : origin('host');
            say('error', 'UNKNOWN_HOST', `agent '${a.name}' names host '${host}', which is not under hosts`, at, didYouMeanHint(host, names) ?? `the hosts are: ${names.join(', ') || '(none)'}`);
          }
        }
      }
      if (unplaced.length > 0) {
        const host = names[0] ?? 'NAME';
        const each = unplaced.map((name) => `\`- { name: ${name}, host: ${host} }\``).join(', ');
        say('error', 'UNKNOWN_HOST', `the ${m.roster.input.profile} preset's ${unplaced.length === 1 ? 'agent' : 'agents'} ${unplaced.join(', ')} ${unplaced.length === 1 ? 'has' : 'have'} no host`, inRoster(m, 'hosts'), `add a default host for every agent without one: \`host: ${host}\` under fleet: (or \`default: true\` on a host); or place each under agents: ${each}`, 'key');
      }
    },
  },
  {
    name: 'pools: instance names fit the name rule and are unique; no pool of orchestrators or enhancers; a list of hosts is for a pool (NAME, DUPLICATE_NAME, POOL)',
    check: (m, say) => {
      const taken = new Map<string, string>();
      for (const { input: a } of m.agents) if (a.replicas === undefined) taken.set(a.name, a.name);
      for (const { input: a, origin } of m.agents) {
        if (a.replicas === undefined) {
          if (Array.isArray(a.host) && a.host.length > 1) say('error', 'POOL', `agent '${a.name}' names ${a.host.length} hosts, but it is one agent: a list of hosts places the instances of a pool`, origin('host'), `add \`replicas: ${a.host.length}\` (or more) to make it a pool, or name one host`);
          continue;
        }
        const { role, class: agentClass } = agentKind(a);
        if (a.replicas > 1 && (agentClass === 'orchestrator' || role === 'enhancer')) {
          const what = agentClass === 'orchestrator' ? 'the orchestrator (the fleet has exactly one)' : 'an enhancer (the two-agent floor is one orchestrator and one enhancer)';
          say('error', 'POOL', `agent '${a.name}' is ${what}; it cannot be a pool of ${a.replicas}`, origin('replicas'), 'remove `replicas:` (or set it to 1)');
          continue;
        }
        const longest = instanceName(a.name, a.replicas);
        const max = agentNameRule().maxLength;
        if (longest.length > max) {
          say('error', 'NAME', `agent '${a.name}' with replicas: ${a.replicas} makes '${longest}', longer than an agent name may be (${max} characters)`, origin('replicas'), `shorten the name to at most ${max - 1 - String(a.replicas).length} characters, or make the pool smaller`);
          continue;
        }
        for (let k = 1; k <= a.replicas; k++) {
          const name = instanceName(a.name, k);
          const other = taken.get(name);
          if (other !== undefined) say('error', 'DUPLICATE_NAME', `agent '${a.name}' with replicas: ${a.replicas} makes '${name}', ${other === name ? 'the name of another agent' : `which pool '${other}' makes too`}`, origin('replicas'), 'rename one of them, or change the size of the pool');
          else taken.set(name, a.name);
        }
      }
    },
  },
  {
    name: 'limits are values systemd reads (INVALID)',
    check: (m, say) => {
      const fleet = m.setting('limits');
      if (fleet) checkLimits(say, fleet.value, fleet.at, 'fleet.limits');
      for (const { input: a, origin } of m.agents) if (a.limits) checkLimits(say, a.limits, origin('limits'), `limits of agent '${a.name}'`);
    },
  },
  {
    name: 'restart and transcript are values systemd and the supervisor read (INVALID)',
    check: (m, say) => {
      const layers: Array<[input: { restart?: unknown; transcript?: unknown }, at: (key: 'restart' | 'transcript') => Origin | undefined, what: string]> = [
        [{ restart: m.setting('restart')?.value, transcript: m.setting('transcript')?.value }, (key) => m.setting(key)?.at, 'fleet'],
        ...m.agents.map(({ input: a, origin }): [typeof a, (key: 'restart' | 'transcript') => Origin, string] => [a, (key) => origin(key), `agent '${a.name}'`]),
      ];
      for (const [input, at, what] of layers) {
        const policies = {
          restart: input.restart && restartPolicy(input.restart, DEFAULT_RESTART).problems,
          transcript: input.transcript && transcriptPolicy(input.transcript, DEFAULT_TRANSCRIPT).problems,
        };
        for (const [section, problems] of Object.entries(policies) as Array<['restart' | 'transcript', Array<{ key: string; spelt: string; problem: string; hint: string }> | undefined]>) {
          for (const p of problems ?? []) {
            const origin = at(section)!;
            say('error', 'INVALID', `${section}.${p.key} of ${what} '${p.spelt}' ${p.problem}`, { ...origin, path: [...origin.path, p.key] }, p.hint);
          }
        }
      }
    },
  },
  {
    name: 'role and class agree (ROLE_CLASS)',
    check: (m, say) => {
      for (const { input: a, origin } of m.agents) {
        const { role, class: agentClass } = agentKind(a);
        if ((role === 'orchestrator') === (agentClass === 'orchestrator')) continue;
        // Point at what the roster itself wrote, not at a field inherited from the preset.
        const written = (field: 'role' | 'class') => a[field] !== undefined && origin(field).source === m.roster.source;
        const field = written('class') ? 'class' : written('role') ? 'role' : a.class !== undefined ? 'class' : 'role';
        say('error', 'ROLE_CLASS', `agent '${a.name}' has role '${role}' but class '${agentClass}'`, origin(field), role === 'orchestrator' ? 'the orchestrator role is the orchestrator class: drop `class:` or set it to orchestrator' : 'an orchestrator-class agent has the orchestrator role: drop `role:` or `class:`');
      }
    },
  },
  {
    name: 'exactly one orchestrator (NO_AGENTS, R5)',
    wholeFleet: true,
    check: (m, say) => {
      const agentsKey = inRoster(m, 'agents');
      const orchestrators = m.agents.filter((a) => agentKind(a.input).class === 'orchestrator');
      if (m.agents.length === 0) {
        say('error', 'NO_AGENTS', 'the fleet has no agents', agentsKey, m.roster.input.omit?.length ? 'omit fewer preset agents, or add one under agents' : 'add an agent under agents', 'key');
      } else if (orchestrators.length > 1) {
        const second = orchestrators[1]!;
        const names = orchestrators.map((a) => a.input.name).join(', ');
        say('error', 'R5', `the fleet has ${orchestrators.length} orchestrators (${names}); it must have exactly one`, second.origin(second.input.class !== undefined ? 'class' : second.input.role !== undefined ? 'role' : 'name'), 'make all but one of them workers (class: worker) or remove them');
      } else if (orchestrators.length === 0 && m.roster.input.profile !== 'minimal') {
        say('error', 'R5', 'the fleet has no orchestrator; it must have exactly one', agentsKey, 'give one agent `class: orchestrator` (only the minimal profile may go without)', 'key');
      }
    },
  },
  {
    name: 'the two-agent floor (FLOOR)',
    wholeFleet: true,
    check: (m, say) => {
      const profile = m.roster.input.profile ?? null;
      if (m.agents.length === 0 || m.agents.some((a) => agentKind(a.input).role === 'enhancer')) return;
      const agentsKey = inRoster(m, 'agents');
      if (profile !== null && FLOOR_PROFILES.has(profile)) {
        say('error', 'FLOOR', `a ${profile} fleet needs an orchestrator and an enhancer; it has no enhancer`, agentsKey, "add an agent with `role: enhancer` (or do not omit the preset's enhancer)", 'key');
      } else if (profile === null) {
        say('warning', 'FLOOR', 'the fleet has no enhancer; the two-agent floor is an orchestrator and an enhancer', agentsKey, 'add an agent with `role: enhancer`, or set `profile: minimal` for a deliberately small fleet', 'key');
      }
    },
  },
];

/**
 * The default host (fleet.host, or the one host marked default): one of hosts, and at most one.
 * Returns the one named, even when it is wrong: that error is said, and no agent's besides.
 */
function checkDefaultHost(m: MergedRoster, say: Say, names: readonly string[]): string | undefined {
  const { fleet, hosts } = m.roster.input;
  const marked = Object.entries(hosts ?? {}).filter(([, host]) => host.default === true).map(([name]) => name);
  if (fleet?.host !== undefined) {
    const at = inRoster(m, 'fleet', 'host');
    if (hosts === undefined) say('error', 'UNKNOWN_HOST', `fleet.host names '${fleet.host}', but the roster has no hosts`, at, `declare it: hosts: { ${fleet.host}: {} }, or drop fleet.host`);
    else if (!names.includes(fleet.host)) say('error', 'UNKNOWN_HOST', `fleet.host names '${fleet.host}', which is not under hosts`, at, didYouMeanHint(fleet.host, names) ?? `the hosts are: ${names.join(', ') || '(none)'}`);
    for (const name of marked) say('error', 'INVALID', `host '${name}' is marked default, and fleet.host names '${fleet.host}': there is one default host`, inRoster(m, 'hosts', name, 'default'), 'keep one of them');
    return fleet.host;
  }
  for (const name of marked.slice(1)) say('error', 'INVALID', `host '${name}' is marked default, and so is '${marked[0]}': there is one default host`, inRoster(m, 'hosts', name, 'default'), 'keep `default: true` on one host');
  return defaultHost(m.roster.input);
}

function checkText(say: Say, value: string, at: Origin, what: string): void {
  const bad = unrepresentable(value);
  if (bad) say('error', 'UNREPRESENTABLE', `${what} contains ${bad}`, at, 'no process argument or environment value can hold it');
}

function checkPath(say: Say, value: string, at: Origin, what: string, check: (value: string) => string | undefined): void {
  const bad = check(value);
  if (bad) say('error', 'UNREPRESENTABLE', `${what} contains ${bad}`, at, check === unrepresentableInUnit ? 'this path is written into a systemd unit file, one line per value' : undefined);
  else if (!isHostPath(value)) say('error', 'RELATIVE_PATH', `${what} '${value}' is relative`, at, 'use an absolute path or one starting with ~/');
}

function checkLimits(say: Say, limits: LimitsInput, at: Origin, what: string): void {
  for (const [key, spelt] of Object.entries(limits)) {
    const read = limitValue(key as LimitKey, spelt);
    if ('problem' in read) say('error', 'INVALID', `${what}: ${key} '${spelt}' ${read.problem}`, { ...at, path: [...at.path, key] }, read.hint);
  }
}

/** The properties of resolved limits; only for limits that passed checkLimits. */
export function resolveLimits(limits: LimitsInput | undefined): Limits {
  return LIMIT_KEYS.flatMap((key) => {
    const spelt = limits?.[key];
    const read = spelt === undefined ? undefined : limitValue(key, spelt);
    return read && 'value' in read ? [[LIMIT_PROPERTIES[key], read.value] as const] : [];
  });
}

function checkEnv(say: Say, entries: readonly EnvEntry[], what: (key: string) => string): void {
  for (const [key, value, at] of entries) {
    if (isReservedEnvKey(key)) say('error', 'ENV_KEY', `${what(key)}: names starting with MOSAIC_ are reserved`, at, 'mosaic-gen sets MOSAIC_AGENT and MOSAIC_ROLE itself; choose another name', 'key');
    else checkText(say, value, at, what(key));
  }
}
