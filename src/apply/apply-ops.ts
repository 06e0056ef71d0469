import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DIRS_RECORD, LINGER_DIR, LINGER_RECORD, UNIT_DIR } from '../model/artifact.js';
import { userSystemctl, type CommandRunner } from '../host/run-command.js';
import { writeFileAtomic } from '../host/write-file-atomic.js';
import type { Op } from '../plan/ops.js';
import { exists, onHost, type HostPaths } from '../state/read-installed.js';
import { unsafeParent } from '../state/confine.js';
import { isOwnDir, isOwnFile, isOwnUnit, TMP_PREFIX } from '../model/own-names.js';

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
    const linger = join(paths.root, LINGER_DIR, paths.user);
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

  /** The record lives in the fleet directory; changes wait until that exists. An empty record is no record. */
  flush(): void {
    if (!this.dirty || !exists(dirname(this.file))) return;
    if (this.made.size === 0) rmSync(this.file, { force: true });
    else writeFileAtomic(this.file, [...this.made].sort().map((line) => `${line}\n`).join(''), { overwrite: true, mode: 0o600, durable: false });
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
  const link = (u: { wantedBy: string; unit: string }) => confined(op, paths, `${UNIT_DIR}/${u.wantedBy}.wants/${u.unit}`, 'link');
  switch (op.kind) {
    case 'daemon-reload':
      return systemctl('daemon-reload');
    case 'make-dir':
      confined(op, paths, op.dir, 'dir');
      if (!exists(at(op.dir))) {
        ensureRealDirs(paths, op.dir);
        dirs.created(op.dir);
      }
      dirs.flush();
      return;
    case 'remove-dir':
      confined(op, paths, op.dir, 'dir');
      if (!dirs.has(op.dir)) return;
      dirs.removing(at(op.dir));
      try {
        rmdirSync(at(op.dir));
        dirs.removed(op.dir);
      } catch (error) {
        // Not empty (something not ours is in it), or gone: either way it stays, and so does the record.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') dirs.removed(op.dir);
      }
      return;
    case 'install-file': {
      const text = context.text.get(op.source);
      if (text === undefined) throw new ApplyError(op, `no content for ${op.source}`);
      const path = confined(op, paths, op.target, 'file');
      ensureRealDirs(paths, dirname(op.target) === '.' ? '' : dirname(op.target));
      writeFileAtomic(path, text, { overwrite: true, mode: op.mode, durable: false });
      return;
    }
    case 'remove-file': {
      const path = confined(op, paths, op.target, 'file');
      if (exists(path)) rmSync(path, { force: true });
      return;
    }
    case 'enable-unit': {
      if (runner) return systemctl('enable', op.unit);
      const path = link(op);
      ensureRealDirs(paths, dirname(`${UNIT_DIR}/${op.wantedBy}.wants/x`), 0o755);
      rmSync(path, { force: true });
      symlinkSync(join(paths.configHome, UNIT_DIR, op.file), path);
      return;
    }
    case 'disable-unit': {
      const path = link(op);
      if (runner) await systemctl('disable', op.unit);
      else rmSync(path, { force: true });
      try {
        rmdirSync(dirname(path));
      } catch {
        // other units are still wanted there
      }
      return;
    }
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
        const file = join(paths.root, LINGER_DIR, paths.user);
        mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
        writeFileSync(file, '');
      }
      writeFileAtomic(confined(op, paths, LINGER_RECORD, 'file'), '', { overwrite: true, mode: 0o600, durable: false });
      return;
    case 'disable-linger':
      if (runner) {
        const result = await runner('loginctl', ['disable-linger', paths.user]);
        if (result.code !== 0) throw new ApplyError(op, `loginctl disable-linger failed: ${result.stderr.trim()}`);
      } else {
        rmSync(join(paths.root, LINGER_DIR, paths.user), { force: true });
      }
      rmSync(confined(op, paths, LINGER_RECORD, 'file'), { force: true });
      return;
  }
}

/**
 * The confinement rule at the point of use: the path must be one of the fleet's own names, and
 * no directory on the way to it below the config root may be a symbolic link (or not a
 * directory). Returns the absolute path; throws, touching nothing, otherwise.
 */
function confined(op: Op, paths: HostPaths, rel: string, kind: 'file' | 'dir' | 'link'): string {
  const own = kind === 'dir' ? isOwnDir(rel) : kind === 'link' ? isOwnDir(dirname(rel)) && isOwnUnit(basename(rel)) : isOwnFile(rel);
  if (!own) throw new ApplyError(op, `refusing to touch ${onHost(paths, rel)}: it is not one of the fleet's own files`);
  const unsafe = unsafeParent(paths.root + paths.configHome, kind === 'dir' ? `${rel}/x` : rel);
  if (unsafe) throw new ApplyError(op, `refusing to work through ${unsafe.path}: it is ${unsafe.what}${unsafe.what === 'a symbolic link' ? ` (to ${readlinkSync(unsafe.path)})` : ''}`);
  return onHost(paths, rel);
}

/**
 * Creates dir (relative to configHome) and its parents as real directories; confined() has
 * refused any link or non-directory on the way already, and this re-checks what it creates.
 */
function ensureRealDirs(paths: HostPaths, dir: string, mode = 0o700): void {
  const base = paths.root + paths.configHome;
  mkdirSync(base, { recursive: true, mode: 0o700 });
  let current = base;
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of parts) {
    current = join(current, part);
    try {
      const stat = lstatSync(current);
      if (stat.isSymbolicLink()) throw new Error(`${current} is a symbolic link (to ${readlinkSync(current)}); refusing to write through it`);
      if (!stat.isDirectory()) throw new Error(`${current} is not a directory`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(current, { mode });
    }
  }
}

/** A write killed between temporary file and rename leaves one behind in a directory of ours. */
function removeStaleTemporaries(ops: readonly Op[], paths: HostPaths): void {
  const dirs = new Set(ops.filter((op) => op.kind === 'install-file').map((op) => dirname(onHost(paths, (op as { target: string }).target))));
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (name.startsWith(TMP_PREFIX)) rmSync(join(dir, name), { force: true });
  }
}
