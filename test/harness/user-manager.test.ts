import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeHost } from '../support/host.js';
import { startUserManager, verifyUnits, writeFileP, type UserManager } from './user-manager.js';

/** Running (not a zombie waiting for its reaper). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describeHost('systemd --user harness', () => {
  let um: UserManager;

  beforeAll(async () => {
    um = await startUserManager();
  });
  afterAll(async () => {
    await um?.stop();
  });

  it('starts a manager that reports running inside its namespace', async () => {
    const r = await um.systemctl('is-system-running');
    expect(r.stdout.trim()).toBe('running');
    expect(r.code).toBe(0);
  });

  it('runs host commands with the fresh HOME, in the given cwd, with stdin', async () => {
    const r = await um.run('sh', ['-c', 'echo "$HOME|$XDG_RUNTIME_DIR|$TMUX_TMPDIR|$(pwd)"; cat'], {
      cwd: um.runtimeDir,
      input: 'in',
    });
    expect(r).toEqual({ code: 0, stdout: `${um.home}|${um.runtimeDir}|${um.tmuxTmpDir}|${um.runtimeDir}\nin`, stderr: '' });
  });

  it('runs a transient unit that sees the fresh HOME', async () => {
    const r = await um.run('systemd-run', ['--user', '--quiet', '--pipe', '--wait', 'sh', '-c', 'echo "$HOME $TMUX_TMPDIR"']);
    expect(r.stdout.trim()).toBe(`${um.home} ${um.tmuxTmpDir}`);
    expect(r.code).toBe(0);
  });

  it('enabled units survive reboot(), merely started ones and tmux servers do not', async () => {
    const unit = (name: string) =>
      writeFileP(
        join(um.unitDir, name),
        `[Unit]\nDescription=${name}\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=default.target\n`,
      );
    unit('keep.service');
    unit('once.service');
    expect((await um.systemctl('daemon-reload')).code).toBe(0);
    expect((await um.systemctl('enable', '--now', 'keep.service')).code).toBe(0);
    expect((await um.systemctl('start', 'once.service')).code).toBe(0);
    expect((await um.systemctl('is-active', 'keep.service', 'once.service')).stdout).toBe('active\nactive\n');
    // A tmux server started from a host command ("the user's shell").
    expect((await um.run('tmux', ['-L', 'hx', '-f', '/dev/null', 'new-session', '-d', '-s', 's', 'sleep', '1000'])).code).toBe(0);
    expect((await um.run('tmux', ['-L', 'hx', 'has-session', '-t', '=s'])).code).toBe(0);
    const oldPid = um.pid;

    await um.reboot(['hx']);

    expect(um.pid).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);
    const st = await um.systemctl('is-active', 'keep.service', 'once.service');
    expect(st.stdout).toBe('active\ninactive\n');
    expect((await um.run('tmux', ['-L', 'hx', 'has-session', '-t', '=s'])).code).not.toBe(0);
  });

  it('stop() kills the manager and every process it or host commands started', async () => {
    const other = await startUserManager();
    writeFileP(join(other.unitDir, 'x.service'), '[Service]\nExecStart=/bin/sleep infinity\n');
    await other.systemctl('start', 'x.service');
    await other.run('tmux', ['-L', 'st', '-f', '/dev/null', 'new-session', '-d', '-s', 's', 'sleep', '1000']);
    const mainPid = (await other.systemctl('show', '-P', 'MainPID', 'x.service')).stdout.trim();
    const tmuxPid = (await other.run('tmux', ['-L', 'st', 'display', '-p', '#{pid}'])).stdout.trim();
    const pids = [other.pid, Number(mainPid), Number(tmuxPid)];
    expect(pids.every((p) => p > 0 && alive(p))).toBe(true);
    await other.stop();
    await other.stop(); // idempotent
    for (const p of pids) expect(alive(p), `pid ${p} still alive`).toBe(false);
    expect(existsSync(other.root)).toBe(false);
    await expect(other.run('true')).rejects.toThrow(/not running/);
    // The first manager is unaffected.
    expect((await um.systemctl('is-active', 'keep.service')).stdout).toBe('active\n');
  });

  it('verifyUnits(): silent for good units (incl. templates), reports warnings and broken references', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mum-verify-'));
    try {
      writeFileP(join(dir, 'fleet.target'), '[Unit]\nWants=agent@a.service\n[Install]\nWantedBy=default.target\n');
      writeFileP(
        join(dir, 'agent@.service'),
        '[Unit]\nPartOf=fleet.target\nRequires=holder.service\nAfter=holder.service\n[Service]\nExecStart=/bin/sleep %i\n[Install]\nWantedBy=fleet.target\n',
      );
      writeFileP(join(dir, 'holder.service'), '[Service]\nExecStart=/usr/bin/tmux -D\n');
      expect(await verifyUnits(dir, ['fleet.target', 'agent@.service', 'holder.service'], um.env)).toBe('');
      expect(await verifyUnits(dir, ['agent@x.service'])).toBe('');

      writeFileP(join(dir, 'bad@.service'), '[Unit]\nRequires=nowhere.service\n[Service]\nExecStart=/bin/true\nBogus=1\n');
      const out = await verifyUnits(dir, ['bad@.service'], um.env);
      expect(out).toContain("Unknown key 'Bogus'");
      expect(out).toContain('Unit nowhere.service not found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no harness cgroups of dead owners behind', () => {
    const cg = existsSync('/sys/fs/cgroup/systemd') ? '/sys/fs/cgroup/systemd' : '/sys/fs/cgroup';
    const mine = readdirSync(cg).filter((n) => n.startsWith(`mosaic-um-${process.pid}-`));
    expect(mine).toHaveLength(1); // only `um`
    expect(readFileSync(join(cg, mine[0]!, 'manager', 'init.scope', 'cgroup.procs'), 'utf8').trim()).toBe(String(um.pid));
  });
});
