/**
 * Issue 27 through the Ansible playbook: a change to a working agent, shipped by real
 * ansible-core over real ssh to a simulated host (test/harness/multi-host.ts), installs at once,
 * leaves the working agent running and restart-pending, and the host restarts it once it turns
 * idle, in its recorded session. The agent is the stand-in Claude Code of activity.test.ts.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleEnv, multiHostSupport, startHosts, type SimHost, type SimHosts } from '../harness/multi-host.js';
import { runProcess } from '../harness/user-manager.js';
import { BIN, REPO, cli } from '../support/cli.js';
import { until } from '../support/host.js';

const support = multiHostSupport();
if (!support.ok) console.warn(`skipping the Ansible activity test: ${support.reason}`);

const SESSION = `act${process.pid}`;
const roster = (version: number) => `version: 1
fleet: { session: ${SESSION}, path: [~/bin] }
hosts: { alpha: {} }
runtimes:
  sleeper: { command: [sleep, "100021"] }
agents:
  - { name: orchestrator, runtime: claude, class: orchestrator, host: alpha, env: { V: '${version}' } }
  - { name: enhancer, runtime: sleeper, role: enhancer, host: alpha }
`;

interface Row {
  name: string;
  pid: number | null;
  activity: { state: string };
  flags: string[];
}

describe.skipIf(!support.ok)('a change that waits for an idle agent, shipped by ansible-playbook', () => {
  let sim: SimHosts;
  let alpha: SimHost;
  let work: string;

  beforeAll(async () => {
    sim = await startHosts(1);
    alpha = sim.hosts[0]!;
    work = join(sim.root, 'work');
    mkdirSync(join(work, 'local'), { recursive: true });
    writeFileSync(join(work, 'inventory'), sim.inventory(['alpha']));
    const bin = join(alpha.home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude'), `#!/bin/sh\nexec ${process.execPath} ${join(REPO, 'test/support/stand-in-claude.mjs')} "$@"\n`);
    chmodSync(join(bin, 'claude'), 0o755);
    for (const path of [bin, join(bin, 'claude')]) chownSync(path, alpha.uid, alpha.gid);
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  }, 60_000);

  const mosaic = (...args: string[]) => alpha.run(process.execPath, [BIN, ...args], 60_000);
  const row = async (name: string) => (JSON.parse((await mosaic('status', '--json')).stdout || '{"agents":[]}') as { agents: Row[] }).agents.find((a) => a.name === name)!;

  async function ship(version: number): Promise<string> {
    writeFileSync(join(work, 'roster.yaml'), roster(version));
    const built = await cli(['build', 'roster.yaml', '-o', 'out'], { cwd: work });
    expect(built.status, built.stderr).toBe(0);
    const env = ansibleEnv(work);
    const result = await runProcess('ansible-playbook', ['-i', 'inventory', 'out/ansible/fleet.yml', '-v'], env, work, undefined, 480_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  }

  it('the playbook installs at once; the working agent keeps running, restart-pending, and restarts in its session once idle', async () => {
    await ship(1);
    await until('orchestrator idle', async () => (await row('orchestrator'))?.activity.state === 'idle', 60_000);
    const session = (await alpha.run('cat', ['.local/state/mosaic/orchestrator.session'])).stdout.trim();
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const sent = await mosaic('send', 'orchestrator', 'work 90: a long task', '--verify');
    expect(sent.code, sent.stderr).toBe(0);
    const before = await row('orchestrator');

    const played = await ship(2);
    expect(played).toMatch(/orchestrator is working: its restart waits until it is idle/);
    const during = await row('orchestrator');
    expect(during).toMatchObject({ pid: before.pid, flags: ['restart-pending'], activity: { state: 'working' } });

    const after = await until('orchestrator restarted once idle', async () => {
      const r = await row('orchestrator');
      return r.pid && r.pid !== before.pid && r.flags.length === 0 ? r : undefined;
    }, 180_000);
    const args = (await alpha.run('cat', [`/proc/${after.pid}/cmdline`])).stdout.split('\0');
    expect(args).toEqual(expect.arrayContaining(['--resume', session]));
  }, 600_000);
});
