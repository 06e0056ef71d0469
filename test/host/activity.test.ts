/**
 * Agents keep their work (issue 27), on a REAL user manager with real tmux: a stand-in Claude
 * Code on PATH (test/support/stand-in-claude.mjs: it parses --settings and runs its hooks as
 * Claude Code documents them, reads messages from its terminal, works a few seconds on each,
 * honours --resume) and a stand-in silent runtime read by pane silence. Activity in status,
 * send with receipts and a queue, attach --read-only that never resizes, and changes that wait
 * for an idle agent, which then comes back in its recorded session.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { BIN, REPO, tempDir } from '../support/cli.js';
import { describeHost, mosaic, until } from '../support/host.js';
import { buildRoster, cmdline, mkdirP, ok, runScript } from './host-support.js';

const SESSION = 'actfleet';
const roster = (extra: { orchestrator?: string; enhancer?: string; fleet?: string } = {}) => `version: 1
fleet: { linger: false, session: ${SESSION}, path: [~/bin], restartGap: 4${extra.fleet ?? ''} }
runtimes:
  silent: { command: [sh, -c, 'while IFS= read -r line; do echo "got: $line"; done'], report: { silence: 2 } }
agents:
  - { name: orchestrator, runtime: claude, class: orchestrator, args: [--work, '4']${extra.orchestrator ?? ''} }
  - { name: enhancer, runtime: claude, role: enhancer, args: [--work, '4']${extra.enhancer ?? ''} }
  - { name: deaf, runtime: claude, args: [--deaf] }
  - { name: quiet, runtime: silent }
`;

interface Row {
  name: string;
  state: string;
  pid: number | null;
  activity: { state: string; since: number | null; source: string | null };
  flags: string[];
}

describeHost('activity, send and changes that wait for an idle agent, on a real user manager', () => {
  let m: UserManager;
  let work: string;
  const status = async () => {
    const r = await mosaic(m, work, 'status', '--json');
    return (JSON.parse(r.stdout || '{"agents":[]}') as { agents: Row[] }).agents;
  };
  const row = async (name: string) => (await status()).find((a) => a.name === name)!;
  const activity = async (name: string) => (await row(name)).activity.state;
  const idle = (name: string, timeout = 30_000) => until(`${name} idle`, async () => (await activity(name)) === 'idle', timeout);
  const recorded = (name: string) => readFileSync(join(m.home, '.local/state/mosaic', `${name}.session`), 'utf8').trim();
  const apply = (yaml: string, ...args: string[]) => {
    writeFileSync(join(work, 'roster.yaml'), yaml);
    return mosaic(m, work, 'apply', '--yes', ...args);
  };

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-activity-');
    mkdirP(join(m.home, 'bin'));
    writeFileSync(join(m.home, 'bin', 'claude'), `#!/bin/sh\nexec ${process.execPath} ${join(REPO, 'test/support/stand-in-claude.mjs')} "$@"\n`);
    chmodSync(join(m.home, 'bin', 'claude'), 0o755);
    ok(await apply(roster()), 'apply');
    for (const name of ['orchestrator', 'enhancer', 'deaf', 'quiet']) await idle(name);
  }, 120_000);
  afterAll(async () => {
    await m?.stop();
  });

  it('status: idle from the SessionStart hook, working within 2 s of send, idle after; the session id recorded', async () => {
    const before = await row('orchestrator');
    expect(before.activity).toMatchObject({ state: 'idle', source: 'hooks' });
    expect(recorded('orchestrator')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await mosaic(m, work, 'status');
    expect(text.stdout).toMatch(/^AGENT +LIFE +STATE +ACTIVITY /);
    expect(text.stdout).toMatch(/\norchestrator +always +active +idle /);
    ok(await mosaic(m, work, 'send', 'orchestrator', 'first task\nwith a second line'), 'send');
    const sent = Math.floor(Date.now() / 1000);
    const working = await until('orchestrator working', async () => {
      const r = await row('orchestrator');
      return r.activity.state === 'working' ? r.activity : undefined;
    }, 10_000);
    // Working within 2 s of the message (the reporter's own clock, in whole seconds).
    expect(working.since! - sent).toBeLessThanOrEqual(2);
    expect(working.source).toBe('hooks');
    const pane = await m.run('tmux', ['-L', SESSION, 'capture-pane', '-p', '-t', `=${SESSION}:=orchestrator`]);
    // One message, its two lines as text: the paste was bracketed, Enter came on its own.
    expect(pane.stdout).toContain('working on: first task');
    await idle('orchestrator');
  });

  it('send --verify: 0 for an agent that takes the message, 1 (with what it saw) for one that ignores input, and for a silent runtime its window', async () => {
    const taken = await mosaic(m, work, 'send', 'enhancer', 'verify me', '--verify');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^enhancer: sent; working after \d+\.\d s \(hooks\)\n$/);
    const ignored = await mosaic(m, work, 'send', 'deaf', 'anyone there?', '--verify');
    expect(ignored.code).toBe(1);
    expect(ignored.stderr).toMatch(/deaf: sent, but not taken within 5 s: its hooks still say idle/);
    const quiet = await mosaic(m, work, 'send', 'quiet', 'hello quiet', '--verify');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/quiet: sent; (its window changed|working)/);
    await until('quiet working, then idle by silence', async () => (await row('quiet')).activity.source === 'silence' && (await activity('quiet')) === 'idle', 20_000);
    await idle('enhancer');
    // The message from standard input: `-`.
    const piped = await m.run(process.execPath, [BIN, 'send', 'enhancer', '-', '--verify'], { cwd: work, input: 'from a pipe\n', timeoutMs: 60_000 });
    expect(piped.code, piped.stderr).toBe(0);
    await until('the piped message taken', async () => (await m.run('tmux', ['-L', SESSION, 'capture-pane', '-p', '-t', `=${SESSION}:=enhancer`])).stdout.includes('working on: from a pipe'));
    await idle('enhancer');
  });

  it('a message to a working agent is refused, or queued and typed by its supervisor when it turns idle', async () => {
    ok(await mosaic(m, work, 'send', 'enhancer', 'long job'), 'send');
    await until('enhancer working', async () => (await activity('enhancer')) === 'working');
    const refused = await mosaic(m, work, 'send', 'enhancer', 'meanwhile');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error\[BUSY\]: agent 'enhancer' is working[\s\S]*--queue/);
    const queued = await mosaic(m, work, 'send', 'enhancer', 'queued job', '--queue');
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/enhancer: queued/);
    await until('the queued message typed after the first turn', async () => {
      const pane = await m.run('tmux', ['-L', SESSION, 'capture-pane', '-p', '-t', `=${SESSION}:=enhancer`]);
      return pane.stdout.includes('done: long job') && pane.stdout.includes('working on: queued job');
    }, 30_000);
    await idle('enhancer');
  });

  it('attach --read-only never resizes the agent window', async () => {
    const size = async () => (await m.run('tmux', ['-L', SESSION, 'display-message', '-p', '-t', `=${SESSION}:=deaf`, '#{window_width}x#{window_height}'])).stdout.trim();
    const before = await size();
    const driver = `drv${process.pid}`;
    ok(await m.run('tmux', ['-L', driver, '-f', '/dev/null', 'new-session', '-d', '-x', '151', '-y', '47', process.execPath, BIN, 'attach', 'deaf', '--read-only'], { cwd: work }), 'driver');
    try {
      const flags = await until('a read-only client', async () => {
        const r = await m.run('tmux', ['-L', SESSION, '-f', '/dev/null', 'list-clients', '-F', '#{client_flags}']);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      });
      expect(flags).toMatch(/ignore-size/);
      expect(flags).toMatch(/read-only/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await size()).toBe(before);
    } finally {
      await m.run('tmux', ['-L', driver, 'kill-server']);
    }
  });

  /** Starts a turn of N seconds and waits until the agent works on it. */
  const busy = async (name: string, seconds: number) => {
    ok(await mosaic(m, work, 'send', name, `work ${seconds}: a long task`), 'send');
    await until(`${name} working`, async () => (await activity(name)) === 'working');
  };
  const activityFile = (name: string) => join(m.runtimeDir, 'mosaic-fleet', SESSION, 'agents', name);
  const activeSince = async (name: string) => Number((await m.systemctl('show', '--timestamp=unix', '-P', 'ActiveEnterTimestamp', `mosaic-agent@${name}.service`)).stdout.trim().replace(/^@/, ''));
  let version = 0;
  const changed = (...names: Array<'orchestrator' | 'enhancer'>) => {
    version++;
    return Object.fromEntries(names.map((name) => [name, `, env: { V: '${version}' }`]));
  };

  it('a change to a working agent: apply returns at once, the agent keeps its PID and is restart-pending, then restarts within 5 s of turning idle, resuming its session', async () => {
    await idle('orchestrator');
    const id = recorded('orchestrator');
    await busy('orchestrator', 12);
    const before = await row('orchestrator');
    const started = Date.now();
    const applied = await apply(roster(changed('orchestrator')));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/restart +mosaic-agent@orchestrator\.service \(when idle: waits while it works\)/);
    expect(applied.stdout).toMatch(/orchestrator is working: its restart waits until it is idle/);
    expect(Date.now() - started).toBeLessThan(12_000);
    const during = await row('orchestrator');
    expect(during).toMatchObject({ pid: before.pid, flags: ['restart-pending'] });
    expect(during.activity.state).toBe('working');
    // When it turned idle (the reporter's own time, read as often as it can change), and when
    // its unit started again.
    let idleSince = 0;
    const watch = setInterval(() => {
      const text = existsSync(activityFile('orchestrator')) ? readFileSync(activityFile('orchestrator'), 'utf8') : '';
      if (text.startsWith('idle ') && idleSince === 0) idleSince = Number(text.split(' ')[1]);
    }, 20);
    const after = await until('orchestrator restarted', async () => {
      const r = await row('orchestrator');
      return r.pid && r.pid !== before.pid && r.activity.state === 'idle' ? r : undefined;
    }, 60_000).finally(() => clearInterval(watch));
    expect(idleSince).toBeGreaterThan(0);
    expect((await activeSince('orchestrator')) - idleSince).toBeLessThanOrEqual(5);
    expect(cmdline(after.pid!)).toEqual(expect.arrayContaining(['--resume', id]));
    expect(after.flags).toEqual([]);
  });

  it('--now restarts a working agent at once; --wait 30s returns after the restart that waited', async () => {
    await busy('orchestrator', 20);
    const before = await row('orchestrator');
    ok(await apply(roster(changed('orchestrator')), '--now'), 'apply --now');
    const now = await row('orchestrator');
    expect(now.pid).not.toBe(before.pid);
    await idle('orchestrator');
    await busy('orchestrator', 3);
    const working = await row('orchestrator');
    const waited = await apply(roster(changed('orchestrator')), '--wait', '30s');
    expect(waited.code, waited.stderr).toBe(0);
    const after = await row('orchestrator');
    expect(after.pid).not.toBe(working.pid);
    expect(after.flags).toEqual([]);
    await idle('orchestrator');
    await busy('orchestrator', 15);
    const timedOut = await apply(roster(changed('orchestrator')), '--wait', '2s');
    expect(timedOut.code).toBe(2);
    expect(timedOut.stderr).toMatch(/still restart-pending: orchestrator/);
    await until('orchestrator restarted after all', async () => (await row('orchestrator')).flags.length === 0 && (await activity('orchestrator')) === 'idle', 60_000);
  });

  it('update: manual never restarts for a change: restart-pending until restarted by hand', async () => {
    ok(await apply(roster({ enhancer: ', update: manual' })), 'apply manual');
    await idle('enhancer');
    const before = await row('enhancer');
    const applied = await apply(roster({ enhancer: `, update: manual${changed('enhancer').enhancer}` }));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/hold +mosaic-agent@enhancer\.service \(update manual: restart by hand\)/);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const later = await row('enhancer');
    expect(later).toMatchObject({ pid: before.pid, flags: ['restart-pending'] });
    expect(later.activity.state).toBe('idle');
    ok(await mosaic(m, work, 'restart', 'enhancer'), 'restart');
    await until('enhancer restarted by hand', async () => {
      const r = await row('enhancer');
      return r.pid !== before.pid && r.flags.length === 0;
    }, 30_000);
    ok(await apply(roster(changed())), 'back to update: idle');
  });

  it('the same through the bundle\'s install.sh, and two changed agents restart spaced by the gap', async () => {
    await idle('orchestrator');
    await idle('enhancer');
    await busy('enhancer', 20);
    const enhancer = await row('enhancer');
    const out = await buildRoster(roster(changed('enhancer', 'orchestrator')));
    const run = await runScript(m, out, 'install.sh');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/enhancer is working: its restart waits until it is idle/);
    expect(await row('enhancer')).toMatchObject({ pid: enhancer.pid, flags: ['restart-pending'] });
    await until('enhancer restarted once idle', async () => {
      const r = await row('enhancer');
      return r.pid && r.pid !== enhancer.pid && r.flags.length === 0 ? r : undefined;
    }, 60_000);
    // Both idle and both changed: restarted now, the second 4 s (restartGap) after the first.
    await idle('orchestrator');
    await idle('enhancer');
    const both = await runScript(m, await buildRoster(roster(changed('enhancer', 'orchestrator'))), 'install.sh');
    expect(both.code, both.stderr).toBe(0);
    const gap = (await activeSince('orchestrator')) - (await activeSince('enhancer'));
    expect(gap).toBeGreaterThanOrEqual(3);
  });

  it('restart resumes the recorded session; restart --fresh starts a new one', async () => {
    const id = recorded('deaf');
    ok(await mosaic(m, work, 'restart', 'deaf'), 'restart');
    const resumed = await until('deaf back, resumed', async () => {
      const r = await row('deaf');
      return r.pid && r.activity.state === 'idle' && cmdline(r.pid).includes('--resume') ? r : undefined;
    }, 30_000);
    expect(cmdline(resumed.pid!)).toEqual(expect.arrayContaining(['--resume', id]));
    expect(recorded('deaf')).toBe(id);
    ok(await mosaic(m, work, 'restart', 'deaf', '--fresh'), 'restart --fresh');
    const fresh = await until('deaf back, fresh', async () => {
      const r = await row('deaf');
      return r.pid && r.pid !== resumed.pid && r.activity.state === 'idle' && existsSync(join(m.home, '.local/state/mosaic/deaf.session')) ? r : undefined;
    }, 30_000);
    expect(cmdline(fresh.pid!)).not.toContain('--resume');
    expect(recorded('deaf')).not.toBe(id);
  });
});
