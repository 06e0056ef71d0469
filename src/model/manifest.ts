import type { FileMode } from './artifact.js';
import type { Lifecycle } from './roster-input.js';
import type { UpdatePolicy } from './activity.js';

/**
 * What a build installs, written to out/manifest.json and installed as the host's record
 * ($XDG_CONFIG_HOME/mosaic/fleet/manifest.json). Deterministic: no timestamps, sorted lists.
 * Each entry of a list sits on a line of its own, so that install.sh can read the record with
 * sed alone (hosts that receive only the bundle have no Node and no jq).
 */
export interface Manifest {
  '//': string;
  manifestVersion: 2;
  generator: string;
  roster: string;
  session: string;
  tmux: string;
  linger: boolean;
  /** Digest of what the tmux holder runs: it restarts when this changes, and only then. */
  holder: string;
  /** Seconds between two restarts for a change (the engine's and the supervisors'). */
  restartGap: number;
  /** Every generated file except install.sh, uninstall.sh and the manifest itself. */
  files: ManifestFile[];
  /** Every agent, with a digest of what its process gets (command, environment, supervisor…). */
  agents: ManifestAgent[];
  /** When a change restarts each agent (update: idle | now | manual). */
  updates: ManifestUpdate[];
  /** Units enabled at install, each with the unit file it links to and the target that wants it. */
  enable: EnabledUnit[];
  /** Units started at install (unless --no-start). */
  start: string[];
}

export interface ManifestFile {
  path: string;
  target: string;
  mode: string;
  sha256: string;
  /** The agent the file belongs to, or null for fleet-wide files. */
  agent: string | null;
}

export interface ManifestAgent {
  name: string;
  lifecycle: Lifecycle;
  /** Empty when the record predates digests (manifest version 1): the agent counts as changed. */
  digest: string;
}

/**
 * A list of its own, not a field of an agent's entry: an older engine, which reads agent entries
 * by their exact shape, still reads this record (any build's uninstall.sh removes any fleet).
 */
export interface ManifestUpdate {
  agent: string;
  update: UpdatePolicy;
}

export interface EnabledUnit {
  unit: string;
  file: string;
  wantedBy: string;
}

export function parseMode(mode: string): FileMode {
  const value = Number.parseInt(mode, 8);
  if (value !== 0o644 && value !== 0o600 && value !== 0o755) throw new Error(`unexpected file mode ${mode}`);
  return value;
}
