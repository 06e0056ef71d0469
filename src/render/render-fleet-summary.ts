import { FLEET_SUMMARY, type Artifact } from '../model/artifact.js';
import type { Fleet } from '../model/fleet.js';
import { LIMIT_PROPERTIES, sizeText, type Limits } from '../model/limits.js';
import { normalize } from './render-fleet.js';
import type { Template, TemplateName } from './templates.js';

/**
 * out/FLEET.md: the fleet for a reviewer, a table of agents and a Mermaid diagram. One line per
 * agent in each, in roster order (with hosts, each host's agents together in both), so a change
 * of the roster is a diff of the lines of the agents it touched. It is written to out/ only,
 * never installed, and never shows an env value.
 */
export function renderFleetSummary(fleet: Fleet, template: (name: TemplateName) => Template): Artifact {
  const agents = fleet.agents.map((agent) => ({
    name: agent.name,
    role: agent.role,
    class: agent.class,
    runtime: agent.runtime,
    lifecycle: agent.lifecycle,
    workdir: agent.workdir,
    host: agent.host,
    limits: limitsText(agent.limits),
    kind: agent.role ?? agent.class,
  }));
  const hosts = agents.some((a) => a.host !== null);
  // The orchestrator first, so that it heads the diagram; each host's agents together.
  const ordered = [...agents.filter((a) => a.class === 'orchestrator'), ...agents.filter((a) => a.class !== 'orchestrator')];
  const groups: Array<{ host: string | null; agents: typeof agents }> = [];
  for (const agent of ordered) {
    const group = groups.find((g) => g.host === agent.host);
    if (group) group.agents.push(agent);
    else groups.push({ host: agent.host, agents: [agent] });
  }
  const orchestrator = fleet.agents.find((a) => a.class === 'orchestrator');
  const edges = orchestrator
    ? fleet.agents.filter((a) => a !== orchestrator).map((a) => ({ from: orchestrator.name, to: a.name, onDemand: a.lifecycle === 'on-demand' }))
    : [];
  const context = {
    session: fleet.session,
    profile: fleet.profile,
    linger: fleet.linger,
    hosts,
    limits: agents.some((a) => a.limits !== null),
    agents,
    groups,
    edges,
  };
  return { path: FLEET_SUMMARY, target: '', mode: 0o644, owner: 'fleet', text: normalize(template('fleet/FLEET.md')(context)) };
}

/**
 * The limits column appears only when some agent has limits. A reviewer reads them in the
 * roster's words and sizes (`memory 4G`), not as the bytes systemd is handed.
 */
function limitsText(limits: Limits): string | null {
  return limits.length === 0 ? null : limits.map(([property, value]) => `${ROSTER_KEY.get(property) ?? property} ${/^\d+$/.test(value) && property.startsWith('Memory') ? sizeText(value) : value}`).join(', ');
}

const ROSTER_KEY = new Map<string, string>(Object.entries(LIMIT_PROPERTIES).map(([key, property]) => [property, key]));
