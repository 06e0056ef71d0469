import { basename } from 'node:path';
import { AGENT_SCOPE_PREFIX, AGENT_UNIT_AROUND, BUNDLE_SCRIPTS, DIRS_RECORD, FLEET_DIR, FLEET_TARGET, HOLDER_UNIT, JOURNAL_TARGET, LINGER_DIR, LINGER_RECORD, MANIFEST_SOURCE, MANIFEST_TARGET, UNIT_DIR, type Artifact } from '../model/artifact.js';
import { FLEET_LOCK, LOCK_WAIT_SECONDS } from '../model/fleet-lock.js';
import { OWN_DIR_ERE, OWN_FILE_ERE, OWN_UNIT_ERE, OWN_UNIT_PREFIX, TMP_PREFIX, WANTED_BY_ERE } from '../model/own-names.js';
import type { Fleet } from '../model/fleet.js';
import type { Manifest } from '../model/manifest.js';
import { buildManifest, manifestText, sha256 } from '../plan/build-manifest.js';
import { generatedHeader, renderFleet } from '../render/render-fleet.js';
import { loadTemplates } from '../render/templates.js';
import { DEFAULT_STATE_HOME, TRANSCRIPT_DIR, TRANSCRIPT_FILE_ERE } from '../model/transcript.js';
import { agentNameRule } from '../validate/roster-schema.js';
import { CGROUP_ROOTS, STATUS_PROPERTIES } from '../state/fleet-status.js';
import { ACTIVITY_SUBDIR, LAST_RESTART, PENDING_SUFFIX, RUNTIME_DIR } from '../model/activity.js';

/** The names the scripts' engine shares with the CLI, said once (src/model). */
const ENGINE_CONTEXT = {
  engine: BUNDLE_SCRIPTS.engine,
  manifestSource: MANIFEST_SOURCE,
  manifestTarget: MANIFEST_TARGET,
  journalTarget: JOURNAL_TARGET,
  lingerRecord: LINGER_RECORD,
  dirsRecord: DIRS_RECORD,
  unitDir: UNIT_DIR,
  fleetDir: FLEET_DIR,
  fleetTarget: FLEET_TARGET,
  holderUnit: HOLDER_UNIT,
  agentUnitHead: AGENT_UNIT_AROUND.head,
  agentUnitTail: AGENT_UNIT_AROUND.tail,
  ownUnitPrefix: OWN_UNIT_PREFIX,
  tmpPrefix: TMP_PREFIX,
  lingerDir: LINGER_DIR,
  lock: FLEET_LOCK,
  ownFileEre: OWN_FILE_ERE,
  ownDirEre: OWN_DIR_ERE,
  ownUnitEre: OWN_UNIT_ERE,
  wantedByEre: WANTED_BY_ERE,
  lockWait: String(LOCK_WAIT_SECONDS),
  stateHome: DEFAULT_STATE_HOME,
  transcriptDir: TRANSCRIPT_DIR,
  transcriptFileEre: TRANSCRIPT_FILE_ERE,
  statusProperties: STATUS_PROPERTIES.join(','),
  scopePrefix: AGENT_SCOPE_PREFIX,
  cgroupRoots: CGROUP_ROOTS.join(' '),
  runtimeDir: RUNTIME_DIR,
  activitySubdir: ACTIVITY_SUBDIR,
  pendingSuffix: PENDING_SUFFIX,
  lastRestart: LAST_RESTART,
};

/** Said by the schema alone; the engine checks a record's agent names with it. */
function engineContext() {
  const name = agentNameRule();
  return { ...ENGINE_CONTEXT, agentNameEre: name.ere, agentNameMax: String(name.maxLength) };
}

/** Everything a build writes to the output directory, in memory. */
export interface BuildOutput {
  manifest: Manifest;
  /** Every file of the bundle, sorted by path: artifacts, manifest.json, install.sh, uninstall.sh, engine.sh. */
  files: Artifact[];
}

/** render → plan → the scripts and manifest: the whole output of a build, without touching disk. */
export function assembleOutput(named: Fleet, version: string): BuildOutput {
  // The roster by its base name: the same roster gives the same bytes however the command line
  // spelled its path (./roster.yaml, an absolute path, a run from another directory).
  const fleet = { ...named, roster: basename(named.roster) };
  const header = generatedHeader(version, fleet.roster);
  const template = loadTemplates(header);
  const artifacts = renderFleet(fleet, template);
  const manifest = buildManifest(fleet, artifacts, header, version);
  const files = [...artifacts, { path: MANIFEST_SOURCE, target: MANIFEST_TARGET, mode: 0o600 as const, owner: 'fleet' as const, text: manifestText(manifest) }, ...bundleScripts(template, artifacts.length + 1)];
  return { manifest, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/**
 * The bundle's scripts: two short entry points and the engine they source, which they pin by
 * its digest (they source no other, whatever lies beside them).
 */
function bundleScripts(template: ReturnType<typeof loadTemplates>, files: number): Artifact[] {
  const base = engineContext();
  const engine = template('scripts/engine.sh')(base);
  const context = { ...base, engineSha: sha256(engine) };
  const script = (path: string, mode: 0o755 | 0o644, text: string): Artifact => ({ path, target: '', mode, owner: 'fleet', text });
  return [
    script(BUNDLE_SCRIPTS.install, 0o755, template('scripts/install.sh')({ ...context, script: BUNDLE_SCRIPTS.install, files: String(files) })),
    script(BUNDLE_SCRIPTS.uninstall, 0o755, template('scripts/uninstall.sh')({ ...context, script: BUNDLE_SCRIPTS.uninstall })),
    // Sourced, never run: not executable.
    script(BUNDLE_SCRIPTS.engine, 0o644, engine),
  ];
}

/**
 * uninstall.sh and its engine alone, for a run with no roster: any build's engine removes
 * (or reports) whatever fleet the installed record describes.
 */
export function fleetlessScripts(version: string): Artifact[] {
  const template = loadTemplates(generatedHeader(version, '(none: uninstall only)'));
  return bundleScripts(template, 0).filter((a) => a.path !== BUNDLE_SCRIPTS.install);
}
