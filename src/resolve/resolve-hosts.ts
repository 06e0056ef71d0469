import type { Fleet, FleetHost } from '../model/fleet.js';
import type { RosterInput } from '../model/roster-input.js';

/**
 * `hosts:` of a roster: each host's settings over the fleet's (session and the invariants stay
 * fleet-wide). The rule that checks them is in fleet-rules.ts.
 */
export function resolveHosts(input: RosterInput, fleet: Omit<FleetHost, 'name'>): FleetHost[] {
  return Object.entries(input.hosts ?? {}).map(([name, host]) => ({ name, linger: host.linger ?? fleet.linger, path: host.path ?? fleet.path, tmux: host.tmux ?? fleet.tmux }));
}

/** The single-host fleet of one host: its agents, with its settings; today's fleet without hosts. */
export function fleetOnHost(fleet: Fleet, host: string): Fleet {
  const settings = fleet.hosts.find((h) => h.name === host);
  if (!settings) throw new Error(`no host '${host}' in the fleet`);
  return { ...fleet, linger: settings.linger, path: settings.path, tmux: settings.tmux, agents: fleet.agents.filter((a) => a.host === host), hosts: [] };
}
