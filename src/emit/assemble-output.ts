import { DIRS_RECORD, LINGER_RECORD, MANIFEST_TARGET, type Artifact } from '../model/artifact.js';
import type { Fleet } from '../model/fleet.js';
import type { Manifest } from '../model/manifest.js';
import { buildManifest, manifestText } from '../plan/build-manifest.js';
import { opShell } from '../plan/op-shell.js';
import { uninstallPlan, type Op } from '../plan/ops.js';
import { MANIFEST_SOURCE, planInstall } from '../plan/plan-install.js';
import { generatedHeader, renderFleet } from '../render/render-fleet.js';
import { loadTemplates } from '../render/templates.js';

/** Everything a build writes to the output directory, in memory. */
export interface BuildOutput {
  manifest: Manifest;
  install: Op[];
  /** Every file of out/, sorted by path: artifacts, manifest.json, install.sh, uninstall.sh. */
  files: Artifact[];
}

/** render → plan → the scripts and manifest: the whole output of a build, without touching disk. */
export function assembleOutput(fleet: Fleet, version: string): BuildOutput {
  const header = generatedHeader(version, fleet.roster);
  const template = loadTemplates(header, { shellOp: (op) => opShell(op as Op) });
  const artifacts = renderFleet(fleet, template);
  const manifest = buildManifest(fleet, artifacts, header);
  const install = planInstall(manifest);
  const context = { manifestTarget: MANIFEST_TARGET, lingerRecord: LINGER_RECORD, dirsRecord: DIRS_RECORD, files: String(artifacts.length + 1) };
  const scripts: Artifact[] = [
    { path: 'install.sh', target: '', mode: 0o755, text: template('scripts/install.sh')({ ...context, ops: install }) },
    { path: 'uninstall.sh', target: '', mode: 0o755, text: template('scripts/uninstall.sh')({ ...context, ops: uninstallPlan(install) }) },
  ];
  const files = [...artifacts, { path: MANIFEST_SOURCE, target: MANIFEST_TARGET, mode: 0o600 as const, text: manifestText(manifest) }, ...scripts];
  return { manifest, install, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

