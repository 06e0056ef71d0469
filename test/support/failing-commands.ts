import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from './cli.js';

/**
 * Stand-ins for the commands with which the engine changes a host (and asks the manager), on
 * a PATH of their own: each call is counted, the Nth fails (exit 1, as a full disk or a dead
 * manager would), every other runs the real command. `env(n)` makes the Nth call fail; `calls()`
 * says how many there were, so a test can go through every step of a run.
 */
export function failingCommands(names: readonly string[] = ['systemctl', 'loginctl', 'mv', 'rm', 'rmdir', 'mkdir', 'ln']) {
  const dir = tempDir('mosaic-failing-');
  const bin = join(dir, 'bin');
  const counter = join(dir, 'calls');
  const scratch = join(dir, 'tmp');
  mkdirSync(bin);
  mkdirSync(scratch);
  for (const name of names) {
    const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    const run = real ? `exec ${real} "$@"` : 'exit 0';
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\nn=0\nif [ -s "${counter}" ]; then read -r n <"${counter}"; fi\nn=$((n + 1))\necho "$n" >"${counter}"\nif [ "$n" = "\${MOSAIC_FAIL_AT:-0}" ]; then\n  echo "stand-in ${name}: call $n fails" >&2\n  exit 1\nfi\n${run}\n`,
    );
    chmodSync(join(bin, name), 0o755);
  }
  return {
    env: (n: number): Record<string, string> => {
      writeFileSync(counter, '0\n');
      // A failing rm leaves the run's scratch directory: in a temp dir of the test's own.
      return { PATH: `${bin}:${process.env.PATH}`, MOSAIC_FAIL_AT: String(n), TMPDIR: scratch };
    },
    calls: (): number => Number(spawnSync('cat', [counter], { encoding: 'utf8' }).stdout.trim() || 0),
  };
}
