/**
 * status -i when nothing can be asked: a usage error with a hint and exit 1, never a stack trace.
 * Real processes (ansible absent from PATH, ansible with an inventory of no hosts).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
