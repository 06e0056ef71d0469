import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DIRS_RECORD, LINGER_RECORD, UNIT_DIR } from '../model/artifact.js';
import { userSystemctl, type CommandRunner } from '../host/run-command.js';
import type { Op } from '../plan/ops.js';
import { exists, onHost, type HostPaths } from '../state/read-installed.js';

export interface ApplyContext {
  paths: HostPaths;
  /** null offline: files and links only, no systemctl or loginctl. */
  runner: CommandRunner | null;
  /** Content of each output path the ops install. */
  text: ReadonlyMap<string, string>;
  log: (line: string) => void;
  /** Called after each op completes; tests use it to interrupt an apply at every point. */
  afterOp?: (index: number, op: Op) => void;
}

export class ApplyError extends Error {
  constructor(readonly op: Op, message: string) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** A readable command for each op: what --dry-run prints and what apply logs as it goes. */
export function describeOp(op: Op, paths: HostPaths, offline = false): string {
  if (offline) {
    const linger = join(paths.root, 'var/lib/systemd/linger', paths.user);
    const link = (u: { unit: string; wantedBy: string }) => onHost(paths, `${UNIT_DIR}/${u.wantedBy}.wants/${u.unit}`);
    if (op.kind === 'enable-unit') return `ln -s ${join(paths.configHome, UNIT_DIR, op.file)} ${link(op)}`;
    if (op.kind === 'disable-unit') return `rm ${link(op)}`;
    if (op.kind === 'enable-linger') return `touch ${linger}`;
    if (op.kind === 'disable-linger') return `rm ${linger}`;
  }
  const at = (target: string) => onHost(paths, target);
  switch (op.kind) {
    case 'daemon-reload':
      return 'systemctl --user daemon-reload';
    case 'make-dir':
      return `mkdir ${at(op.dir)}`;
    case 'remove-dir':
      return `rmdir ${at(op.dir)} (if empty)`;
    case 'install-file':
      return `write ${at(op.target)} (mode 0${op.mode.toString(8)})`;
    case 'remove-file':
      return `rm ${at(op.target)}`;
    case 'enable-unit':
      return `systemctl --user enable ${op.unit}`;
    case 'disable-unit':
      return `systemctl --user disable ${op.unit}`;
    case 'start-unit':
      return `systemctl --user start ${op.unit}`;
    case 'stop-unit':
      return `systemctl --user stop ${op.unit}`;
    case 'restart-unit':
      return `systemctl --user restart ${op.unit}`;
    case 'enable-linger':
      return `loginctl enable-linger ${paths.user}`;
    case 'disable-linger':
      return `loginctl disable-linger ${paths.user}`;
  }
}

/**
 * Carries out ops in order, stopping at the first failure (nothing after it is changed). Every
 * op is idempotent, so running the same transition again after an interruption converges.
 */
export async function applyOps(ops: readonly Op[], context: ApplyContext): Promise<void> {
  removeStaleTemporaries(ops, context.paths);
  const dirs = new DirsRecord(onHost(context.paths, DIRS_RECORD));
  for (const [index, op] of ops.entries()) {
    context.log(describeOp(op, context.paths, context.runner === null));
    try {
      await applyOp(op, context, dirs);
    } catch (error) {
      throw error instanceof ApplyError ? error : new ApplyError(op, (error as Error).message);
    }
    context.afterOp?.(index, op);
  }
}

/**
 * The directories install created, as install.sh records them (`DIR/` a line, `/` for
 * $XDG_CONFIG_HOME): only those are removed again, so a directory that was there before stays.
 * Kept sorted and without repeats, so the record depends on what exists, not on the history.
 */
class DirsRecord {
  private readonly made: Set<string>;
  private dirty = false;

  constructor(private readonly file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // nothing recorded yet
    }
    this.made = new Set(text.split('\n').filter(Boolean));
  }

  created(dir: string): void {
    this.made.add(`${dir}/`);
    this.dirty = true;
    this.flush();
  }

  removed(dir: string): void {
    this.dirty = this.made.delete(`${dir}/`) || this.dirty;
    this.flush();
  }

  /** The record lives in the fleet directory; changes wait until that exists. */
  flush(): void {
    if (!this.dirty || !exists(dirname(this.file))) return;
    writeAtomic(this.file, [...this.made].sort().map((line) => `${line}\n`).join(''), 0o600);
    this.dirty = false;
  }

  has(dir: string): boolean {
    return this.made.has(`${dir}/`);
  }

  /** Removing the fleet directory removes the record with it, but only when nothing else is left there. */
  removing(path: string): void {
    if (path !== dirname(this.file)) return;
    try {
      if (readdirSync(path).every((name) => name === basename(this.file))) rmSync(this.file, { force: true });
    } catch {
      // gone already
    }
  }
}

async function applyOp(op: Op, context: ApplyContext, dirs: DirsRecord): Promise<void> {
  const { paths, runner } = context;
  const at = (target: string) => onHost(paths, target);
  const systemctl = async (...args: string[]) => {
    if (!runner) return;
    const result = await userSystemctl(runner, ...args);
    if (result.code !== 0) throw new ApplyError(op, `systemctl --user ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  };
  const link = (wantedBy: string, unit: string) => at(`${UNIT_DIR}/${wantedBy}.wants/${unit}`);
  switch (op.kind) {
    case 'daemon-reload':
      return systemctl('daemon-reload');
    case 'make-dir':
      if (!exists(at(op.dir))) {
        ensureRealDirs(paths, op.dir);
        dirs.created(op.dir);
      }
      dirs.flush();
      return;
    case 'remove-dir':
      if (!dirs.has(op.dir)) return;
      dirs.removing(at(op.dir));
      try {
        rmdirSync(at(op.dir));
        dirs.removed(op.dir);
      } catch {
        // not empty, or gone: either way not ours to remove
      }
      return;
    case 'install-file': {
      const text = context.text.get(op.source);
      if (text === undefined) throw new ApplyError(op, `no content for ${op.source}`);
      ensureRealDirs(paths, dirname(op.target) === '.' ? '' : dirname(op.target));
      writeAtomic(at(op.target), text, op.mode);
      return;
    }
    case 'remove-file':
      if (exists(at(op.target))) rmSync(at(op.target), { force: true });
      return;
    case 'enable-unit':
      if (runner) return systemctl('enable', op.unit);
      mkdirSync(dirname(link(op.wantedBy, op.unit)), { recursive: true, mode: 0o755 });
      rmSync(link(op.wantedBy, op.unit), { force: true });
      symlinkSync(join(paths.configHome, UNIT_DIR, op.file), link(op.wantedBy, op.unit));
      return;
    case 'disable-unit':
      if (runner) await systemctl('disable', op.unit);
      else rmSync(link(op.wantedBy, op.unit), { force: true });
      try {
        rmdirSync(dirname(link(op.wantedBy, op.unit)));
      } catch {
        // other units are still wanted there
      }
      return;
    case 'start-unit':
      return systemctl('start', op.unit);
    case 'stop-unit':
      return systemctl('stop', op.unit);
    case 'restart-unit':
      return systemctl('restart', op.unit);
    case 'enable-linger':
      if (runner) {
        const result = await runner('loginctl', ['enable-linger', paths.user]);
        if (result.code !== 0) throw new ApplyError(op, `loginctl enable-linger failed: ${result.stderr.trim()}`);
      } else {
        const file = join(paths.root, 'var/lib/systemd/linger', paths.user);
        mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
        writeFileSync(file, '');
      }
      writeAtomic(at(LINGER_RECORD), '', 0o600);
      return;
    case 'disable-linger':
      if (runner) {
        const result = await runner('loginctl', ['disable-linger', paths.user]);
        if (result.code !== 0) throw new ApplyError(op, `loginctl disable-linger failed: ${result.stderr.trim()}`);
      } else {
        rmSync(join(paths.root, 'var/lib/systemd/linger', paths.user), { force: true });
      }
      rmSync(at(LINGER_RECORD), { force: true });
      return;
  }
}

/** The user's own directories, which may be symlinks (dotfiles managers link them). */
const SHARED_DIRS = new Set(['systemd', UNIT_DIR]);

/**
 * Creates dir (relative to configHome) and its parents, refusing to go through a symlink in the
 * fleet's own directories: a link planted there must not carry writes out of them.
 */
function ensureRealDirs(paths: HostPaths, dir: string): void {
  const base = paths.root + paths.configHome;
  mkdirSync(base, { recursive: true, mode: 0o700 });
  let current = base;
  const parts = dir === '' ? [] : dir.split('/');
  for (const [i, part] of parts.entries()) {
    current = join(current, part);
    try {
      const stat = SHARED_DIRS.has(parts.slice(0, i + 1).join('/')) ? statSync(current) : lstatSync(current);
      if (stat.isSymbolicLink()) throw new Error(`${current} is a symbolic link (to ${readlinkSync(current)}); refusing to write through it`);
      if (!stat.isDirectory()) throw new Error(`${current} is not a directory`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(current, { mode: 0o700 });
    }
  }
}

/** Beside each target while it is written; install.sh uses the same name. */
const TMP_SUFFIX = '.mosaic-tmp';

/** Temp file in the same directory, then rename: never half-written, and a planted symlink is replaced. */
function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}${TMP_SUFFIX}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** A write killed between temp file and rename leaves `TARGET.mosaic-tmp` behind; it is ours to remove. */
function removeStaleTemporaries(ops: readonly Op[], paths: HostPaths): void {
  for (const op of ops) {
    if (op.kind === 'install-file' || op.kind === 'remove-file') rmSync(`${onHost(paths, op.target)}${TMP_SUFFIX}`, { force: true });
  }
}
