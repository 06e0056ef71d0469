import type { DiagnosticCode } from '../errors.js';
import type { PathSegment, RosterSource } from '../load/parse-roster.js';
import type { Fleet, FleetHost } from '../model/fleet.js';
import type { AgentInput, EnvInput, RosterInput } from '../model/roster-input.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { unrepresentableAsExecutable } from './check-value.js';

interface Origin {
  source: RosterSource;
  path: PathSegment[];
}

type EnvEntry = [key: string, value: string, at: Origin];

/** What resolveFleet lends this step: its error sink and its checks of values. */
export interface HostChecks {
  error: (code: DiagnosticCode, message: string, at: Origin, hint?: string) => void;
  checkPath: (dir: string, at: Origin, what: string) => void;
  checkEnv: (entries: readonly EnvEntry[], what: (key: string) => string) => void;
  envOf: (env: EnvInput | undefined, path: PathSegment[]) => EnvEntry[];
}

export interface ResolvedHosts {
  hosts: FleetHost[];
  /** The host env entries an agent on `host` gets after fleet.env (none without hosts). */
  env: (host: string | null) => EnvEntry[];
  /** The agent's host, checked against `hosts:` (errors reported); null without hosts or on error. */
  hostOf: (agent: AgentInput, at: (field: keyof AgentInput) => Origin) => string | null;
}

/**
 * `hosts:` of a roster: each host's settings over the fleet's (session and the invariants stay
 * fleet-wide), and every agent's `host:` checked against them.
 */
export function resolveHosts(source: RosterSource, input: RosterInput, fleet: Omit<FleetHost, 'name'>, checks: HostChecks): ResolvedHosts {
  const names = Object.keys(input.hosts ?? {});
  const envs = new Map<string, EnvEntry[]>();
  const hosts = Object.entries(input.hosts ?? {}).map(([name, host]): FleetHost => {
    const at = (...path: PathSegment[]): Origin => ({ source, path: ['hosts', name, ...path] });
    (host.path ?? []).forEach((dir, i) => checks.checkPath(dir, at('path', i), `hosts.${name}.path[${i}]`));
    const env = checks.envOf(host.env, ['hosts', name, 'env']);
    checks.checkEnv(env, (key) => `hosts.${name}.env.${key}`);
    envs.set(name, env);
    const badTmux = host.tmux === undefined ? undefined : unrepresentableAsExecutable(host.tmux);
    if (badTmux) checks.error('UNREPRESENTABLE', `hosts.${name}.tmux contains ${badTmux}`, at('tmux'), 'name the tmux binary by a path without them, e.g. through a symlink');
    return { name, linger: host.linger ?? fleet.linger, path: host.path ?? fleet.path, tmux: host.tmux ?? fleet.tmux };
  });
  return {
    hosts,
    env: (host) => (host === null ? [] : envs.get(host) ?? []),
    hostOf: (agent, at) => {
      if (input.hosts === undefined) {
        if (agent.host !== undefined) checks.error('UNKNOWN_HOST', `agent '${agent.name}' names host '${agent.host}', but the roster has no hosts`, at('host'), `declare it: hosts: { ${agent.host}: {} }, or drop \`host:\``);
        return null;
      }
      if (agent.host === undefined) {
        checks.error('UNKNOWN_HOST', `agent '${agent.name}' has no host; with hosts, every agent names the one it runs on`, at('name'), `add \`host:\` (${names.join(', ') || 'declare a host under hosts first'})`);
        return null;
      }
      if (!names.includes(agent.host)) {
        checks.error('UNKNOWN_HOST', `agent '${agent.name}' names host '${agent.host}', which is not under hosts`, at('host'), didYouMeanHint(agent.host, names) ?? `the hosts are: ${names.join(', ') || '(none)'}`);
        return null;
      }
      return agent.host;
    },
  };
}

/** The single-host fleet of one host: its agents, with its settings; today's fleet without hosts. */
export function fleetOnHost(fleet: Fleet, host: string): Fleet {
  const settings = fleet.hosts.find((h) => h.name === host);
  if (!settings) throw new Error(`no host '${host}' in the fleet`);
  return { ...fleet, linger: settings.linger, path: settings.path, tmux: settings.tmux, agents: fleet.agents.filter((a) => a.host === host), hosts: [] };
}
