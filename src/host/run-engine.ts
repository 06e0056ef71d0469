import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Artifact } from '../model/artifact.js';
import { alive } from './file-lock.js';
import { processRunner, type CommandResult, type CommandRunner } from './run-command.js';

/**
 * A build held in memory, written out as a bundle for its engine to run: into a fresh private
 * directory (mkdtemp makes it 0700; nothing planted is followed), each file with its mode, in
 * the user's runtime directory where there is one (a tmpfs of the user's own). Removed by
 * `remove`; one left by a run that was killed is removed by the next run.
 */
export interface PrivateBundle {
  dir: string;
  remove: () => void;
}

const PREFIX = 'mosaic-gen-bundle-';

export function writePrivateBundle(files: readonly Pick<Artifact, 'path' | 'text' | 'mode'>[], env: Readonly<Record<string, string | undefined>>): PrivateBundle {
  const runtime = env.XDG_RUNTIME_DIR;
  const parent = runtime && isAbsolute(runtime) ? runtime : tmpdir();
  sweepBundles(parent);
  const dir = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    for (const file of files) {
      const path = join(dir, file.path);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, file.text, { mode: file.mode, flag: 'wx' });
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/** Bundles of runs whose process is gone (killed before it could remove its own). */
function sweepBundles(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^\d+/.exec(name.slice(PREFIX.length))?.[0]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || alive(pid)) continue;
    // Only a directory of this user's own (never a link, never another user's in a shared /tmp).
    try {
      const found = lstatSync(join(parent, name));
      if (!found.isDirectory() || found.uid !== process.getuid?.()) continue;
    } catch {
      continue;
    }
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

export type EngineScript = 'install.sh' | 'uninstall.sh';

/**
 * Where an engine run works: `online` asks the user manager (no DESTDIR: the engine refuses it);
 * `offline` works on files only, under the run's DESTDIR when it has one; `files` reads this
 * host's own files only (status: the live config, whatever DESTDIR says).
 */
export type EngineWhere = 'online' | 'offline' | 'files';

/** Runs a bundle script the way a host does (`sh install.sh …`), with this run's environment. */
export function runEngine(bundle: PrivateBundle, script: EngineScript, args: readonly string[], env: Readonly<Record<string, string | undefined>>, where: EngineWhere, runner?: CommandRunner): Promise<CommandResult> {
  const run = runner ?? processRunner(engineEnv(env, where));
  return run('sh', [join(bundle.dir, script), ...(where === 'online' ? [] : ['--offline']), ...args]);
}

/** Where the fleet is comes from the command's own environment alone, never from elsewhere. */
const WHERE = ['HOME', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'USER', 'LOGNAME', 'DESTDIR'];

function engineEnv(env: Readonly<Record<string, string | undefined>>, where: EngineWhere): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const key of WHERE) delete merged[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  // The engine takes DESTDIR=/ for this host's own files, offline.
  if (where === 'online') delete merged.DESTDIR;
  else if (where === 'files' || !merged.DESTDIR) merged.DESTDIR = '/';
  return merged;
}
