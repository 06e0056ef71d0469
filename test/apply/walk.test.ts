import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { tempDir } from '../support/cli.js';
import { describeHost, homeListing, mosaic, unitState, until, windows } from '../support/host.js';
import { envTarget, FLEET_DIR, launchTarget } from '../../src/model/artifact.js';

/**
 * A scripted walk of roster edits on a real systemd user manager with real tmux: each step is
 * planned, applied and checked against the manager and the tmux server.
 */

const roster = (agents: string, extra = '') => `version: 1
profile: general
fleet: { linger: false${extra} }
runtimes:
  claude: { command: [sleep, "100001"] }
  codex: { command: [sleep, "100002"] }
agents:
${agents}`;
const CODER0 = '  - name: coder0\n    runtime: codex\n';
const CODER1 = '  - name: coder1\n    runtime: codex\n';
const agentUnit = (name: string) => `mosaic-agent@${name}.service`;

describeHost('plan and apply on a real user manager', () => {
  let m: UserManager;
  let work: string;
  let homeBefore: string[];
  const write = (text: string) => writeFileSync(join(work, 'roster.yaml'), text);
  const run = (...args: string[]) => mosaic(m, work, ...args);
  const active = async (name: string) => (await unitState(m, agentUnit(name))).active;
  const pids = async (names: string[]) => Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await unitState(m, agentUnit(n))).mainPid])));
  const settled = (names: string[]) => until(`${names.join(', ')} active with windows`, async () => {
    const states = await Promise.all(names.map(active));
    const open = await windows(m, 'mosaic');
    return states.every((s) => s === 'active') && names.every((n) => open.includes(n));
  });

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-walk-');
    homeBefore = homeListing(m.home);
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('fresh install', async () => {
    write(roster(CODER0));
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`+ ${FLEET_DIR}/env/coder0.env (0600)`);
    expect(plan.stdout).toMatch(/start +mosaic-fleet\.target/);
    const apply = await run('apply', '--yes');
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    await settled(['orchestrator', 'enhancer', 'coder0']);
    const again = await run('plan', '--detailed-exitcode');
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
  });

  it('add an agent: installed, enabled, started; the others keep running', async () => {
    const before = await pids(['orchestrator', 'enhancer', 'coder0']);
    write(roster(CODER0 + CODER1));
    const plan = await run('plan');
    expect(plan.stdout).toMatch(/enable +mosaic-agent@coder1\.service/);
    expect(plan.stdout).toMatch(/start +mosaic-agent@coder1\.service/);
    expect(plan.stdout).not.toContain('restart');
    expect((await run('apply', '--yes')).code).toBe(0);
    await settled(['orchestrator', 'enhancer', 'coder0', 'coder1']);
    expect((await unitState(m, agentUnit('coder1'))).enabled).toBe('enabled');
    expect(await pids(['orchestrator', 'enhancer', 'coder0'])).toEqual(before);
  });

  it("change one agent's env: only it restarts", async () => {
    const before = await pids(['orchestrator', 'enhancer', 'coder0', 'coder1']);
    write(roster(`${CODER0}    env: { TZ: UTC }\n${CODER1}`));
    const plan = await run('plan');
    expect(plan.stdout).toMatch(/restart +mosaic-agent@coder0\.service/);
    // What the roster says, the reviewer sees: the same pull request shows it.
    expect(plan.stdout).toContain('+TZ="UTC"');
    expect(plan.stdout).not.toContain('redacted');
    expect((await run('apply', '--yes')).code).toBe(0);
    await settled(['orchestrator', 'enhancer', 'coder0', 'coder1']);
    const after = await pids(['orchestrator', 'enhancer', 'coder0', 'coder1']);
    expect(after.coder0).not.toBe(before.coder0);
    expect({ ...after, coder0: 0 }).toEqual({ ...before, coder0: 0 });
    // The restarted agent's process has the new environment.
    const pane = await m.run('tmux', ['-L', 'mosaic', 'list-panes', '-t', '=mosaic:=coder0', '-F', '#{pane_pid}']);
    const child = await m.run('pgrep', ['-P', pane.stdout.trim(), 'sleep']);
    expect(await m.run('sh', ['-c', `tr '\\0' '\\n' < /proc/${child.stdout.trim()}/environ`]).then((r) => r.stdout)).toContain('TZ=UTC\n');
  });

  it('remove an agent: stopped, disabled, window closed, files gone, and it stays gone after a reboot', async () => {
    write(roster(`${CODER0}    env: { TZ: UTC }\n`));
    const plan = await run('plan');
    expect(plan.stdout).toMatch(/stop +mosaic-agent@coder1\.service/);
    expect(plan.stdout).toMatch(/disable +mosaic-agent@coder1\.service/);
    expect(plan.stdout).toContain(`- ${FLEET_DIR}/env/coder1.env`);
    expect((await run('apply', '--yes')).code).toBe(0);
    expect(await active('coder1')).toBe('inactive');
    expect((await unitState(m, agentUnit('coder1'))).enabled).not.toBe('enabled');
    const files = await m.systemctl('list-unit-files', '--no-legend', 'mosaic*');
    expect(files.stdout).not.toContain('coder1');
    expect(await windows(m, 'mosaic')).not.toContain('coder1');
    expect(existsSync(join(m.configHome, envTarget('coder1')))).toBe(false);
    expect(existsSync(join(m.configHome, launchTarget('coder1')))).toBe(false);
    await m.reboot(['mosaic']);
    await settled(['orchestrator', 'enhancer', 'coder0']);
    expect(await active('coder1')).toBe('inactive');
    expect(await windows(m, 'mosaic')).not.toContain('coder1');
  });

  it('switch an agent to on-demand: disabled, left running', async () => {
    const pid = (await unitState(m, agentUnit('coder0'))).mainPid;
    write(roster(`${CODER0}    env: { TZ: UTC }\n    lifecycle: on-demand\n`));
    const plan = await run('plan');
    expect(plan.stdout).toMatch(/disable +mosaic-agent@coder0\.service/);
    expect(plan.stdout).not.toMatch(/(stop|restart) +mosaic-agent@coder0/);
    expect((await run('apply', '--yes')).code).toBe(0);
    const state = await unitState(m, agentUnit('coder0'));
    expect(state).toMatchObject({ active: 'active', mainPid: pid });
    expect(state.enabled).not.toBe('enabled');
  });

  it('hand-edit an installed env file: plan shows drift, apply refuses without --force', async () => {
    const envFile = join(m.configHome, envTarget('enhancer'));
    appendFileSync(envFile, 'HAND=edited\n');
    write(roster(`${CODER0}    env: { TZ: UTC }\n    lifecycle: on-demand\n`, ', env: { LOG_LEVEL: debug }'));
    const plan = await run('plan');
    expect(plan.stdout).toContain(`! ${FLEET_DIR}/env/enhancer.env: edited by hand`);
    const refused = await run('apply', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[DRIFT]');
    expect(homeListing(m.home).join('\n')).toContain('enhancer.env');
    const forced = await run('apply', '--yes', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
  });

  it('at the end of the walk the host equals a fresh install of the final roster', async () => {
    const walked = homeListing(m.home);
    expect((await run('uninstall', '--yes')).code).toBe(0);
    expect((await run('apply', '--yes')).code).toBe(0);
    expect(homeListing(m.home)).toEqual(walked);
  });

  it('a plan with no changes says so and exits 0 under --detailed-exitcode', async () => {
    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.stdout).toBe('No changes. The installed fleet matches the build.\n');
    expect(plan.code).toBe(0);
  });

  it('uninstall, with the roster gone: the home is as before the walk, no unit known, tmux gone', async () => {
    writeFileSync(join(work, 'roster.yaml'), 'not: a roster\n');
    const result = await run('uninstall', '--yes');
    expect(result.code, result.stderr).toBe(0);
    expect(homeListing(m.home)).toEqual(homeBefore);
    const units = await m.systemctl('list-units', '--all', '--no-legend', 'mosaic*');
    expect(units.stdout.trim()).toBe('');
    expect((await m.run('tmux', ['-L', 'mosaic', 'list-sessions'])).code).not.toBe(0);
    const twice = await run('uninstall', '--yes');
    expect(twice).toMatchObject({ code: 0 });
    expect(twice.stdout).toContain('Nothing is installed');
  });
});

describeHost('an agent that cannot start', () => {
  let m: UserManager;
  beforeAll(async () => {
    m = await startUserManager();
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('with a missing workdir, fails its unit (not active forever), and restarts keep trying', async () => {
    const work = tempDir('mosaic-broken-');
    writeFileSync(join(work, 'roster.yaml'), roster(`${CODER0}    workdir: /nonexistent/dir\n`));
    expect((await mosaic(m, work, 'apply', '--yes')).code).toBe(0);
    const unit = agentUnit('coder0');
    await until('the broken agent to fail at least once', async () => {
      const shown = await m.systemctl('show', '--property=NRestarts,ExecMainStatus', unit);
      return /NRestarts=[1-9]/.test(shown.stdout) && /ExecMainStatus=[1-9]/.test(shown.stdout);
    }, 30_000);
    await until('the other agents to run', async () => (await unitState(m, agentUnit('enhancer'))).active === 'active');
  });
});
