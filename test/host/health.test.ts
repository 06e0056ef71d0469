/**
 * A fleet kept healthy, on a REAL user manager: a crash loop ends in `failed` by systemd's start
 * limit and status says so on every call, naming the agent; a command that is not installed is
 * tried once and said in its transcript; transcripts keep an agent's output across a restart
 * and a reboot, rotated under their cap; start/stop/restart act on several agents or the whole
 * fleet with a line each; status --watch ends when its reader does.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { BIN, tempDir } from '../support/cli.js';
import { describeHost, mosaic, until } from '../support/host.js';
import { ok, unitProps } from './host-support.js';

const SESSION = 'hfleet';
// The fleet's restart delay is short so that a loop of five runs takes seconds, not minutes.
const ROSTER = `version: 1
fleet: { linger: false, session: ${SESSION}, restart: { delay: 1s } }
runtimes:
  sleeper: { command: [sleep, "100011"] }
  crash: { command: [sh, -c, 'echo boom >&2; sleep 1; exit 3'] }
  missing: { command: [no-such-runtime-7] }
  chatty: { command: [sh, -c, 'i=0; while [ $i -lt 400 ]; do echo "chatty-line-$i ................................"; i=$((i+1)); done; echo chatty-done; exec sleep 100012'] }
agents:
  - { name: orchestrator, runtime: sleeper, class: orchestrator }
  - { name: enhancer, runtime: sleeper, role: enhancer }
  - { name: chatty, runtime: chatty, transcript: { size: 4K, keep: 2 } }
  - { name: crasher, runtime: crash, lifecycle: on-demand }
  - { name: nobin, runtime: missing, lifecycle: on-demand }
`;

interface Row {
  name: string;
  state: string;
  restarts: number;
  problem: string | null;
}

describeHost('health, transcripts and fleet-wide operations on a real user manager', () => {
  let m: UserManager;
  let work: string;
  let transcripts: string;
  const status = async () => {
    const r = await mosaic(m, work, 'status', '--json');
    return { code: r.code, rows: (JSON.parse(r.stdout || '{"agents":[]}') as { agents: Row[] }).agents };
  };
  const row = async (name: string) => (await status()).rows.find((a) => a.name === name)!;

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-health-');
    transcripts = join(m.home, '.local/state/mosaic');
    writeFileSync(join(work, 'roster.yaml'), ROSTER);
    ok(await mosaic(m, work, 'apply', '--yes'), 'apply');
    await until('a healthy fleet', async () => (await status()).code === 0, 30_000);
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('a crash loop: status exits 3 on every call from its first crash on, naming it; after the limit, failed and no more restarts; restart starts it again', async () => {
    const started = await mosaic(m, work, 'start', 'crasher', 'nobin');
    // nobin may already have failed when the states are read after the start: both are true reports.
    expect(started.stdout).toMatch(/^crasher: started\nnobin: (started|failed to start: it is failed \(see mosaic-gen logs\))\n$/);
    const seen: string[] = [];
    let crashed = false;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = await mosaic(m, work, 'status');
      const crasher = await row('crasher');
      // From the first crash on (a restart counted), the fleet is unhealthy on every call, even
      // in the moments the looping agent is active between two crashes.
      if (crashed) {
        seen.push(`${text.code} ${crasher.state} ${crasher.restarts}`);
        expect(text.code, seen.join('\n')).toBe(3);
        expect(text.stdout).toMatch(/unhealthy: .*; crasher: /);
      }
      crashed ||= crasher.restarts >= 1;
      if (crasher.state === 'failed') break;
      if (Date.now() > deadline) throw new Error(`crasher never failed:\n${seen.join('\n')}`);
    }
    // At least one call between two crashes, besides the one that saw it failed (a loaded machine
    // makes fewer calls in the loop's half minute).
    expect(seen.length, seen.join('\n')).toBeGreaterThanOrEqual(2);
    const failed = await mosaic(m, work, 'status');
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/; crasher: failed after 5 restarts in 10 min, last exit 3[;.]/);
    // No more restarts: still failed, still 5, some seconds later; and every call still exits 3.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await unitProps(m, 'mosaic-agent@crasher.service', ['ActiveState', 'NRestarts'])).toEqual({ ActiveState: 'failed', NRestarts: '5' });
    expect((await status()).code).toBe(3);

    // The runtime that is not installed: tried once (127 is not retried), and said so.
    const nobin = await row('nobin');
    expect(nobin).toMatchObject({ state: 'failed', restarts: 0 });
    expect(nobin.problem).toMatch(/^failed, exit 127 \(command not found/);
    expect(readFileSync(join(transcripts, 'nobin.log'), 'utf8')).toMatch(/^no-such-runtime-7: command not found \(PATH=[^)]*\/usr\/bin[^)]*\)\r?$/m);
    // That the supervisor passes it on to the journal is shown in supervisor.test.ts (no journald here).

    const restarted = ok(await mosaic(m, work, 'restart', 'crasher'), 'restart crasher');
    expect(restarted.stdout).toBe('crasher: started (was failed: reset)\n');
    expect(await unitProps(m, 'mosaic-agent@crasher.service', ['ActiveState', 'NRestarts'])).toEqual({ ActiveState: 'active', NRestarts: '0' });
    ok(await mosaic(m, work, 'stop', 'crasher'), 'stop crasher');
  });

  it('logs: the transcript holds "boom" and the exit lines, across a restart and a reboot; 0600 files in a 0700 directory', async () => {
    const before = ok(await mosaic(m, work, 'logs', 'crasher', '-n', '1000'), 'logs crasher');
    expect(before.stdout).toMatch(/^== transcript of crasher \(/);
    expect(before.stdout).toContain('boom');
    expect(before.stdout).toMatch(/^-- mosaic \S+: crasher exited with status 3$/m);
    expect(before.stdout).toMatch(/^-- mosaic \S+: crasher started$/m);
    // Not a terminal: no control sequence, no carriage return.
    expect(before.stdout).not.toMatch(/[\u001b\r]/);
    const runs = (before.stdout.match(/crasher started$/gm) ?? []).length;
    expect(runs).toBeGreaterThanOrEqual(5);
    expect(statSync(transcripts).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(transcripts)) expect(lstatSync(join(transcripts, file)).mode & 0o777, file).toBe(0o600);

    await m.reboot([SESSION]);
    await until('the fleet back after the reboot', async () => (await row('orchestrator')).state === 'active', 30_000);
    ok(await mosaic(m, work, 'start', 'crasher'), 'start crasher after the reboot');
    await until('a new run of crasher in its transcript', async () => (readFileSync(join(transcripts, 'crasher.log'), 'utf8').match(/crasher started$/gm) ?? []).length > runs, 20_000);
    const after = ok(await mosaic(m, work, 'logs', 'crasher', '-n', '1000'), 'logs after the reboot');
    expect(after.stdout.startsWith(before.stdout.slice(0, before.stdout.indexOf('\n', 200)))).toBe(true);
    ok(await mosaic(m, work, 'stop', 'crasher'), 'stop crasher');
    // After the stop, the transcript ends with the supervisor's line of the last run's end: its
    // exit, or the signal the stop ended it with. Never the agent's output, never a bare start.
    const ended = /^== transcript of crasher .*\n-- mosaic \S+: crasher (exited with status \d+|ended by signal \w+ \(status \d+\))\n$/;
    // At once: stop returns when the window is closed, which waits for the line to be written.
    const tail = readFileSync(join(transcripts, 'crasher.log'), 'utf8').split('\n').slice(-8).join('\n');
    expect(ok(await mosaic(m, work, 'logs', 'crasher', '-n', '1'), 'logs -n 1').stdout, `the transcript's end:\n${tail}`).toMatch(ended);
  });

  it('a transcript past its cap is rotated, never more than cap × kept', async () => {
    await until('chatty done', async () => existsSync(join(transcripts, 'chatty.log')) && (await mosaic(m, work, 'logs', 'chatty', '-n', '5')).stdout.includes('chatty-done'), 20_000);
    const files = readdirSync(transcripts).filter((f) => f.startsWith('chatty.')).sort();
    expect(files).toEqual(['chatty.log', 'chatty.log.1']);
    const sizes = files.map((f) => statSync(join(transcripts, f)).size);
    expect(sizes.every((size) => size <= 4096), String(sizes)).toBe(true);
    expect(sizes[1]).toBe(4096);
    const logs = ok(await mosaic(m, work, 'logs', 'chatty', '-n', '3'), 'logs chatty');
    expect(logs.stdout).toMatch(/chatty-line-399 \.+\nchatty-done\n$/);
  });

  it('stop --all, start --all, restart a b: one line per agent', async () => {
    const stopped = ok(await mosaic(m, work, 'stop', '--all'), 'stop --all');
    expect(stopped.stdout).toBe('chatty: stopped\ncrasher: not running (inactive)\nenhancer: stopped\nnobin: not running (inactive)\norchestrator: stopped\n');
    const startedAll = ok(await mosaic(m, work, 'start', '--all'), 'start --all');
    expect(startedAll.stdout).toBe('chatty: started\ncrasher: not started (inactive): on-demand, started by name only\nenhancer: started\nnobin: not started (inactive): on-demand, started by name only\norchestrator: started\n');
    const again = ok(await mosaic(m, work, 'restart', 'orchestrator', 'enhancer'), 'restart orchestrator enhancer');
    expect(again.stdout).toBe('orchestrator: restarted\nenhancer: restarted\n');
    const usage = await mosaic(m, work, 'stop');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/error\[USAGE\]: name the agents, or give --all/);
  });

  it('status --watch 1 | head -3 ends by itself soon after head goes, with status 0', async () => {
    // Timed from when head has its lines and goes: with a 1 s interval, the watch notices at its
    // next write, which comes before it reads the next status (about 1.5 s on a quiet machine).
    // The bound is loose on purpose: what failed before was never ending at all, and a machine
    // loaded by the whole suite can take seconds for one status.
    const now = 'date +%s%3N';
    const r = await m.run('sh', ['-c', `{ ${process.execPath} ${BIN} status --watch 1; echo "status=$? ended=$(${now})" >&2; } | { head -3; echo "head=$(${now})" >&2; }`], { cwd: work, timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/^AGENT.*\n.*\n.*\n$/);
    const times = Object.fromEntries([...r.stderr.matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1], Number(x[2])]));
    expect(times.status, r.stderr).toBe(0);
    expect(times.ended! - times.head!).toBeLessThan(15_000);
  });
});
