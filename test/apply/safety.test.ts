import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { VERSION } from '../../src/version.js';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { cli, tempDir } from '../support/cli.js';
import { describeHost, homeListing, listing, mosaic, until } from '../support/host.js';
import { envTarget, FLEET_DIR, LINGER_RECORD, MANIFEST_TARGET } from '../../src/model/artifact.js';

const HEAD = `version: 1
profile: general
fleet: { linger: false }
runtimes: { claude: { command: [sleep, "100001"] }, codex: { command: [sleep, "100002"] } }
agents:
`;
const A = `${HEAD}  - name: coder0\n    runtime: codex\n  - name: coder2\n    runtime: codex\n    envFiles: [~/secrets/coder2.env]\n`;
const B = `${HEAD}  - name: coder0\n    runtime: codex\n    env: { TZ: UTC }\n  - name: coder1\n    runtime: codex\n`;

/** apply and uninstall offline, in-process: files and links only. */
function offlineHost() {
  const home = tempDir('mosaic-safety-');
  const work = tempDir('mosaic-safety-work-');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), USER: 'someone' };
  const run = (roster: string | null, ...args: string[]) => {
    if (roster !== null) writeFileSync(join(work, 'roster.yaml'), roster);
    return cli([...args, '--offline', '--yes'], { cwd: work, env });
  };
  return { home, config: env.XDG_CONFIG_HOME, work, env, run };
}

describe('apply never touches what is not in the installed manifest', () => {
  it('a canary file in every directory apply touches survives apply, changes and uninstall', async () => {
    const host = offlineHost();
    expect((await host.run(A, 'apply')).status).toBe(0);
    const dirs = ['', 'systemd', 'systemd/user', 'systemd/user/mosaic-fleet.target.wants', 'systemd/user/default.target.wants', 'systemd/user/mosaic-agent@coder2.service.d', 'mosaic', `${FLEET_DIR}`, `${FLEET_DIR}/env`, `${FLEET_DIR}/launch`, `${FLEET_DIR}/bin`];
    for (const dir of dirs) writeFileSync(join(host.config, dir, 'canary'), `canary in ${dir}\n`);
    expect((await host.run(B, 'apply')).status).toBe(0);
    expect((await host.run(A, 'apply')).status).toBe(0);
    const uninstall = await host.run(null, 'uninstall');
    expect(uninstall.status, uninstall.stderr).toBe(0);
    for (const dir of dirs) expect(readFileSync(join(host.config, dir, 'canary'), 'utf8')).toBe(`canary in ${dir}\n`);
    expect(existsSync(join(host.config, MANIFEST_TARGET))).toBe(false);
    expect(existsSync(join(host.config, envTarget('coder0')))).toBe(false);
  });

  it('a symlink planted at a file apply writes is replaced, not followed', async () => {
    const host = offlineHost();
    expect((await host.run(A, 'apply')).status).toBe(0);
    const outside = join(tempDir(), 'precious');
    writeFileSync(outside, 'precious\n');
    const target = join(host.config, envTarget('coder0'));
    rmSync(target);
    symlinkSync(outside, target);
    const refused = await host.run(B, 'apply');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[DRIFT]');
    const forced = await host.run(B, 'apply', '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('precious\n');
    expect(readFileSync(target, 'utf8')).toContain('TZ="UTC"');
  });

  it('a symlinked directory is not written through, even with --force', async () => {
    const host = offlineHost();
    expect((await host.run(A, 'apply')).status).toBe(0);
    const outside = tempDir();
    const envDir = join(host.config, `${FLEET_DIR}/env`);
    renameSync(envDir, join(outside, 'env'));
    symlinkSync(join(outside, 'env'), envDir);
    const before = listing(outside);
    const result = await host.run(B, 'apply', '--force');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error\[(APPLY|DRIFT)\]/);
    expect(listing(outside)).toEqual(before);
  });

  it("a symlinked systemd directory (dotfiles) is not written through: the units would land in the user's repository", async () => {
    const host = offlineHost();
    const dotfiles = tempDir('mosaic-dotfiles-');
    mkdirSync(join(dotfiles, 'systemd'));
    mkdirSync(host.config, { recursive: true });
    symlinkSync(join(dotfiles, 'systemd'), join(host.config, 'systemd'));
    const result = await host.run(A, 'apply', '--force');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/refusing to work through .*\/systemd: it is a symbolic link/);
    expect(listing(dotfiles)).toEqual(['d 0755 systemd/']);
  });

  it('offline, linger is changed only under a staging root, never in the live /var/lib/systemd', async () => {
    const host = offlineHost();
    const lingerRoster = A.replace('fleet: { linger: false }', 'fleet: { linger: true }');
    const live = await host.run(lingerRoster, 'apply');
    expect(live.status).toBe(1);
    expect(live.stderr).toContain('error[APPLY]');
    expect(existsSync(host.config)).toBe(false);
    const staging = tempDir('mosaic-staging-');
    writeFileSync(join(host.work, 'roster.yaml'), lingerRoster);
    const staged = await cli(['apply', '--offline', '--yes'], { cwd: host.work, env: { ...host.env, DESTDIR: staging } });
    expect(staged.status, staged.stderr).toBe(0);
    expect(existsSync(join(staging, 'var/lib/systemd/linger/someone'))).toBe(true);
    expect(existsSync(join(staging, host.config, LINGER_RECORD))).toBe(true);
  });

  it('a damaged installed manifest is an error, not a crash, and nothing changes', async () => {
    const host = offlineHost();
    expect((await host.run(A, 'apply')).status).toBe(0);
    writeFileSync(join(host.config, MANIFEST_TARGET), '{"files": 3}');
    const before = listing(host.home);
    for (const args of [['apply', '--yes'], ['plan'], ['uninstall', '--yes']]) {
      writeFileSync(join(host.work, 'roster.yaml'), B);
      const result = await cli([...args, '--offline'], { cwd: host.work, env: host.env });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('error[STATE]');
    }
    expect(listing(host.home)).toEqual(before);
  });

  it('asks before changing anything on a terminal; refuses without one', async () => {
    const host = offlineHost();
    writeFileSync(join(host.work, 'roster.yaml'), A);
    const noTerminal = await cli(['apply', '--offline'], { cwd: host.work, env: host.env });
    expect(noTerminal.status).toBe(1);
    expect(noTerminal.stderr).toContain('error[CONFIRM]');
    const dry = await cli(['apply', '--offline', '--dry-run'], { cwd: host.work, env: host.env });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Would run:');
    expect(dry.stdout).toContain(`ln -s ${join(host.config, 'systemd/user/mosaic-agent@.service')} ${join(host.config, 'systemd/user/mosaic-fleet.target.wants/mosaic-agent@coder0.service')}`);
    expect(existsSync(host.config)).toBe(false);
  });

  it('plan --json is one document with the same facts', async () => {
    const host = offlineHost();
    writeFileSync(join(host.work, 'roster.yaml'), A);
    const result = await cli(['plan', '--offline', '--json', '--detailed-exitcode'], { cwd: host.work, env: host.env });
    expect(result.status).toBe(2);
    const plan = JSON.parse(result.stdout);
    expect(plan.changes).toBe(true);
    // One creation per file of the build (the manifest is written last, outside the file list).
    const built = assembleOutput(loadFleetFromText(A, 'roster.yaml').fleet!, VERSION).manifest.files.length;
    expect(plan.files.filter((f: { change: string }) => f.change === 'create')).toHaveLength(built);
    expect(plan.units.enable).toContain('mosaic-agent@coder2.service');
  });
});


describeHost('apply killed at random points', () => {
  let m: UserManager;
  let work: string;
  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-sigkill-');
    mkdirSync(join(m.home, 'secrets'));
    writeFileSync(join(m.home, 'secrets/coder2.env'), 'API_KEY=sk-never-print-me\n');
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('SIGKILLed repeatedly, then re-run, reaches the state of a clean apply', async () => {
    const use = (roster: string) => writeFileSync(join(work, 'roster.yaml'), roster);
    const clean = async (roster: string) => {
      use(roster);
      expect((await mosaic(m, work, 'apply', '--yes')).code).toBe(0);
      return homeListing(m.home);
    };
    const refA = await clean(A);
    const refB = await clean(B);
    expect(await clean(A)).toEqual(refA);
    // A seeded sequence of kill delays, so a failure can be replayed.
    let seed = 20261125;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const [roster, ref] of [[B, refB], [A, refA], [B, refB], [A, refA]] as const) {
      use(roster);
      for (let i = 0; i < 3; i++) {
        const delay = (0.15 + next() * 1.2).toFixed(2);
        const killed = await m.run('timeout', ['-s', 'KILL', delay, process.execPath, join(process.cwd(), 'bin/mosaic-gen.js'), 'apply', '--yes'], { cwd: work });
        expect([0, 1, 137]).toContain(killed.code);
        expect(killed.stdout + killed.stderr).not.toContain('sk-never-print-me');
      }
      const rerun = await mosaic(m, work, 'apply', '--yes');
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout + rerun.stderr).not.toContain('sk-never-print-me');
      await until('no changes', async () => (await mosaic(m, work, 'plan', '--detailed-exitcode')).code === 0);
      expect(homeListing(m.home)).toEqual(ref);
    }
  }, 300_000);
});
