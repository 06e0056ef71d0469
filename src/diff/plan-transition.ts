import { AGENT_TEMPLATE_UNIT, FLEET_TARGET, HOLDER_UNIT, MANIFEST_TARGET, UNIT_DIR, agentUnit } from '../model/artifact.js';
import type { EnabledUnit, Manifest, ManifestFile } from '../model/manifest.js';
import { parseMode } from '../model/manifest.js';
import type { Op } from '../plan/ops.js';
import { MANIFEST_SOURCE, parentDirs } from '../plan/plan-install.js';
import type { Installed } from '../state/read-installed.js';

/** The build side of a transition: its manifest and the text of every file (by output path). */
export interface TargetBuild {
  manifest: Manifest;
  text: ReadonlyMap<string, string>;
}

export type FileChangeKind = 'create' | 'update' | 'delete';

export interface FileChange {
  change: FileChangeKind;
  target: string;
  /** Output path of the new content (absent for deletes). */
  source?: string;
  mode: string;
  agent: string | null;
  /** The file as it is on the host now (null when absent) and as the build has it (null for deletes). */
  before: string | null;
  after: string | null;
}

export type DriftKind = 'edited' | 'missing' | 'not-a-file' | 'unmanaged';

export interface Drift {
  target: string;
  kind: DriftKind;
}

export interface UnitChanges {
  stop: string[];
  disable: string[];
  enable: string[];
  restart: string[];
  start: string[];
}

/** Everything apply will do, as data, in the order it does it (ops), plus the views a reader needs. */
export interface Transition {
  files: FileChange[];
  drift: Drift[];
  units: UnitChanges;
  daemonReload: boolean;
  linger: 'enable' | 'disable' | null;
  ops: Op[];
  counts: { add: number; change: number; destroy: number };
}

/**
 * Compares a build (or, for uninstall, nothing) with what is installed. Pure. Change is decided
 * against the installed manifest, which apply writes last: after an interrupted apply the same
 * transition is computed again, so re-running converges. The disk decides only what still needs
 * writing and what was edited by hand (drift).
 */
export function planTransition(build: TargetBuild | null, installed: Installed): Transition {
  const online = installed.units !== null;
  const old = installed.manifest;
  const oldFiles = new Map((old?.files ?? []).map((f) => [f.target, f]));
  const newFiles = new Map((build?.manifest.files ?? []).map((f) => [f.target, f]));
  const textOf = (f: ManifestFile) => build!.text.get(f.path)!;

  const files: FileChange[] = [];
  const drift: Drift[] = [];
  const writes: FileChange[] = [];
  for (const target of [...new Set([...oldFiles.keys(), ...newFiles.keys()])].sort()) {
    const before = oldFiles.get(target);
    const after = newFiles.get(target);
    const disk = installed.disk.get(target) ?? { sha256: null, text: null, mode: null, foreign: false };
    const atTarget = after !== undefined && disk.sha256 === after.sha256 && disk.mode === after.mode;
    if (disk.foreign) drift.push({ target, kind: 'not-a-file' });
    else if (before && disk.sha256 !== before.sha256 && !(after ? disk.sha256 === after.sha256 : disk.sha256 === null)) {
      // Already at the target (written, or removed, by an apply that was interrupted) is not drift.
      drift.push({ target, kind: disk.sha256 === null ? 'missing' : 'edited' });
    }
    else if (!before && disk.sha256 !== null && !(after && disk.sha256 === after.sha256)) drift.push({ target, kind: 'unmanaged' });

    let change: FileChangeKind | undefined;
    if (after && !before) change = 'create';
    else if (after && before && (before.sha256 !== after.sha256 || before.mode !== after.mode || !atTarget)) change = 'update';
    else if (!after && before) change = 'delete';
    if (!change) continue;
    const entry: FileChange = {
      change,
      target,
      mode: (after ?? before)!.mode,
      agent: (after ?? before)!.agent,
      before: disk.text,
      after: after ? textOf(after) : null,
      ...(after ? { source: after.path } : {}),
    };
    files.push(entry);
    if (after && !atTarget) writes.push(entry);
  }

  // Restart by meaning: an agent (or the holder) whose digest changed, never for a header or comment.
  const oldDigest = new Map((old?.agents ?? []).map((a) => [a.name, a.digest]));
  const changedAgents = new Set((build?.manifest.agents ?? []).filter((a) => oldDigest.has(a.name) && (oldDigest.get(a.name) === '' || oldDigest.get(a.name) !== a.digest)).map((a) => a.name));
  const daemonReload = online && files.some((f) => f.target.startsWith(`${UNIT_DIR}/`));

  // Enablement: the links the build wants against every mosaic link on disk, whoever made it (an
  // on-demand agent enabled by hand must not outlive its removal from the roster either).
  const key = (u: EnabledUnit) => `${u.wantedBy}/${u.unit}`;
  const wanted = new Map((build?.manifest.enable ?? []).map((u) => [key(u), u]));
  const enable = [...wanted.values()].filter((u) => installed.links.get(key(u))?.file !== u.file);
  const disable = [...installed.links.values()].filter((u) => !wanted.has(key(u)));

  // Runtime: only with a manager to ask.
  const active = (unit: string) => ['active', 'activating', 'reloading'].includes(installed.units?.get(unit)?.active ?? 'inactive');
  const oldAgents = agentsOf(old);
  const newAgents = agentsOf(build?.manifest ?? null);
  const alwaysOn = new Set((build?.manifest.enable ?? []).map((u) => u.unit));
  const units: UnitChanges = { stop: [], disable: disable.map((u) => u.unit), enable: enable.map((u) => u.unit), restart: [], start: [] };
  if (online) {
    if (!build) {
      if (active(FLEET_TARGET)) units.stop.push(FLEET_TARGET);
      units.stop.push(...[...oldAgents].map(agentUnit).filter(active), ...(active(HOLDER_UNIT) ? [HOLDER_UNIT] : []));
    } else {
      units.stop.push(...[...oldAgents].filter((a) => !newAgents.has(a)).map(agentUnit).filter(active));
      const holderRestarts = old !== null && (old.holder === '' || old.holder !== build.manifest.holder) && active(HOLDER_UNIT);
      if (holderRestarts) units.restart.push(HOLDER_UNIT);
      else {
        for (const agent of [...changedAgents].sort()) if (active(agentUnit(agent))) units.restart.push(agentUnit(agent));
      }
      if (!active(FLEET_TARGET)) units.start.push(FLEET_TARGET);
      else {
        const restarting = new Set(units.restart);
        for (const unit of [...alwaysOn].sort()) {
          // A restarted holder takes only running agents down and up again; the others need a start.
          if (unit !== FLEET_TARGET && !active(unit) && !restarting.has(unit)) units.start.push(unit);
        }
      }
    }
  }
  const linger = build?.manifest.linger && !installed.lingerOn ? 'enable' : !build?.manifest.linger && installed.lingerRecorded ? 'disable' : null;

  // The ops, in the order apply runs them; the manifest is written (or removed) last.
  const ops: Op[] = [];
  for (const unit of units.stop) ops.push({ kind: 'stop-unit', unit });
  for (const u of disable) ops.push({ kind: 'disable-unit', ...u });
  if (linger === 'disable') ops.push({ kind: 'disable-linger' });
  const newTargets = [...newFiles.keys(), ...(build ? [MANIFEST_TARGET] : [])];
  const neededDirs = new Set(build ? parentDirs(newTargets) : []);
  for (const dir of parentDirs(newTargets)) if (build && !installed.dirs.has(dir)) ops.push({ kind: 'make-dir', dir });
  for (const f of writes) ops.push({ kind: 'install-file', source: f.source!, target: f.target, mode: parseMode(f.mode) });
  for (const f of files.filter((f) => f.change === 'delete')) ops.push({ kind: 'remove-file', source: oldFiles.get(f.target)!.path, target: f.target, mode: parseMode(f.mode) });
  const removeDirs = () => {
    const obsolete = parentDirs([...oldFiles.keys(), MANIFEST_TARGET]).filter((dir) => !neededDirs.has(dir) && installed.dirs.has(dir) && installed.dirsRecorded.has(dir));
    for (const dir of obsolete.reverse()) ops.push({ kind: 'remove-dir', dir });
  };
  if (build) removeDirs();
  if (daemonReload && build) ops.push({ kind: 'daemon-reload' });
  for (const u of enable) ops.push({ kind: 'enable-unit', ...u });
  if (linger === 'enable') ops.push({ kind: 'enable-linger' });
  for (const unit of units.restart) ops.push({ kind: 'restart-unit', unit });
  for (const unit of units.start) ops.push({ kind: 'start-unit', unit });
  if (build) {
    const manifestText = build.text.get(MANIFEST_SOURCE)!;
    if (installed.disk.get(MANIFEST_TARGET)?.text !== manifestText) ops.push({ kind: 'install-file', source: MANIFEST_SOURCE, target: MANIFEST_TARGET, mode: 0o600 });
  } else if (old) {
    // The record goes last but for the directories, so an interrupted uninstall is still visible
    // (and is finished by running it again); what comes after it is recorded in the dirs record.
    if (daemonReload) ops.push({ kind: 'daemon-reload' });
    ops.push({ kind: 'remove-file', source: MANIFEST_SOURCE, target: MANIFEST_TARGET, mode: 0o600 });
    removeDirs();
  } else {
    // An uninstall interrupted after the record went: only recorded, now empty directories remain.
    for (const dir of [...installed.dirs].filter((d) => installed.dirsRecorded.has(d)).sort().reverse()) ops.push({ kind: 'remove-dir', dir });
  }

  const count = (kind: FileChangeKind) => files.filter((f) => f.change === kind).length;
  return {
    files,
    drift,
    units,
    daemonReload,
    linger,
    ops,
    counts: {
      add: count('create') + units.enable.length + units.start.length + (linger === 'enable' ? 1 : 0),
      change: count('update') + units.restart.length,
      destroy: count('delete') + units.disable.length + units.stop.length + (linger === 'disable' ? 1 : 0),
    },
  };
}

function agentsOf(manifest: Manifest | null): Set<string> {
  return new Set((manifest?.agents ?? []).map((a) => a.name));
}
