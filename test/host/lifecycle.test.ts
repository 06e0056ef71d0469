/**
 * install.sh / uninstall.sh on a REAL systemd user manager (test/harness/user-manager.ts), for
 * every preset and for a roster with on-demand agents, custom runtimes, env and workdirs. Runtimes
 * are overridden to `sleep`, a harmless command that stays up. One manager for the whole file:
 * every case ends with uninstall, which must leave HOME exactly as the case found it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import type { Agent, Fleet } from '../../src/model/fleet.js';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { tempDir } from '../support/cli.js';
import { FLEET_DIR } from '../../src/model/artifact.js';
import { DEFAULT_STATE_HOME, TRANSCRIPT_DIR } from '../../src/model/transcript.js';
import {
  agentProcess,
  buildRoster,
  cmdline,
  describeHost,
  environ,
  fleetWindows,
  HARMLESS_RUNTIMES,
  knownMosaicUnits,
  ok,
  runScript,
  homeListing,
  unitProps,
  until,
} from './host-support.js';

/** Where the agents' transcripts are, relative to HOME (XDG_STATE_HOME is not set here). */
const TRANSCRIPTS = join(DEFAULT_STATE_HOME, TRANSCRIPT_DIR);

const preset = (profile: string) => `version: 1\nprofile: ${profile}\nfleet: { linger: false }\n${HARMLESS_RUNTIMES}agents: []\n`;

/** On-demand agents, custom runtimes (one with its own env), fleet and agent env, workdirs, PATH. */
const CUSTOM = `version: 1
transport: tmux
fleet:
  session: crew
  linger: false
  path: [~/bin]
  env: { FLEET_WIDE: "fleet value", LOG_LEVEL: debug }
${HARMLESS_RUNTIMES}  stayer:
    command: [sleep, "100004"]
    env: { RUNTIME_ENV: "from the runtime" }
agents:
  - name: orchestrator
    runtime: pi
    class: orchestrator
    workdir: ~/work/orchestrator
    env: { TZ: UTC }
  - name: enhancer
    runtime: stayer
    role: enhancer
    args: ["7"]
    workdir: /tmp
  - name: scout-1
    runtime: stayer
    role: research
    lifecycle: on-demand
    workdir: ~/work/scout
    env: { SCOUT: "it's on demand" }
  - name: coder0
    runtime: codex
    role: coder
    lifecycle: on-demand
`;

const ROSTERS: Array<[name: string, yaml: string]> = [
  ['preset minimal', preset('minimal')],
  ['preset general', preset('general')],
  ['preset coding', preset('coding')],
  ['preset research', preset('research')],
  ['custom roster (on-demand, runtimes, env, workdirs)', CUSTOM],
];

function sameArgv(pid: number | undefined, argv: readonly string[]): boolean {
  try {
    return pid !== undefined && JSON.stringify(cmdline(pid)) === JSON.stringify(argv);
  } catch {
    return false;
  }
}

function fleetOf(yaml: string): Fleet {
  const r = loadFleetFromText(yaml, 'roster.yaml');
  if (!r.fleet) throw new Error(`roster does not load: ${JSON.stringify(r.diagnostics)}`);
  return r.fleet;
}

describeHost('install/uninstall on a real systemd user manager', () => {
  let m: UserManager;
  /** HOME as every case finds it: config dirs, a foreign enabled unit, workdirs. */
  let pristine: string[];
  /** systemctl and loginctl that record being called: offline scripts must not call them. */
  let fakeBin: string;
  let calls: string;

  const home = (p: string) => (p === '~' ? m.home : p.startsWith('~/') ? join(m.home, p.slice(2)) : p);
  const unitOf = (a: Agent) => `mosaic-agent@${a.name}.service`;
  const isEnabled = async (unit: string) => (await m.systemctl('is-enabled', unit)).stdout.trim();
  const activeState = async (unit: string) => (await unitProps(m, unit, ['ActiveState'])).ActiveState;

  /** Every always-on agent's window runs its command, in its workdir, with its env. Returns agent pids. */
  async function checkWindows(fleet: Fleet): Promise<Map<string, number>> {
    const alwaysOn = fleet.agents.filter((a) => a.lifecycle === 'always-on');
    const pids = new Map<string, number>();
    const windows = await until(`the windows of ${alwaysOn.map((a) => a.name).join(', ')}`, async () => {
      const w = await fleetWindows(m, fleet.session);
      // The pane's shell briefly has other children (rm of its env file) before the agent.
      const running = (a: Agent) => w?.has(a.name) && sameArgv(agentProcess(w.get(a.name)!), a.command);
      return w && alwaysOn.every(running) ? w : undefined;
    });
    expect([...windows.keys()].sort()).toEqual(alwaysOn.map((a) => a.name).sort());
    for (const agent of alwaysOn) {
      const pid = agentProcess(windows.get(agent.name)!)!;
      expect(cmdline(pid), agent.name).toEqual(agent.command);
      expect(readlinkSync(`/proc/${pid}/cwd`), agent.name).toBe(home(agent.workdir));
      const env = environ(pid);
      for (const [key, value] of agent.env) expect(env.get(key), `${agent.name}: ${key}`).toBe(value);
      for (const dir of fleet.path) expect(env.get('PATH')!.split(':'), agent.name).toContain(home(dir));
      pids.set(agent.name, pid);
    }
    return pids;
  }

  async function checkRunning(fleet: Fleet): Promise<void> {
    const alwaysOn = fleet.agents.filter((a) => a.lifecycle === 'always-on');
    for (const unit of ['mosaic-fleet.target', 'mosaic-tmux-holder.service', ...alwaysOn.map(unitOf)]) {
      expect(await isEnabled(unit), unit).toBe('enabled');
      await until(`${unit} to be active`, async () => (await activeState(unit)) === 'active');
    }
    for (const agent of fleet.agents.filter((a) => a.lifecycle === 'on-demand')) {
      expect(await isEnabled(unitOf(agent)), agent.name).toBe('disabled');
      expect(await activeState(unitOf(agent)), agent.name).toBe('inactive');
    }
  }

  async function checkGone(fleet: Fleet): Promise<void> {
    expect(await knownMosaicUnits(m)).toEqual([]);
    expect((await m.run('tmux', ['-L', fleet.session, 'has-session'])).code).not.toBe(0);
  }

  beforeAll(async () => {
    m = await startUserManager();
    // Things that are the user's, not the fleet's: they must survive install + uninstall as they are.
    writeFileSync(join(m.unitDir, 'other.service'), '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=default.target\n');
    mkdirSync(join(m.unitDir, 'default.target.wants'));
    symlinkSync(join(m.unitDir, 'other.service'), join(m.unitDir, 'default.target.wants', 'other.service'));
    mkdirSync(join(m.configHome, 'mosaic', 'secrets'), { recursive: true });
    writeFileSync(join(m.configHome, 'mosaic', 'secrets', 'keep.env'), 'TOKEN=mine\n', { mode: 0o600 });
    for (const dir of ['work/orchestrator', 'work/scout', 'bin']) mkdirSync(join(m.home, dir), { recursive: true });
    ok(await m.systemctl('daemon-reload'), 'daemon-reload');
    pristine = homeListing(m.home);
    fakeBin = join(m.root, 'fake-bin');
    calls = join(m.root, 'fake-bin-calls');
    mkdirSync(fakeBin);
    for (const tool of ['systemctl', 'loginctl']) writeFileSync(join(fakeBin, tool), `#!/bin/sh\necho "${tool} $*" >>'${calls}'\nexit 99\n`, { mode: 0o755 });
  });
  afterAll(async () => {
    await m?.stop();
  });

  /**
   * The whole life of one build on the host: install (checked), install again (no-op), the same
   * install offline into a staging root (same tree), reboot (enabled units back, on-demand not),
   * what `extra` checks, uninstall (HOME as before, nothing mosaic left), uninstall again, reboot
   * (nothing comes back). The offline comparison and the last reboot only when `full` (time).
   */
  async function lifecycle(yaml: string, full: boolean, extra?: (fleet: Fleet) => Promise<void>): Promise<void> {
    const fleet = fleetOf(yaml);
    const out = await buildRoster(yaml);
    expect(homeListing(m.home)).toEqual(pristine);

    // Install, from a directory that is not out/: every action is printed as it happens.
    const install = ok(await runScript(m, out, 'install.sh', [], { cwd: '/' }), 'install.sh');
    for (const agent of fleet.agents) expect(install.stdout).toContain(`install -m 600 ${m.configHome}/${FLEET_DIR}/env/${agent.name}.env`);
    expect(install.stdout).toContain('systemctl --user enable mosaic-fleet.target');
    expect(install.stdout).toMatch(/install\.sh: changed: Plan: \d+ to add, 0 to change, 0 to destroy\.\n$/);
    await checkRunning(fleet);
    const agentPids = await checkWindows(fleet);
    const installed = homeListing(m.home);

    // Twice: nothing changes the second time (no file, dir or link written, the same processes).
    const again = ok(await runScript(m, out, 'install.sh'), 'second install.sh');
    expect(again.stdout).not.toMatch(/: (mkdir|install|ln|rm|systemctl --user (enable|disable|stop)) /);
    expect(homeListing(m.home)).toEqual(installed);
    expect(await checkWindows(fleet)).toEqual(agentPids);

    // Offline into a staging root that starts as the host did: the tree the online install made.
    // No systemctl or loginctl runs (the fake ones record any call); uninstall --offline undoes it.
    if (full) {
      const stage = tempDir('mosaic-stage-');
      try {
        const offline = { DESTDIR: stage, PATH: `${fakeBin}:${m.env.PATH}` };
        mkdirSync(join(stage, m.home), { recursive: true });
        ok(await m.run('cp', ['-a', `${m.home}/.`, join(stage, m.home)]), 'cp');
        ok(await runScript(m, out, 'uninstall.sh', ['--offline'], { env: offline }), 'uninstall.sh --offline');
        expect(homeListing(join(stage, m.home))).toEqual(pristine);
        ok(await runScript(m, out, 'install.sh', ['--offline'], { env: offline, cwd: '/' }), 'install.sh --offline');
        expect(homeListing(join(stage, m.home))).toEqual(installed);
        ok(await runScript(m, out, 'uninstall.sh', ['--offline'], { env: offline }), 'uninstall.sh --offline');
        expect(homeListing(join(stage, m.home))).toEqual(pristine);
        expect(existsSync(calls), 'offline scripts ran systemctl or loginctl').toBe(false);
      } finally {
        rmSync(stage, { recursive: true, force: true });
      }
    }

    // Reboot: enabled units come back, on-demand ones do not.
    await m.reboot([fleet.session]);
    await checkRunning(fleet);
    await checkWindows(fleet);

    if (extra) await extra(fleet);

    // Uninstall: HOME byte-for-byte and link-for-link as before, nothing mosaic left in the manager.
    ok(await runScript(m, out, 'uninstall.sh', [], { cwd: '/' }), 'uninstall.sh');
    expect(homeListing(m.home)).toEqual(pristine);
    // ...but for the agents' transcripts: the user's record of the work, which uninstall keeps.
    expect(readdirSync(join(m.home, TRANSCRIPTS)).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(0);
    await checkGone(fleet);
    expect(await isEnabled('other.service')).toBe('enabled');

    // Twice: succeeds on a clean host and changes nothing.
    const twice = ok(await runScript(m, out, 'uninstall.sh'), 'second uninstall.sh');
    expect(twice.stdout).not.toMatch(/: (rmdir|rm|systemctl --user (disable|stop)) /);
    expect(homeListing(m.home)).toEqual(pristine);

    // Reboot: nothing mosaic comes back; the user's own enabled unit does.
    if (!full) return;
    await m.reboot([fleet.session]);
    await checkGone(fleet);
    expect(await activeState('other.service')).toBe('active');
    expect(homeListing(m.home)).toEqual(pristine);
  }

  /** After a failed case, uninstall (best effort) so that the next case starts from a clean HOME. */
  async function cleanUpAfter(yaml: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      await runScript(m, await buildRoster(yaml), 'uninstall.sh').catch(() => undefined);
      throw e;
    }
  }

  it.each(ROSTERS.slice(0, -1))('%s: install, again, reboot, uninstall, again (general: offline = online, reboot)', async (name, yaml) => {
    await cleanUpAfter(yaml, () => lifecycle(yaml, name === 'preset general'));
  });

  it('custom roster (on-demand, runtimes, env, workdirs): the same, and a killed agent fails its unit, Restart= brings it back', async () => {
    await cleanUpAfter(CUSTOM, () => lifecycle(CUSTOM, true, async (fleet) => {
      const before = await checkWindows(fleet);

      // Always-on, as installed (Restart=on-failure): killed, then back with a new process.
      const unit = 'mosaic-agent@enhancer.service';
      const restarts = Number((await unitProps(m, unit, ['NRestarts'])).NRestarts);
      process.kill(before.get('enhancer')!, 'SIGKILL');
      await until(`${unit} to restart`, async () => {
        const p = await unitProps(m, unit, ['NRestarts', 'ActiveState']);
        return Number(p.NRestarts) > restarts && p.ActiveState === 'active';
      });
      const after = await checkWindows(fleet);
      expect(after.get('enhancer')).not.toBe(before.get('enhancer'));
      expect(after.get('orchestrator')).toBe(before.get('orchestrator'));

      // On demand: installed but not running until started; started, it gets its window.
      const scout = 'mosaic-agent@scout-1.service';
      ok(await m.systemctl('start', scout), `start ${scout}`);
      const agent = fleet.agents.find((a) => a.name === 'scout-1')!;
      const pid = await until('the scout-1 window', async () => {
        const w = await fleetWindows(m, fleet.session);
        const p = w?.has('scout-1') ? agentProcess(w.get('scout-1')!) : undefined;
        return p && sameArgv(p, agent.command) ? p : undefined;
      });
      expect(cmdline(pid)).toEqual(agent.command);
      expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(home(agent.workdir));
      expect(environ(pid).get('SCOUT')).toBe("it's on demand");
      expect(environ(pid).get('RUNTIME_ENV')).toBe('from the runtime');

      // Without Restart= (a runtime drop-in, outside HOME), a killed agent leaves its unit failed.
      const dropIn = join(m.runtimeDir, 'systemd', 'user', `${scout}.d`);
      mkdirSync(dropIn, { recursive: true });
      writeFileSync(join(dropIn, 'no-restart.conf'), '[Service]\nRestart=no\n');
      ok(await m.systemctl('daemon-reload'), 'daemon-reload');
      process.kill(pid, 'SIGKILL');
      await until(`${scout} to fail`, async () => (await activeState(scout)) === 'failed');
      expect((await unitProps(m, scout, ['Result'])).Result).toBe('exit-code');
      await until('the scout-1 window to close', async () => !(await fleetWindows(m, fleet.session))?.has('scout-1'));
      rmSync(dropIn, { recursive: true });
      ok(await m.systemctl('daemon-reload'), 'daemon-reload');
      ok(await m.systemctl('reset-failed', scout), 'reset-failed');

      // A stopped agent is inactive (not failed), its window is closed and its process is gone
      // (it lives in the tmux server's cgroup, so systemd's own stop signal never reaches it).
      const running = (await checkWindows(fleet)).get('enhancer')!;
      ok(await m.systemctl('stop', unit), `stop ${unit}`);
      expect(await activeState(unit)).toBe('inactive');
      expect((await fleetWindows(m, fleet.session))?.has('enhancer')).toBe(false);
      const gone = (pid: number) => {
        try {
          return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return true;
        }
      };
      await until('the stopped agent process to end', async () => gone(running));
    }));
  });

  it('--no-start installs and enables, but starts nothing', async () => {
    const yaml = preset('general');
    const fleet = fleetOf(yaml);
    const out = await buildRoster(yaml);
    const r = ok(await runScript(m, out, 'install.sh', ['--no-start']), 'install.sh --no-start');
    expect(r.stdout).not.toContain('systemctl --user start');
    for (const unit of ['mosaic-fleet.target', 'mosaic-tmux-holder.service', ...fleet.agents.map(unitOf)]) {
      expect(await isEnabled(unit), unit).toBe('enabled');
      expect(await activeState(unit), unit).toBe('inactive');
    }
    ok(await runScript(m, out, 'uninstall.sh'), 'uninstall.sh');
    await checkGone(fleet);
    expect(homeListing(m.home)).toEqual(pristine);
  });
});
