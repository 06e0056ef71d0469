/**
 * Operating an installed fleet on a REAL user manager: status (each flag, --json field by field,
 * the exit status as a health check), attach through a real tmux client, logs of what an agent
 * printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserManager, userManagerSupport, type UserManager } from '../harness/user-manager.js';
import { BIN } from '../support/cli.js';
import { cmdline, HARMLESS_RUNTIMES, ok, until } from './host-support.js';
import { mosaic } from '../support/host.js';
import { tempDir } from '../support/cli.js';
import { envTarget } from '../../src/model/artifact.js';

const support = userManagerSupport();
if (!support.ok) console.warn(`[operate] skipping: ${support.reason}`);

const ROSTER = `version: 1
profile: general
fleet: { linger: false, session: opfleet }
${HARMLESS_RUNTIMES}  talker:
    command: [sh, -c, 'echo hello-from-coder0; exec sleep 100009']
agents:
  - name: coder0
    runtime: talker
  - name: spare
    runtime: codex
    lifecycle: on-demand
`;

interface Row {
  name: string;
  lifecycle: string | null;
  enabled: boolean;
  state: string;
  pid: number | null;
  restarts: number;
  memory: number | null;
  window: boolean;
  flags: string[];
}

describe.skipIf(!support.ok)('status, attach and logs on a real user manager', () => {
  let m: UserManager;
  let work: string;
  const status = async (...args: string[]) => {
    const r = await mosaic(m, work, 'status', '--json', ...args);
    return { code: r.code, doc: JSON.parse(r.stdout || '{}') as { healthy: boolean; agents: Row[] }, stderr: r.stderr };
  };
  const row = (doc: { agents: Row[] }, name: string) => doc.agents.find((a) => a.name === name)!;

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-operate-');
    writeFileSync(join(work, 'roster.yaml'), ROSTER);
    ok(await mosaic(m, work, 'apply', '--yes'), 'apply');
    await until('a healthy fleet', async () => (await status()).code === 0, 30_000).catch(async (e) => {
      const r = await mosaic(m, work, 'status');
      throw new Error(`${e}\n${r.stdout}\n${r.stderr}`);
    });
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('a healthy fleet: exit 0, every field of --json', async () => {
    const { code, doc } = await status();
    expect(code).toBe(0);
    expect(doc.healthy).toBe(true);
    expect(doc.agents.map((a) => a.name)).toEqual(['coder0', 'enhancer', 'orchestrator', 'spare']);
    const coder0 = row(doc, 'coder0');
    expect(coder0).toMatchObject({ lifecycle: 'always-on', enabled: true, state: 'active', window: true, flags: [] });
    expect(cmdline(coder0.pid!)).toEqual(['sleep', '100009']);
    expect(row(doc, 'spare')).toMatchObject({ lifecycle: 'on-demand', enabled: false, state: 'inactive', pid: null, window: false, flags: [] });
    const table = await mosaic(m, work, 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^AGENT +LIFE +STATE +ACTIVITY +PID/);
    expect(table.stdout).toMatch(/healthy: 3 of 4 agents active, 0 flagged\.\n$/);
    for (const line of table.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('logs shows what the agent printed in its window', async () => {
    const r = ok(await mosaic(m, work, 'logs', 'coder0', '--lines', '20'), 'logs');
    expect(r.stdout).toContain('hello-from-coder0');
    const unknown = await mosaic(m, work, 'logs', 'codr0');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error\[UNKNOWN_AGENT\].*'codr0'[\s\S]*did you mean 'coder0'/);
  });

  it('attach --read-only: a real tmux client, read-only, on the agent window', async () => {
    const driver = `drv${process.pid}`;
    ok(await m.run('tmux', ['-L', driver, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40', process.execPath, BIN, 'attach', 'coder0', '--read-only'], { cwd: work }), 'driver');
    try {
      const clients = await until('a client on the fleet', async () => {
        const r = await m.run('tmux', ['-L', 'opfleet', '-f', '/dev/null', 'list-clients', '-F', '#{client_readonly} #{window_name}']);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      });
      expect(clients).toBe('1 coder0');
    } finally {
      await m.run('tmux', ['-L', driver, 'kill-server']);
    }
    const noTerminal = await mosaic(m, work, 'attach', 'coder0');
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toMatch(/attach needs a terminal/);
    const down = await mosaic(m, work, 'attach', 'spare');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/agent 'spare' has no window: its unit is inactive[\s\S]*systemctl --user start mosaic-agent@spare\.service/);
  });

  it('flags: a killed agent restarting, drift, an orphan enabled by hand, a roster not applied; exit 3', async () => {
    const before = row((await status()).doc, 'coder0');
    process.kill(before.pid!, 'SIGKILL');
    await until('coder0 back with a restart counted', async () => {
      const now = row((await status()).doc, 'coder0');
      return now.state === 'active' && now.restarts > before.restarts && now.pid !== before.pid ? now : undefined;
    }, 30_000);

    const env = join(m.configHome, envTarget('enhancer'));
    const original = readFileSync(env, 'utf8');
    writeFileSync(env, `${original}HAND=1\n`);
    ok(await m.systemctl('enable', 'mosaic-agent@ghost.service'), 'enable ghost');
    writeFileSync(join(work, 'edited.yaml'), ROSTER.replace("runtime: talker", "runtime: talker\n    env: { TZ: UTC }"));
    const { code, doc } = await status('--roster', 'edited.yaml');
    expect(code).toBe(3);
    expect(doc.healthy).toBe(false);
    expect(row(doc, 'enhancer').flags).toEqual(['drift']);
    expect(row(doc, 'coder0').flags).toEqual(['pending']);
    expect(row(doc, 'ghost')).toMatchObject({ lifecycle: null, flags: ['orphan', 'pending'] });
    expect(row(doc, 'orchestrator').flags).toEqual([]);
    const table = await mosaic(m, work, 'status', '--roster', 'edited.yaml');
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/unhealthy: \d of 5 agents active, 3 flagged; coder0: restarted by systemd \d+s ago \(1 restart\), pending; enhancer: drift; ghost: orphan, pending\.\n$/);

    ok(await m.systemctl('disable', 'mosaic-agent@ghost.service'), 'disable ghost');
    ok(await m.systemctl('disable', 'mosaic-agent@coder0.service'), 'disable coder0');
    expect(row((await status()).doc, 'coder0').flags).toEqual(['boot-mismatch']);
    ok(await m.systemctl('enable', 'mosaic-agent@coder0.service'), 'enable coder0');
    writeFileSync(env, original);
    // Restarted by systemd within the last minute: not healthy yet (health does not flap); a
    // restart by hand starts the count afresh.
    expect(row((await status()).doc, 'coder0').flags).toEqual([]);
    expect((await status()).code).toBe(3);
    expect(ok(await mosaic(m, work, 'restart', 'coder0'), 'restart coder0').stdout).toBe('coder0: restarted\n');
    expect((await status()).code).toBe(0);
  });

  it('start, restart and stop an agent by name through the user manager; an unknown name is refused as attach refuses it', async () => {
    expect(row((await status()).doc, 'spare')).toMatchObject({ state: 'inactive', pid: null, window: false });
    expect(ok(await mosaic(m, work, 'start', 'spare'), 'start spare').stdout).toBe('spare: started\n');
    const started = await until('spare running in its window', async () => {
      const now = row((await status()).doc, 'spare');
      return now.state === 'active' && now.window && now.pid !== null ? now : undefined;
    }, 30_000);
    expect(cmdline(started.pid!)).toEqual(['sleep', '100001']);
    ok(await mosaic(m, work, 'restart', 'spare'), 'restart spare');
    await until('spare running again, as another process', async () => {
      const now = row((await status()).doc, 'spare');
      return now.state === 'active' && now.pid !== null && now.pid !== started.pid ? now : undefined;
    }, 30_000);
    ok(await mosaic(m, work, 'stop', 'spare'), 'stop spare');
    expect(row((await status()).doc, 'spare')).toMatchObject({ state: 'inactive', pid: null, window: false });
    const unknown = await mosaic(m, work, 'start', 'spar');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error\[UNKNOWN_AGENT\]: the installed fleet has no agent 'spar'\n {2}hint: did you mean 'spare'\?/);
  });
});
