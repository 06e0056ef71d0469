import { createHash } from 'node:crypto';
import { FLEET_TARGET, modeString, ownerAgent, type Artifact } from '../model/artifact.js';
import type { Agent, Fleet } from '../model/fleet.js';
import type { Manifest } from '../model/manifest.js';
import { enabledUnits } from '../model/units.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The manifest of a build: files with hashes and modes, agents with digests, what to enable and start, linger. */
export function buildManifest(fleet: Fleet, artifacts: readonly Artifact[], header: string, version: string): Manifest {
  const meaning = meaningsByOwner(artifacts);
  return {
    '//': header,
    manifestVersion: 2,
    generator: `mosaic-gen ${version}`,
    roster: fleet.roster,
    session: fleet.session,
    tmux: fleet.tmux,
    linger: fleet.linger,
    holder: meaningDigest({ session: fleet.session, tmux: fleet.tmux }, meaning.holder),
    restartGap: fleet.restartGap,
    files: artifacts.map((a) => ({ path: a.path, target: a.target, mode: modeString(a.mode), sha256: sha256(a.text), agent: ownerAgent(a.owner) })),
    agents: [...fleet.agents]
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((agent) => ({ name: agent.name, lifecycle: agent.lifecycle, digest: agentDigest(fleet, agent, meaning.ofAgent(agent.name)) })),
    // An agent whose runtime never reports is never known to work: waiting for it to be idle
    // would be a restart at once that the plan calls waiting.
    updates: [...fleet.agents].sort((x, y) => (x.name < y.name ? -1 : 1)).map((agent) => ({ agent: agent.name, update: agent.update === 'idle' && agent.activity.kind === 'none' ? 'now' : agent.update })),
    enable: enabledUnits(fleet.agents),
    start: [FLEET_TARGET],
  };
}

/**
 * What an agent's process gets, and nothing else: its command, workdir and environment as
 * values, and every file it reads with comment lines (headers included) left out. Lifecycle is
 * not in it: enabling or disabling an agent must not restart it. The values are there as well as
 * the files because a multi-line value can hold a line that looks like a comment.
 */
function agentDigest(fleet: Fleet, agent: Agent, files: readonly string[]): string {
  const values = { command: agent.command, workdir: agent.workdir, env: agent.env, envFiles: agent.envFiles, limits: agent.limits, role: agent.role, path: fleet.path, session: fleet.session, tmux: fleet.tmux };
  return meaningDigest(values, files);
}

/**
 * The digest of values and of files' meanings (each already JSON), as JSON.stringify([values,
 * meanings]) would give it, fed to the hash piece by piece: every agent's digest reads the
 * fleet's shared files, and joining them into one string per agent was a quarter of what a
 * 1,000-agent build allocated.
 */
function meaningDigest(values: object, files: readonly string[]): string {
  const hash = createHash('sha256').update(`[${JSON.stringify(values)},[`, 'utf8');
  files.forEach((file, i) => (i === 0 ? hash : hash.update(',')).update(file, 'utf8'));
  return hash.update(']]', 'utf8').digest('hex');
}

/**
 * Each file's meaning (path, mode, lines other than comments) as JSON, computed once and grouped
 * by owner: an agent's digest reads the fleet's shared files and its own, in artifact order.
 * (Filtering every artifact for every agent made a 10,000-agent build quadratic.)
 */
function meaningsByOwner(artifacts: readonly Artifact[]): { holder: string[]; ofAgent: (name: string) => string[] } {
  const holder: string[] = [];
  const shared: Array<[index: number, meaning: string]> = [];
  const own = new Map<string, Array<[index: number, meaning: string]>>();
  artifacts.forEach((a, index) => {
    if (a.owner !== 'holder' && a.owner !== 'agents' && ownerAgent(a.owner) === null) return;
    const meaning = JSON.stringify([a.path, a.mode, a.text.split('\n').filter((line) => !/^\s*[#;]/.test(line))]);
    if (a.owner === 'holder') holder.push(meaning);
    else if (a.owner === 'agents') shared.push([index, meaning]);
    else {
      const name = ownerAgent(a.owner)!;
      const list = own.get(name) ?? [];
      if (list.length === 0) own.set(name, list);
      list.push([index, meaning]);
    }
  });
  return {
    holder,
    ofAgent: (name) =>
      [...shared, ...(own.get(name) ?? [])].sort((x, y) => x[0] - y[0]).map(([, meaning]) => meaning),
  };
}

/**
 * JSON with one line per list entry: readable in a diff, parseable by JSON.parse, and by sed in
 * install.sh (whose reader depends on nothing else of this layout).
 */
export function manifestText(manifest: Manifest): string {
  const lines = Object.entries(manifest).map(([key, value]) => {
    if (!Array.isArray(value) || value.length === 0) return `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    return `  ${JSON.stringify(key)}: [\n${value.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n')}\n  ]`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
