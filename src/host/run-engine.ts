import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Artifact } from '../model/artifact.js';
import { processRunner, type CommandResult, type CommandRunner } from './run-command.js';

/**
 * A build held in memory, written out as a bundle for its engine to run: into a fresh private
 * directory (mkdtemp makes it 0700, nothing planted is followed), each file with its mode.
 * Removed by `remove`, whatever happened.
 */
export interface PrivateBundle {
  dir: string;
  remove: () => void;
}

export function writePrivateBundle(files: readonly Pick<Artifact, 'path' | 'text' | 'mode'>[], tmp = tmpdir()): PrivateBundle {
  const dir = mkdtempSync(join(tmp, 'mosaic-gen-bundle-'));
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

export type EngineScript = 'install.sh' | 'uninstall.sh';

/**
 * Runs a bundle script the way a host does (`sh install.sh …`), with the environment of this
 * run of mosaic-gen. DESTDIR goes with it only for a staging root (the engine refuses it online,
 * and status reads the live host).
 */
export function runEngine(bundle: PrivateBundle, script: EngineScript, args: readonly string[], env: Readonly<Record<string, string | undefined>>, staging: boolean, runner?: CommandRunner): Promise<CommandResult> {
  const run = runner ?? processRunner(engineEnv(env, staging));
  return run('sh', [join(bundle.dir, script), ...args]);
}

function engineEnv(env: Readonly<Record<string, string | undefined>>, staging: boolean): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  if (!staging) delete merged.DESTDIR;
  return merged;
}
