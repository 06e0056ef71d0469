/**
 * A two-host fleet shipped by real ansible-core over real ssh to two simulated hosts (two Unix
 * users, each with a real systemd --user manager: test/harness/multi-host.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleEnv, multiHostSupport, startHosts, type SimHost, type SimHosts } from '../harness/multi-host.js';
import { runProcess } from '../harness/user-manager.js';
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

  /** ansible-playbook, whatever its outcome. */
  async function playRaw(playbook: string, ...args: string[]) {
    const started = Date.now();
    const result = await runProcess('ansible-playbook', ['-i', 'inventory', `out/ansible/${playbook}`, ...args], ansibleEnv(work), work, undefined, 480_000);
    if (process.env.MOSAIC_ANSIBLE_LOG) writeFileSync(process.env.MOSAIC_ANSIBLE_LOG, `== ${playbook} ${args.join(' ')} (${Date.now() - started} ms)\n${result.stdout}${result.stderr}\n`, { flag: 'a' });
    return result;
  }

  /** ansible-playbook; returns the recap's changed count per host. */
  async function play(playbook: string, ...args: string[]): Promise<{ changed: Record<string, number>; stdout: string }> {
    const result = await playRaw(playbook, ...args);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const changed: Record<string, number> = {};
    for (const match of result.stdout.matchAll(/^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0/gm)) changed[match[1]!] = Number(match[2]);
    return { changed, stdout: result.stdout };
  }

  /** Agent → MainPID of its unit on this host, for the agents active there. */
  async function running(host: SimHost, agents = AGENTS): Promise<Record<string, number>> {
    const pids: Record<string, number> = {};
    for (const agent of agents) {
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
    // Its bundle, the marker beside it and the directory made for them, too.
    expect(existsSync(join(beta.home, '.local', 'share', 'mosaic-gen'))).toBe(false);
    expect(Object.keys(await running(alpha)).sort()).toEqual([...AGENTS].sort());
    expect((await running(alpha)).orchestrator).toBe(a1.orchestrator);

    // uninstall.yml: both homes as before the first deploy.
    const removed = await play('uninstall.yml');
    expect(removed.changed).toEqual({ alpha: expect.any(Number), beta: 0 });
    expect(removed.changed.alpha).toBeGreaterThan(0);
    expect(await mosaicUnits(alpha)).toBe('');
    expect(home(alpha)).toEqual(before.get(alpha.user));
    expect(home(beta)).toEqual(before.get(beta.user));
    expect(existsSync(join(alpha.home, '.local', 'share', 'mosaic-gen'))).toBe(false);
    console.log(`multi-host walk: ${((Date.now() - started) / 1000).toFixed(1)} s of ansible runs and checks`);
  }, 2_400_000);

  it('a pool over both hosts, status -i across them, and hosts refused with nothing changed', async () => {
    const pool = (replicas: number) => `version: 1
fleet: { session: ${SESSION} }
runtimes:
  sleeper: { command: [sleep, "100004"] }
hosts:
  alpha: {}
  beta: {}
agents:
  - { name: orchestrator, runtime: sleeper, class: orchestrator, host: alpha }
  - { name: enhancer, runtime: sleeper, role: enhancer, host: beta }
  - { name: coder, runtime: sleeper, role: coder, replicas: ${replicas}, host: [alpha, beta] }
`;
    const POOL = ['orchestrator', 'enhancer', 'coder-1', 'coder-2', 'coder-3'];
    const whole = (host: SimHost) => listing(host.home, (rel) => rel === '.ansible' || rel === '.ssh');
    const status = (...args: string[]) => cli(['status', ...args], { cwd: work, env: ansibleEnv(work) });
    await build(pool(3));

    // No runtime directory (no linger, no login session): the play says what alpha needs and
    // changes nothing there; beta converges.
    const runtime = `/run/user/${alpha.uid}`;
    const alphaBefore = whole(alpha);
    expect((await sim.asRoot('mv -T -- "$1" "$1.hidden"', [runtime])).code).toBe(0);
    let noRuntime: Awaited<ReturnType<typeof playRaw>>;
    try {
      noRuntime = await playRaw('fleet.yml');
    } finally {
      expect((await sim.asRoot('mv -T -- "$1.hidden" "$1"', [runtime])).code).toBe(0);
    }
    expect(noRuntime.code).not.toBe(0);
    expect(noRuntime.stdout).toMatch(new RegExp(`fatal: \\[alpha\\]: FAILED!.*${runtime}, the runtime directory of ${alpha.user}'s user manager, is missing.*Enable linger for ${alpha.user} \\(as root: loginctl enable-linger ${alpha.user}\\).*login session.*nothing was changed on this host`));
    expect(noRuntime.stdout).not.toMatch(/cannot create/);
    expect(whole(alpha)).toEqual(alphaBefore);
    expect(Object.keys(await running(beta, POOL)).sort()).toEqual(['coder-2', 'enhancer']);
    // A host without a fleet is a row of its own, and no fault.
    const half = await status('-i', 'inventory');
    expect(half.status, half.stdout + half.stderr).toBe(0);
    expect(half.stdout).toMatch(/^alpha +- +- +no fleet installed( +-){5} +no bundle in ~\/\.local\/share\/mosaic-gen\/bundle/m);
    expect(half.stdout).toMatch(/\nhealthy: 2 of 2 agents active on 2 hosts, 0 flagged\.\n$/);

    // The pool, round-robin: coder-1 and coder-3 on alpha, coder-2 on beta.
    await play('fleet.yml');
    expect(Object.keys(await running(alpha, POOL)).sort()).toEqual(['coder-1', 'coder-3', 'orchestrator']);
    expect(Object.keys(await running(beta, POOL)).sort()).toEqual(['coder-2', 'enhancer']);

    // status -i: one table over both hosts, one verdict.
    const healthy = await status('-i', 'inventory');
    expect(healthy.status, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/^HOST +AGENT +LIFE +STATE +ACTIVITY +PID/);
    for (const [host, agent] of [['alpha', 'orchestrator'], ['alpha', 'coder-1'], ['alpha', 'coder-3'], ['beta', 'enhancer'], ['beta', 'coder-2']]) {
      expect(healthy.stdout).toMatch(new RegExp(`^${host} +${agent} +always +active +\\S+ +\\d+ `, 'm'));
    }
    expect(healthy.stdout).toMatch(/\nhealthy: 5 of 5 agents active on 2 hosts, 0 flagged\.\n$/);
    const json = JSON.parse((await status('-i', 'inventory', '--json')).stdout) as { healthy: boolean; agents: { host: string; name: string; pid: number | null }[] };
    expect(json.healthy).toBe(true);
    expect(json.agents.map((a) => `${a.host}/${a.name}`).sort()).toEqual(['alpha/coder-1', 'alpha/coder-3', 'alpha/orchestrator', 'beta/coder-2', 'beta/enhancer']);
    expect(json.agents.every((a) => typeof a.pid === 'number')).toBe(true);
    const limited = await status('-i', 'inventory', '--limit', 'beta');
    expect(limited.status).toBe(0);
    expect(limited.stdout).not.toMatch(/^alpha/m);

    // An agent stopped on one host: exit 3, naming the host and the agent.
    await beta.systemctl('stop', 'mosaic-agent@coder-2.service');
    const stopped = await status('-i', 'inventory');
    expect(stopped.status, stopped.stdout + stopped.stderr).toBe(3);
    expect(stopped.stdout).toMatch(/^beta +coder-2 +always +inactive/m);
    expect(stopped.stdout).toMatch(/\nunhealthy: 4 of 5 agents active on 2 hosts, 0 flagged; beta coder-2: not running\.\n$/);
    await beta.systemctl('start', 'mosaic-agent@coder-2.service');

    // A host nothing answers for: a row of its own, unreachable, exit 3.
    writeFileSync(join(work, 'inventory-down'), sim.inventory(['alpha', 'beta'], { beta: 1 }));
    const down = await status('-i', 'inventory-down');
    expect(down.status, down.stdout + down.stderr).toBe(3);
    expect(down.stdout).toMatch(/^beta +- +- +unreachable( +-){5} +\S/m);
    expect(down.stdout).toMatch(/^alpha +coder-1 +always +active/m);
    expect(down.stdout).toMatch(/; beta: unreachable: /);

    // replicas: 2 stops and removes coder-3 alone; nothing else restarts.
    const since = async (host: SimHost, agents: string[]) => {
      const shown: Record<string, string> = {};
      for (const agent of agents) shown[agent] = (await host.systemctl('show', '-p', 'MainPID,ActiveEnterTimestamp', `mosaic-agent@${agent}.service`)).stdout;
      return shown;
    };
    const alphaSince = await since(alpha, ['orchestrator', 'coder-1']);
    const betaSince = await since(beta, ['enhancer', 'coder-2']);
    await build(pool(2));
    await play('fleet.yml');
    expect(Object.keys(await running(alpha, POOL)).sort()).toEqual(['coder-1', 'orchestrator']);
    expect(await mosaicUnits(alpha)).not.toContain('coder-3');
    expect((await alpha.run('ls', [`.config/${FLEET_DIR}/launch`])).stdout.trim().split('\n')).toEqual(['coder-1.sh', 'orchestrator.sh']);
    expect(await since(alpha, ['orchestrator', 'coder-1'])).toEqual(alphaSince);
    expect(await since(beta, ['enhancer', 'coder-2'])).toEqual(betaSince);

    // A symlinked bundle directory, then a link inside a real one: refused, and every file
    // behind the link as it was; the host's fleet untouched.
    await build(pool(3));
    const bundle = '.local/share/mosaic-gen/bundle';
    expect((await alpha.run('sh', ['-c', `set -e; mkdir -p work-fleet/.git/objects; echo r > work-fleet/roster.yaml; echo n > work-fleet/notes.txt; echo o > work-fleet/.git/objects/ab; mv -T ${bundle} ${bundle}.real; ln -s "$HOME/work-fleet" ${bundle}`])).code).toBe(0);
    const userFiles = listing(join(alpha.home, 'work-fleet'));
    const fleetFiles = listing(join(alpha.home, '.config', FLEET_DIR));
    const linked = await playRaw('fleet.yml');
    expect(linked.code).not.toBe(0);
    expect(linked.stdout).toMatch(/fatal: \[alpha\]: FAILED!.*bundle is a symbolic link: mosaic-gen writes and removes nothing through a link.*nothing was changed on this host/);
    expect(listing(join(alpha.home, 'work-fleet'))).toEqual(userFiles);
    expect(listing(join(alpha.home, '.config', FLEET_DIR))).toEqual(fleetFiles);
    expect((await alpha.run('readlink', [bundle])).stdout.trim()).toBe(join(alpha.home, 'work-fleet'));
    expect(await running(alpha, POOL)).toEqual(await running(alpha, ['orchestrator', 'coder-1']));
    expect((await alpha.run('sh', ['-c', `set -e; rm ${bundle}; mv -T ${bundle}.real ${bundle}; ln -s "$HOME/work-fleet" ${bundle}/notes`])).code).toBe(0);
    const inside = await playRaw('fleet.yml');
    expect(inside.stdout).toMatch(/fatal: \[alpha\]: FAILED!.*bundle\/notes is a symbolic link inside the bundle directory.*nothing was changed on this host/);
    expect(listing(join(alpha.home, 'work-fleet'))).toEqual(userFiles);
    expect(listing(join(alpha.home, '.config', FLEET_DIR))).toEqual(fleetFiles);
    // The link gone, the next run ships and converges.
    expect((await alpha.run('rm', [`${bundle}/notes`])).code).toBe(0);
    await play('fleet.yml');
    expect(Object.keys(await running(alpha, POOL)).sort()).toEqual(['coder-1', 'coder-3', 'orchestrator']);
    expect(listing(join(alpha.home, 'work-fleet'))).toEqual(userFiles);
  }, 1_200_000);
});
