/**
 * The first step of `npm test` (scripts/setup-system.mjs): it finds a missing tool through PATH
 * and, when it cannot install it (not root), names the exact command and fails before any test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support/cli.js';

const work = tempDir('mosaic-gen-setup-');
chmodSync(work, 0o755); // the script runs as nobody
// Run from a copy nobody can read: the checkout may sit where other users cannot enter (a clone
// under /root or a `mktemp -d`, 0700). The script imports only Node's own modules.
const SCRIPT = join(work, 'setup-system.mjs');
copyFileSync(join(REPO, 'scripts', 'setup-system.mjs'), SCRIPT);
chmodSync(SCRIPT, 0o644);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH that has everything of /usr/bin and /usr/sbin but `hidden`, like a machine without it. */
function pathWithout(hidden: string): string {
  const bin = join(work, `without-${hidden}`);
  mkdirSync(bin);
  for (const dir of ['/usr/bin', '/usr/sbin']) {
    for (const name of readdirSync(dir)) {
      if (name === hidden) continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        /* the same name in both: the first wins, as on PATH */
      }
    }
  }
  return bin;
}

/** Runs the setup script as an unprivileged user (it may never reach apt-get), with this PATH. */
function setupAsUser(path: string) {
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  return spawnSync(asUser[0]!, [...asUser.slice(1), SCRIPT], { cwd: '/', env: { PATH: path, HOME: work }, encoding: 'utf8' });
}

describe('setup-system (the first step of npm test)', () => {
  it('passes quietly on a machine with every tool', () => {
    const r = setupAsUser(process.env.PATH!);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('without shellcheck on PATH, names the exact apt-get command and fails', () => {
    const r = setupAsUser(pathWithout('shellcheck'));
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('setup: the tests need shellcheck, missing here.\nsetup: install them with:\n  sudo apt-get update && sudo apt-get install -y shellcheck\n');
    expect(r.status).toBe(1);
  });

  it('names every missing package once, sorted', () => {
    const bin = pathWithout('tmux');
    for (const tool of ['unshare', 'nsenter']) unlinkSync(join(bin, tool));
    const r = setupAsUser(bin);
    expect(r.stderr).toContain('\n  sudo apt-get update && sudo apt-get install -y tmux util-linux\n');
    expect(r.status).toBe(1);
  });
});
