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
  return {
    '//': header,
    manifestVersion: 2,
    generator: `mosaic-gen ${version}`,
    roster: fleet.roster,
    session: fleet.session,
    tmux: fleet.tmux,
    linger: fleet.linger,
    holder: meaningDigest({ session: fleet.session, tmux: fleet.tmux }, artifacts.filter((a) => a.owner === 'holder')),
    files: artifacts.map((a) => ({ path: a.path, target: a.target, mode: modeString(a.mode), sha256: sha256(a.text), agent: ownerAgent(a.owner) })),
    agents: [...fleet.agents]
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((agent) => ({ name: agent.name, lifecycle: agent.lifecycle, digest: agentDigest(fleet, agent, artifacts) })),
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
function agentDigest(fleet: Fleet, agent: Agent, artifacts: readonly Artifact[]): string {
  const values = { command: agent.command, workdir: agent.workdir, env: agent.env, envFiles: agent.envFiles, limits: agent.limits, role: agent.role, path: fleet.path, session: fleet.session, tmux: fleet.tmux };
  return meaningDigest(values, artifacts.filter((a) => a.owner === 'agents' || ownerAgent(a.owner) === agent.name));
}

function meaningDigest(values: object, files: readonly Artifact[]): string {
  const meaning = files.map((a) => [a.path, a.mode, a.text.split('\n').filter((line) => !/^\s*[#;]/.test(line))]);
  return sha256(JSON.stringify([values, meaning]));
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
