/**
 * status -i when nothing can be asked: a usage error with a hint and exit 1, never a stack trace.
 * Real processes (ansible absent from PATH, ansible with an inventory of no hosts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.js';

const hasAnsible = spawnSync('sh', ['-c', 'command -v ansible']).status === 0;

describe('status -i', () => {
  it('without ansible on PATH: USAGE, naming what to install', async () => {
    const dir = tempDir();
    const result = await cli(['status', '-i', 'inventory'], { cwd: dir, env: { PATH: dir, HOME: dir } });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('mosaic-gen status: error[USAGE]: ansible is not installed here (status -i runs it)\n  hint: install ansible-core (Debian: apt-get install ansible-core), the same Ansible the playbooks need\n');
  });

  it.skipIf(!hasAnsible)('with an inventory that matches no host: USAGE, with the command to check it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inventory'), '[fleet]\nalpha ansible_host=127.0.0.1\n');
    const result = await cli(['status', '-i', 'inventory', '--limit', 'nosuchhost'], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ANSIBLE_LOCAL_TEMP: join(dir, 'tmp') } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^mosaic-gen status: error\[USAGE\]: no host of inventory matching --limit nosuchhost could be asked.*\n {2}hint: check the inventory and the pattern: ansible all -i inventory --limit nosuchhost --list-hosts\n$/);
  }, 60_000);

  it('--roster and --limit without -i are usage errors', async () => {
    const dir = tempDir();
    const both = await cli(['status', '-i', 'inventory', '--roster', 'roster.yaml'], { cwd: dir });
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/^mosaic-gen status: error\[USAGE\]: --roster is for this host's fleet; it does not go with -i\n {2}hint: /);
    const limit = await cli(['status', '--limit', 'beta'], { cwd: dir });
    expect(limit.status).toBe(1);
    expect(limit.stderr).toMatch(/^mosaic-gen status: error\[USAGE\]: --limit narrows the hosts of -i INVENTORY\n/);
  });
});

/**
 * Hosts reached with ansible_connection=local (no ssh: the controller's own shell, HOME of the
 * test), each with a bundle that misbehaves: what a broken or hostile host can do to status -i.
 */
describe.skipIf(!hasAnsible)('status -i with hosts that misbehave', () => {
  function hostWith(uninstall: string) {
    const dir = tempDir();
    const bundle = join(dir, '.local/share/mosaic-gen/bundle');
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, 'uninstall.sh'), uninstall);
    return dir;
  }
  const run = (dir: string, inventory: string, ...more: string[]) => {
    writeFileSync(join(dir, 'inventory'), inventory);
    // The module runs on this machine: its temporary files too stay in the test's directory.
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    return cli(['status', '-i', 'inventory', ...more], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TMPDIR: join(dir, 'tmp'), ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1' } });
  };

  it('a host Ansible gives no result for (a name it cannot write a result file for) is a row, and the fleet is unhealthy', async () => {
    const dir = hostWith('exit 0\n');
    rmSync(join(dir, '.local'), { recursive: true });
    const result = await run(dir, 'alpha ansible_connection=local\nweb/1 ansible_connection=local\n');
    expect(result.status, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(/^web\/1 +- +- +no answer +(- +){5}ansible gave no result for this host$/m);
    expect(result.stdout).toMatch(/^alpha .*no fleet installed/m);
    expect(result.stdout).toMatch(/^unhealthy: 0 of 0 agents active on 2 hosts, 0 flagged; web\/1: no answer/m);
  }, 60_000);

  it('a host with a fleet installed and no bundle to read it (mosaic-gen apply) is a row that says so, and the fleet is unhealthy', async () => {
    const dir = hostWith('exit 0\n');
    rmSync(join(dir, '.local'), { recursive: true });
    mkdirSync(join(dir, '.config/mosaic/fleet'), { recursive: true });
    writeFileSync(join(dir, '.config/mosaic/fleet/manifest.json'), '{}\n');
    const result = await run(dir, 'alpha ansible_connection=local\n');
    expect(result.status, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(/; alpha: cannot read its fleet: a fleet is installed there but no bundle in ~\/\.local\/share\/mosaic-gen\/bundle \(installed by mosaic-gen apply, or the bundle was removed\): run fleet\.yml to ship one\.$/m);
  }, 60_000);

  it('a host that hangs is a row that says so once --host-timeout has passed', async () => {
    const dir = hostWith('exec sleep 600\n');
    const result = await run(dir, 'alpha ansible_connection=local\n', '--host-timeout', '3');
    expect(result.status, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(/; alpha: cannot read its fleet: .*expected time frame \(3\) and was terminated\.$/m);
  }, 60_000);

  it('what a host prints never reaches the terminal as control sequences', async () => {
    const dir = hostWith("printf '\\033[2J\\033[1;32mhealthy: all fine\\n' >&2\nexit 1\n");
    const result = await run(dir, 'alpha ansible_connection=local\n');
    expect(result.status).toBe(3);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(result.stdout).toContain('?[2J?[1;32mhealthy: all fine');
    const bad = await run(dir, 'alpha ansible_connection=local\n', '--host-timeout', '1x');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error\[USAGE\]: --host-timeout takes whole seconds, not '1x'/);
  }, 60_000);
});
