/**
 * One engine changes hosts (issue 25): the divergences an adversarial review found between the
 * CLI and the bundle's scripts, each on the real user manager, through `mosaic-gen` (which runs
 * the bundle's engine) and the bundle's own scripts alike.
 *
 * This machine has no logind: linger is shown with a stand-in `loginctl` on PATH that creates
 * and removes the linger file as logind does (in a tmpfs mounted over /var/lib/systemd/linger
 * inside the manager's private mount namespace, so the machine's own directory is never touched).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { BIN, tempDir } from '../support/cli.js';
import { describeHost, listing, until } from '../support/host.js';

const LINGER = '/var/lib/systemd/linger';
const roster = (linger: boolean) => `version: 1
profile: general
fleet: { linger: ${linger} }
runtimes: { claude: { command: [sleep, "100001"] }, codex: { command: [sleep, "100002"] } }
agents:
  - name: coder0
    runtime: codex
`;

describeHost('one engine: linger, units of the user, temporary files', () => {
  let m: UserManager;
  let work: string;
  let standIns: string;
  const calls = () => (existsSync(join(standIns, 'calls')) ? readFileSync(join(standIns, 'calls'), 'utf8') : '');
  const lingering = async () => (await m.run('test', ['-e', `${LINGER}/root`])).code === 0;
  const mosaic = (...args: string[]) => m.run(process.execPath, [BIN, ...args], { cwd: work, env: { PATH: `${join(standIns, 'bin')}:${process.env.PATH}` }, timeoutMs: 60_000 });
  const use = (linger: boolean) => writeFileSync(join(work, 'roster.yaml'), roster(linger));

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-one-engine-');
    standIns = tempDir('mosaic-loginctl-');
    mkdirSync(join(standIns, 'bin'));
    // logind's contract: enable-linger USER creates /var/lib/systemd/linger/USER, disable removes it.
    // With KILL_AFTER_ENABLE set, the run that called it is killed right after (a power cut).
    writeFileSync(
      join(standIns, 'bin', 'loginctl'),
      `#!/bin/sh\necho "$*" >>"${standIns}/calls"\ncase $1 in\n  enable-linger) : >"${LINGER}/$2"; if [ -e "${standIns}/kill" ]; then rm -f "${standIns}/kill"; kill -KILL "$PPID"; fi ;;\n  disable-linger) rm -f "${LINGER}/$2" ;;\n  *) exit 1 ;;\nesac\n`,
    );
    chmodSync(join(standIns, 'bin', 'loginctl'), 0o755);
    const mounted = await m.run('sh', ['-c', `mkdir -p ${LINGER} && mount -t tmpfs tmpfs ${LINGER}`]);
    expect(mounted.code, mounted.stderr).toBe(0);
  });
  afterAll(async () => {
    await m?.stop();
  });
  beforeEach(async () => {
    writeFileSync(join(standIns, 'calls'), '');
    await m.run('rm', ['-f', `${LINGER}/root`]);
  });

  it('linger on before the fleet: apply runs no loginctl, plan says no changes, uninstall leaves it on', async () => {
    await m.run('touch', [`${LINGER}/root`]);
    use(true);
    const apply = await mosaic('apply', '--yes');
    expect(apply.code, apply.stderr).toBe(0);
    expect(calls()).toBe('');
    const plan = await mosaic('plan', '--detailed-exitcode');
    expect(plan.stdout).toBe('No changes. The installed fleet matches the build.\n');
    expect(plan.code).toBe(0);
    expect((await mosaic('uninstall', '--yes')).code).toBe(0);
    expect(calls()).toBe('');
    expect(await lingering()).toBe(true);
  });

  it('linger off before: on after apply, off after uninstall (the CLI and the scripts alike)', async () => {
    use(true);
    expect((await mosaic('apply', '--yes')).code).toBe(0);
    expect(await lingering()).toBe(true);
    expect(calls()).toBe('enable-linger root\n');
    expect((await mosaic('plan', '--detailed-exitcode')).code).toBe(0);
    expect((await mosaic('uninstall', '--yes')).code).toBe(0);
    expect(await lingering()).toBe(false);
    // The same through the bundle's scripts.
    expect((await mosaic('build', '-o', 'out')).code).toBe(0);
    const env = { PATH: `${join(standIns, 'bin')}:${process.env.PATH}` };
    expect((await m.run('sh', [join(work, 'out/install.sh')], { env })).code).toBe(0);
    expect(await lingering()).toBe(true);
    expect((await m.run('sh', [join(work, 'out/uninstall.sh')], { env })).code).toBe(0);
    expect(await lingering()).toBe(false);
    expect(calls()).toBe('enable-linger root\ndisable-linger root\nenable-linger root\ndisable-linger root\n');
  });

  it('a run killed right after enable-linger: a re-run and then uninstall leave linger off', async () => {
    use(true);
    writeFileSync(join(standIns, 'kill'), '');
    const killed = await mosaic('apply', '--yes');
    expect(killed.code).not.toBe(0);
    expect(await lingering()).toBe(true);
    const rerun = await mosaic('apply', '--yes');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await mosaic('plan', '--detailed-exitcode')).code).toBe(0);
    expect((await mosaic('uninstall', '--yes')).code).toBe(0);
    expect(await lingering()).toBe(false);
  });

  it("the user's own enabled mosaic-backup.service survives install, apply and uninstall, still enabled", async () => {
    const unit = join(m.unitDir, 'mosaic-backup.service');
    writeFileSync(unit, '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=default.target\n');
    expect((await m.systemctl('enable', 'mosaic-backup.service')).code).toBe(0);
    const enabled = async () => (await m.systemctl('is-enabled', 'mosaic-backup.service')).stdout.trim();
    use(false);
    expect((await mosaic('build', '-o', 'out')).code).toBe(0);
    expect((await m.run('sh', [join(work, 'out/install.sh')])).code).toBe(0);
    expect(await enabled()).toBe('enabled');
    writeFileSync(join(work, 'roster.yaml'), roster(false).replace('runtime: codex', 'runtime: claude'));
    const plan = await mosaic('plan');
    expect(plan.stdout).not.toContain('mosaic-backup');
    expect((await mosaic('apply', '--yes')).code).toBe(0);
    expect(await enabled()).toBe('enabled');
    expect((await mosaic('uninstall', '--yes')).code).toBe(0);
    expect(await enabled()).toBe('enabled');
    expect(existsSync(unit)).toBe(true);
    await m.systemctl('disable', 'mosaic-backup.service');
  });

  it('plan, apply --dry-run and install.sh --check name an agent whose runtime is not on the PATH the manager gives it, or whose workdir is missing', async () => {
    writeFileSync(join(work, 'roster.yaml'), roster(false).replace('runtime: codex', 'runtime: ghost\n    workdir: ~/nowhere').replace('codex: {', 'ghost: { command: [no-such-runtime-7] }, codex: {'));
    const plan = await mosaic('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Warnings \(what would stop an agent on this host\):\n {2}\? coder0: workdir \/.*\/nowhere does not exist\n {2}\? coder0: no-such-runtime-7: command not found \(PATH=[^)]*\/usr\/bin[^)]*\)\n/);
    expect(plan.stdout).not.toMatch(/orchestrator: .*command not found/);
    const json = JSON.parse((await mosaic('plan', '--json')).stdout) as { warnings: string[] };
    expect(json.warnings).toHaveLength(2);
    expect((await mosaic('apply', '--dry-run')).stdout).toContain('coder0: no-such-runtime-7: command not found');
    expect((await mosaic('build', '-o', 'out')).code).toBe(0);
    const check = await m.run('sh', [join(work, 'out/install.sh'), '--check']);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain('? coder0: no-such-runtime-7: command not found');
  });

  it('uninstall keeps the transcripts; uninstall --purge leaves home exactly as before install', async () => {
    // The tests before this one left their agents' transcripts, as uninstall does.
    expect((await mosaic('uninstall', '--yes', '--purge')).code).toBe(0);
    const pristine = listing(m.home);
    use(false);
    expect((await mosaic('apply', '--yes')).code).toBe(0);
    const transcripts = join(m.home, '.local/state/mosaic');
    await until('a transcript', async () => existsSync(join(transcripts, 'coder0.log')));
    expect((await mosaic('uninstall', '--yes')).code).toBe(0);
    expect(existsSync(join(transcripts, 'coder0.log'))).toBe(true);
    const purge = await mosaic('uninstall', '--yes', '--purge');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain('transcripts purged');
    expect(listing(m.home)).toEqual(pristine);
  });

  it('a .mosaic-tmp. file behind a symlinked ~/.config/systemd survives every run', async () => {
    const dotfiles = tempDir('mosaic-dotfiles-');
    renameSync(join(m.configHome, 'systemd'), join(dotfiles, 'systemd'));
    symlinkSync(join(dotfiles, 'systemd'), join(m.configHome, 'systemd'));
    writeFileSync(join(dotfiles, 'systemd/user/.mosaic-tmp.x'), 'the user\'s\n');
    const before = listing(dotfiles);
    use(false);
    expect((await mosaic('build', '-o', 'out')).code).toBe(0);
    for (const run of [() => mosaic('apply', '--yes', '--force'), () => m.run('sh', [join(work, 'out/install.sh'), '--force'])]) {
      const r = await run();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/refusing to work through .*\/systemd: it is a symbolic link/);
    }
    expect((await mosaic('uninstall', '--yes', '--force')).code).toBe(0);
    expect(listing(dotfiles)).toEqual(before);
    await m.run('rm', [join(m.configHome, 'systemd')]);
    renameSync(join(dotfiles, 'systemd'), join(m.configHome, 'systemd'));
  });
});
