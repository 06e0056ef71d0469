/**
 * A two-host fleet shipped by real ansible-core over real ssh to two simulated hosts (two Unix
 * users, each with a real systemd --user manager: test/harness/multi-host.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiHostSupport, startHosts, type SimHost, type SimHosts } from '../harness/multi-host.js';
import { runProcess } from '../harness/user-manager.js';
import { ansibleEnv } from '../support/ansible.js';
import { cli } from '../support/cli.js';
import { listing } from '../support/host.js';
import { FLEET_DIR } from '../../src/model/artifact.js';

const support = multiHostSupport();
if (!support.ok) console.warn(`skipping the Ansible multi-host test: ${support.reason}`);

const SESSION = `duo${process.pid}`;
type Placement = Record<string, 'alpha' | 'beta'>;

function roster(hosts: string[], placement: Placement, reviewerEnv = 'x'): string {
  return `version: 1
fleet: { session: ${SESSION} }
runtimes:
  sleeper: { command: [sleep, "100004"] }
hosts:
${hosts.map((h) => `  ${h}: ${h === 'beta' ? '{ env: { ZONE: b } }' : '{}'}`).join('\n')}
agents:
  - { name: orchestrator, runtime: sleeper, class: orchestrator, host: ${placement.orchestrator} }
  - { name: enhancer, runtime: sleeper, role: enhancer, host: ${placement.enhancer} }
  - { name: coder, runtime: sleeper, role: coder, host: ${placement.coder} }
  - { name: reviewer, runtime: sleeper, role: code-review, host: ${placement.reviewer}, env: { REVIEW: ${reviewerEnv} } }
`;
}

const AGENTS = ['orchestrator', 'enhancer', 'coder', 'reviewer'];

describe.skipIf(!support.ok)('a fleet across two hosts, shipped by ansible-playbook', () => {
  let sim: SimHosts;
  let work: string;
  let alpha: SimHost;
  let beta: SimHost;
  const before = new Map<string, string[]>();
  // Ansible's own ~/.ansible and the test's ~/.ssh aside.
  const home = (host: SimHost) => listing(host.home, (rel) => rel === '.ansible' || rel === '.ssh' || rel === '.local');

  beforeAll(async () => {
    sim = await startHosts(2);
    [alpha, beta] = sim.hosts as [SimHost, SimHost];
    work = join(sim.root, 'work');
    mkdirSync(join(work, 'local'), { recursive: true });
    writeFileSync(join(work, 'inventory'), sim.inventory(['alpha', 'beta']));
    for (const host of sim.hosts) before.set(host.user, home(host));
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  }, 60_000);

  async function build(text: string): Promise<void> {
    writeFileSync(join(work, 'roster.yaml'), text);
    const result = await cli(['build', 'roster.yaml', '-o', 'out'], { cwd: work });
    expect(result.status, result.stderr).toBe(0);
  }

  /** ansible-playbook; returns the recap's changed count per host. */
  async function play(playbook: string, ...args: string[]): Promise<{ changed: Record<string, number>; stdout: string }> {
    const env = ansibleEnv(work);
    const started = Date.now();
    const result = await runProcess('ansible-playbook', ['-i', 'inventory', `out/ansible/${playbook}`, ...args], env, work, undefined, 480_000);
    if (process.env.MOSAIC_ANSIBLE_LOG) writeFileSync(process.env.MOSAIC_ANSIBLE_LOG, `== ${playbook} ${args.join(' ')} (${Date.now() - started} ms)\n${result.stdout}${result.stderr}\n`, { flag: 'a' });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const changed: Record<string, number> = {};
    for (const match of result.stdout.matchAll(/^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0/gm)) changed[match[1]!] = Number(match[2]);
    return { changed, stdout: result.stdout };
  }

  /** Agent → MainPID of its unit on this host, for the agents active there. */
  async function running(host: SimHost): Promise<Record<string, number>> {
    const pids: Record<string, number> = {};
    for (const agent of AGENTS) {
      const shown = await host.systemctl('show', '-p', 'ActiveState,MainPID', `mosaic-agent@${agent}.service`);
      if (shown.stdout.includes('ActiveState=active')) pids[agent] = Number(/MainPID=(\d+)/.exec(shown.stdout)![1]);
    }
    return pids;
  }

  async function mosaicUnits(host: SimHost): Promise<string> {
    const listed = await host.systemctl('list-units', '--all', '--plain', '--no-legend', 'mosaic-*');
    return listed.stdout.trim();
  }

  it('deploys, converges, moves an agent, drops a host and uninstalls', async () => {
    const started = Date.now();
    // Deploy: each host runs its agents and no other.
    await build(roster(['alpha', 'beta'], { orchestrator: 'alpha', coder: 'alpha', enhancer: 'beta', reviewer: 'beta' }));
    const first = await play('fleet.yml');
    expect(first.changed).toEqual({ alpha: expect.any(Number), beta: expect.any(Number) });
    expect(first.changed.alpha).toBeGreaterThan(0);
    expect(first.changed.beta).toBeGreaterThan(0);
    const a1 = await running(alpha);
    const b1 = await running(beta);
    expect(Object.keys(a1).sort()).toEqual(['coder', 'orchestrator']);
    expect(Object.keys(b1).sort()).toEqual(['enhancer', 'reviewer']);
    expect((await beta.run('cat', [`.config/${FLEET_DIR}/env/enhancer.env`])).stdout).toContain('ZONE="b"');

    // Again: nothing changes, nothing restarts.
    const second = await play('fleet.yml');
    expect(second.changed).toEqual({ alpha: 0, beta: 0 });
    expect(await running(alpha)).toEqual(a1);
    expect(await running(beta)).toEqual(b1);

    // Move coder to beta and change reviewer's env: --check reports, changes nothing.
    await build(roster(['alpha', 'beta'], { orchestrator: 'alpha', coder: 'beta', enhancer: 'beta', reviewer: 'beta' }, 'y'));
    const homesBeforeCheck = [home(alpha), home(beta)];
    const check = await play('fleet.yml', '--check', '--diff');
    expect(check.changed.alpha).toBeGreaterThan(0);
    expect(check.changed.beta).toBeGreaterThan(0);
    expect(check.stdout).toMatch(/stop +mosaic-agent@coder\.service/);
    expect(check.stdout).toMatch(/restart +mosaic-agent@reviewer\.service/);
    expect([home(alpha), home(beta)]).toEqual(homesBeforeCheck);
    expect(await running(alpha)).toEqual(a1);
    expect(await running(beta)).toEqual(b1);
    // --limit narrows the play.
    const limited = await play('fleet.yml', '--check', '--limit', 'beta');
    expect(Object.keys(limited.changed)).toEqual(['beta']);

    // The real run: coder stopped and removed on alpha, started on beta; only reviewer restarted.
    const moved = await play('fleet.yml');
    expect(moved.changed).toEqual({ alpha: expect.any(Number), beta: expect.any(Number) });
    expect(moved.changed.alpha! * moved.changed.beta!).toBeGreaterThan(0);
    const a2 = await running(alpha);
    const b2 = await running(beta);
    expect(a2).toEqual({ orchestrator: a1.orchestrator });
    expect(Object.keys(b2).sort()).toEqual(['coder', 'enhancer', 'reviewer']);
    expect(b2.enhancer).toBe(b1.enhancer);
    expect(b2.reviewer).not.toBe(b1.reviewer);
    expect(await mosaicUnits(alpha)).not.toContain('coder');
    expect((await alpha.run('ls', [`.config/${FLEET_DIR}/launch`])).stdout.trim()).toBe('orchestrator.sh');

    // Drop beta from the roster (it stays in the inventory): the fleet is gone there, its home as before.
    await build(roster(['alpha'], { orchestrator: 'alpha', coder: 'alpha', enhancer: 'alpha', reviewer: 'alpha' }, 'y'));
    const dropped = await play('fleet.yml');
    expect(dropped.changed.beta).toBeGreaterThan(0);
    expect(await running(beta)).toEqual({});
    expect(await mosaicUnits(beta)).toBe('');
    expect(home(beta)).toEqual(before.get(beta.user));
    expect(Object.keys(await running(alpha)).sort()).toEqual([...AGENTS].sort());
    expect((await running(alpha)).orchestrator).toBe(a1.orchestrator);

    // uninstall.yml: both homes as before the first deploy.
    const removed = await play('uninstall.yml');
    expect(removed.changed).toEqual({ alpha: expect.any(Number), beta: 0 });
    expect(removed.changed.alpha).toBeGreaterThan(0);
    expect(await mosaicUnits(alpha)).toBe('');
    expect(home(alpha)).toEqual(before.get(alpha.user));
    expect(home(beta)).toEqual(before.get(beta.user));
    console.log(`multi-host walk: ${((Date.now() - started) / 1000).toFixed(1)} s of ansible runs and checks`);
  }, 2_400_000);
});
