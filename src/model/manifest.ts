import type { FileMode } from './artifact.js';

/**
 * What a build installs, written to out/manifest.json and installed as the host's record
 * ($XDG_CONFIG_HOME/mosaic/fleet/manifest.json). Deterministic: no timestamps, sorted lists.
 */
export interface Manifest {
  '//': string;
  manifestVersion: 1;
  generator: string;
  roster: string;
  session: string;
  tmux: string;
  /** Every generated file except install.sh, uninstall.sh and the manifest itself. */
  files: ManifestFile[];
  /** Units enabled at install, each with the unit file it links to and the target that wants it. */
  enable: EnabledUnit[];
  /** Units started at install (unless --no-start). */
  start: string[];
  linger: boolean;
}

export interface ManifestFile {
  path: string;
  target: string;
  mode: string;
  sha256: string;
  /** The agent the file belongs to, or null for fleet-wide files. */
  agent: string | null;
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
