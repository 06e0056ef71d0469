/**
 * Where agents run and how many of each: the default host, and pools (`replicas: N`). Said here
 * once for the rules that check a roster (fleet-rules.ts) and for resolve, which applies it.
 */
import type { AgentInput, RosterInput } from '../model/roster-input.js';

/** An agent of the fleet as placed: a pool's instance, or the agent itself. */
export interface Placed {
  name: string;
  host: string | null;
  /** k of NAME-k in a pool; null for an agent that is not one. */
  replica: number | null;
}

/** Where an agent without `host:` runs: fleet.host, or the one host marked `default: true`. */
export function defaultHost(input: RosterInput): string | undefined {
  return input.fleet?.host ?? Object.entries(input.hosts ?? {}).find(([, host]) => host.default === true)?.[0];
}

/** The hosts an agent names, as a list (empty when it names none). */
export function hostsOf(agent: AgentInput): string[] {
  return agent.host === undefined ? [] : Array.isArray(agent.host) ? agent.host : [agent.host];
}

/** The name of a pool's k-th instance. The agent-name rule's length applies to it. */
export function instanceName(name: string, replica: number): string {
  return `${name}-${replica}`;
}

/**
 * The agents an entry makes: itself, or with `replicas: N` the instances NAME-1 … NAME-N, taking
 * the hosts of a list in turn (NAME-1 on the first). An instance depends on k alone, never on N:
 * changing N adds or removes the instances beyond the old count and leaves the others as they were.
 */
export function placeAgent(agent: AgentInput, fallbackHost: string | undefined): Placed[] {
  const hosts = hostsOf(agent);
  const hostFor = (index: number) => hosts[index % Math.max(hosts.length, 1)] ?? fallbackHost ?? null;
  if (agent.replicas === undefined) return [{ name: agent.name, host: hostFor(0), replica: null }];
  return Array.from({ length: agent.replicas }, (_, i) => ({ name: instanceName(agent.name, i + 1), host: hostFor(i), replica: i + 1 }));
}
