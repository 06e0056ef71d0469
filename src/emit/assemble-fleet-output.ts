import { basename } from 'node:path';
import type { Artifact } from '../model/artifact.js';
import type { Fleet } from '../model/fleet.js';
import { generatedHeader } from '../render/render-fleet.js';
import { renderFleetSummary } from '../render/render-fleet-summary.js';
import { renderPlaybooks } from '../render/render-playbooks.js';
import { loadTemplates } from '../render/templates.js';
import { fleetOnHost } from '../resolve/resolve-hosts.js';
import { assembleOutput, type BuildOutput } from './assemble-output.js';

/** Where a host's bundle goes in out/ when the roster has hosts. */
export const HOSTS_DIR = 'hosts';

export interface FleetOutput {
  /** Each bundle: the one of a roster without hosts (host null), or one per roster host. */
  bundles: Array<{ host: string | null; output: BuildOutput }>;
  /** Every file of out/, sorted: the bundle(s), FLEET.md and the Ansible playbooks. */
  files: Artifact[];
}

/**
 * The whole output of a build: without hosts, the bundle at the top of out/ (as ever); with
 * hosts, out/hosts/HOST/ each a complete single-host bundle; out/ansible/ in both cases. One
 * FLEET.md at the top describes the whole fleet, its hosts as groups: a reviewer reads one.
 */
export function assembleFleetOutput(fleet: Fleet, version: string): FleetOutput {
  const bundles =
    fleet.hosts.length === 0
      ? [{ host: null, output: assembleOutput(fleet, version) }]
      : fleet.hosts.map((h) => ({ host: h.name, output: assembleOutput(fleetOnHost(fleet, h.name), version) }));
  const prefix = (host: string | null) => (host === null ? '' : `${HOSTS_DIR}/${host}/`);
  const files = bundles.flatMap(({ host, output }) => output.files.map((f) => ({ ...f, path: prefix(host) + f.path })));
  const header = generatedHeader(version, basename(fleet.roster));
  const template = loadTemplates(header);
  const summary = renderFleetSummary({ ...fleet, roster: basename(fleet.roster) }, template);
  // Each host's bundle keeps a FLEET.md of its own agents, for whoever reads that directory. It
  // is not one of the bundle's files (not in its manifest, not shipped): a summary for people.
  const hostSummaries = fleet.hosts.map((h) => {
    const own = renderFleetSummary({ ...fleetOnHost(fleet, h.name), roster: basename(fleet.roster) }, template);
    return { ...own, path: prefix(h.name) + own.path };
  });
  const playbooks = renderPlaybooks(
    header,
    fleet.session,
    bundles.map(({ host, output }) => ({ host, files: output.files.map((f) => f.path) })),
  );
  return { bundles, files: [...files, summary, ...hostSummaries, ...playbooks].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
