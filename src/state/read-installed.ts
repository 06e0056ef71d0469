import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { commandError, type Diagnostic, errorIn } from '../errors.js';
import { agentUnit, DIRS_RECORD, LINGER_DIR, LINGER_RECORD, MANIFEST_TARGET, UNIT_DIR } from '../model/artifact.js';
import { isOwnDir, isOwnFile, isOwnUnit, isWantedBy } from '../model/own-names.js';
import type { EnabledUnit, Manifest } from '../model/manifest.js';
import { sha256 } from '../plan/build-manifest.js';
import { unsafeParent } from './confine.js';
import { parentDirs } from '../plan/plan-install.js';
import { userSystemctl, type CommandRunner } from '../host/run-command.js';

/** Where the fleet lives on this host: everything under root + configHome ($DESTDIR$XDG_CONFIG_HOME). */
export interface HostPaths {
  /** A staging root (DESTDIR) for offline work, or '' for the live host. */
  root: string;
  /** $XDG_CONFIG_HOME as the host's own processes see it. */
  configHome: string;
  user: string;
}

/**
 * Where the fleet lives, by the XDG rules: $XDG_CONFIG_HOME when it is an absolute path (a
 * relative one is ignored, as the specification says), else $HOME/.config. A HOME that is
 * missing or relative is an error: guessing would put the fleet somewhere nobody looks.
 */
export function hostPaths(env: Readonly<Record<string, string | undefined>>, offline: boolean): HostPaths | Diagnostic {
  const xdg = env.XDG_CONFIG_HOME;
  const home = env.HOME;
  if (!(xdg && isAbsolute(xdg)) && !(home && isAbsolute(home))) {
    return commandError('mosaic-gen', 'STATE', home ? `HOME is a relative path (${home})` : 'HOME is not set', 'run as a user with an absolute HOME, or set XDG_CONFIG_HOME to an absolute path');
  }
  return {
    root: offline ? (env.DESTDIR ?? '') : '',
    configHome: xdg && isAbsolute(xdg) ? normalize(xdg).replace(/(.)\/$/, '$1') : join(home!, '.config'),
    user: env.USER ?? env.LOGNAME ?? 'root',
  };
}

export function onHost(paths: HostPaths, target: string): string {
  return join(paths.root + paths.configHome, target);
}

export interface DiskFile {
  /** null when nothing is there. */
  sha256: string | null;
  text: string | null;
  mode: string | null;
  /** Something other than a regular file sits there (a symlink, a directory…). */
  foreign: boolean;
}

export interface UnitState {
  active: string;
  mainPid: number;
}

/** What is installed: the record, the files as they are, and the units as the manager sees them. */
export interface Installed {
  paths: HostPaths;
  manifest: Manifest | null;
  disk: ReadonlyMap<string, DiskFile>;
  /** Every enablement link of a mosaic unit in the unit directory, by `WANTED_BY/UNIT`. */
  links: ReadonlyMap<string, EnabledUnit>;
  /** null offline: no manager is asked. */
  units: ReadonlyMap<string, UnitState> | null;
  lingerOn: boolean;
  lingerRecorded: boolean;
  /** Directories (relative to configHome, '' itself) that exist, among those the targets need or the record names. */
  dirs: ReadonlySet<string>;
  /** The directories install recorded as made by it (only those are ever removed). */
  dirsRecorded: ReadonlySet<string>;
}

export type ReadResult = { ok: true; installed: Installed } | { ok: false; diagnostic: Diagnostic };

/**
 * Reads the installed state of the fleet for the targets and units a transition may touch. The
 * manager is asked through the command runner, one call for all units.
 */
export async function readInstalled(paths: HostPaths, build: { targets: readonly string[]; units: readonly string[] } | null, runner: CommandRunner | null): Promise<ReadResult> {
  const manifestPath = onHost(paths, MANIFEST_TARGET);
  let manifest: Manifest | null = null;
  const record = unsafeParent(paths.root + paths.configHome, MANIFEST_TARGET) ? FOREIGN : readDisk(manifestPath);
  if (record.text !== null) {
    try {
      manifest = parseManifest(record.text);
    } catch (error) {
      return { ok: false, diagnostic: errorIn(manifestPath, 'STATE', `the installed manifest cannot be read: ${(error as Error).message}`, 'restore it, or remove the fleet by hand') };
    }
  } else if (record.foreign) {
    return { ok: false, diagnostic: errorIn(manifestPath, 'STATE', 'the installed manifest is not a regular file') };
  }
  const targets = new Set([...(manifest?.files.map((f) => f.target) ?? []), ...(build?.targets ?? [])]);
  const disk = new Map<string, DiskFile>();
  for (const target of [...targets].sort()) disk.set(target, unsafeParent(paths.root + paths.configHome, target) ? FOREIGN : readDisk(onHost(paths, target)));
  disk.set(MANIFEST_TARGET, record);
  const links = findLinks(paths);
  let units: Map<string, UnitState> | null = null;
  if (runner) {
    const names = [...new Set([...(manifest?.enable.map((u) => u.unit) ?? []), ...(manifest ? agentUnits(manifest) : []), ...(build?.units ?? []), ...[...links.values()].map((u) => u.unit)])].sort();
    const shown = names.length ? await userSystemctl(runner, 'show', '--property=Id,ActiveState,MainPID', '--', ...names) : { code: 0, stdout: '', stderr: '' };
    if (shown.code !== 0) {
      return { ok: false, diagnostic: commandError('systemctl --user', 'STATE', `cannot ask the user manager for unit state: ${shown.stderr.trim() || `exit ${shown.code}`}`, 'run inside the user session (XDG_RUNTIME_DIR set), or pass --offline to work on files only') };
    }
    units = parseShow(shown.stdout);
  }
  const lingerFile = join(paths.root, LINGER_DIR, paths.user);
  const dirsRecorded = readDirsRecord(paths);
  const dirs = new Set([...parentDirs([...targets, MANIFEST_TARGET]), ...dirsRecorded].filter((dir) => isDir(onHost(paths, dir)) && !unsafeParent(paths.root + paths.configHome, `${dir}/x`)));
  return { ok: true, installed: { paths, manifest, disk, links, units, lingerOn: exists(lingerFile), lingerRecorded: exists(onHost(paths, LINGER_RECORD)), dirs, dirsRecorded } };
}


/** Links named after a mosaic unit in any `*.wants/` directory; `file` is the unit file linked to. */
function findLinks(paths: HostPaths): Map<string, EnabledUnit> {
  const links = new Map<string, EnabledUnit>();
  const unitDir = onHost(paths, UNIT_DIR);
  let dirs: string[] = [];
  try {
    dirs = readdirSync(unitDir).filter((name) => name.endsWith('.wants') && isWantedBy(name.slice(0, -'.wants'.length)));
  } catch {
    return links;
  }
  for (const dir of dirs.sort()) {
    let names: string[] = [];
    try {
      names = readdirSync(join(unitDir, dir));
    } catch {
      continue;
    }
    for (const unit of names.filter((name) => isOwnUnit(name)).sort()) {
      let target = '';
      try {
        target = readlinkSync(join(unitDir, dir, unit));
      } catch {
        continue; // not a link: not an enablement
      }
      const wantedBy = dir.slice(0, -'.wants'.length);
      const expectedDir = `${join(paths.configHome, UNIT_DIR)}/`;
      links.set(`${wantedBy}/${unit}`, { unit, wantedBy, file: target.startsWith(expectedDir) ? target.slice(expectedDir.length) : target });
    }
  }
  return links;
}

export function agentUnits(manifest: Manifest): string[] {
  return manifest.agents.map((a) => agentUnit(a.name));
}

function parseShow(stdout: string): Map<string, UnitState> {
  const units = new Map<string, UnitState>();
  for (const block of stdout.split(/\n\n+/)) {
    const props = new Map(block.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
    const id = props.get('Id');
    if (id) units.set(id, { active: props.get('ActiveState') ?? 'inactive', mainPid: Number(props.get('MainPID') ?? 0) });
  }
  return units;
}

const FOREIGN: DiskFile = { sha256: null, text: null, mode: null, foreign: true };

function readDisk(path: string): DiskFile {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return { sha256: null, text: null, mode: null, foreign: true };
    const text = readFileSync(path, 'utf8');
    return { sha256: sha256(text), text, mode: `0${(stat.mode & 0o777).toString(8)}`, foreign: false };
  } catch {
    return { sha256: null, text: null, mode: null, foreign: false };
  }
}

/** The dirs record: `DIR/` a line, `/` for $XDG_CONFIG_HOME itself; lines naming no own directory are ignored. */
export function readDirsRecord(paths: HostPaths): Set<string> {
  let text = '';
  try {
    if (!unsafeParent(paths.root + paths.configHome, DIRS_RECORD) && lstatSync(onHost(paths, DIRS_RECORD)).isFile()) text = readFileSync(onHost(paths, DIRS_RECORD), 'utf8');
  } catch {
    // nothing recorded
  }
  return new Set(text.split('\n').filter((line) => line.endsWith('/')).map((line) => line.slice(0, -1)).filter(isOwnDir));
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Anything at path, a dangling symlink included. */
export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a record of manifest version 1 or 2 (as version 2), checking every name in it against the
 * confinement rule: a record that names anything but the fleet's own files and units is refused,
 * so a hand-edited or planted manifest cannot point uninstall at the user's files.
 */
export function parseManifest(text: string): Manifest {
  const value = JSON.parse(text) as Omit<Manifest, 'manifestVersion' | 'agents' | 'holder'> & { manifestVersion: 1 | 2; agents?: Manifest['agents']; holder?: string };
  const ok =
    value !== null &&
    typeof value === 'object' &&
    (value.manifestVersion === 1 || value.manifestVersion === 2) &&
    Array.isArray(value.files) &&
    value.files.every((f) => typeof f?.target === 'string' && typeof f.sha256 === 'string' && typeof f.mode === 'string' && typeof f.path === 'string' && (f.agent === null || (typeof f.agent === 'string' && AGENT_NAME.test(f.agent)))) &&
    Array.isArray(value.enable) &&
    value.enable.every((u) => typeof u?.unit === 'string' && typeof u.file === 'string' && typeof u.wantedBy === 'string') &&
    Array.isArray(value.start) &&
    value.start.every((u) => typeof u === 'string') &&
    typeof value.linger === 'boolean' &&
    (value.manifestVersion === 1 || (Array.isArray(value.agents) && value.agents.every((a) => typeof a?.name === 'string' && AGENT_NAME.test(a.name) && typeof a.digest === 'string') && typeof value.holder === 'string'));
  if (!ok) throw new Error('unexpected shape (is it from another version of mosaic-gen?)');
  const foreign = [
    ...value.files.map((f) => f.target).filter((t) => !isOwnFile(t)),
    ...value.enable.flatMap((u) => [u.unit, u.file]).filter((u) => !isOwnUnit(u)),
    ...value.enable.map((u) => u.wantedBy).filter((u) => !isWantedBy(u)),
    ...value.start.filter((u) => !isOwnUnit(u)),
  ];
  if (foreign.length > 0) throw new Error(`it names ${foreign.map((f) => JSON.stringify(f)).join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not mosaic-gen's to touch`);
  const agents = value.agents ?? [...new Set(value.files.map((f) => f.agent).filter((a): a is string => a !== null))].sort().map((name) => ({ name, lifecycle: value.enable.some((u) => u.unit === agentUnit(name)) ? ('always-on' as const) : ('on-demand' as const), digest: '' }));
  return { ...value, manifestVersion: 2, agents, holder: value.holder ?? '' };
}

const AGENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
