/**
 * Shipping: the bundle alone moves a host from one build to the next, on a REAL user manager.
 * Bundles A and B are built as CI would, from differently named rosters in different folders;
 * B drops coder7, changes coder0's env, adds coder9 and keeps the rest as they were.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserManager, userManagerSupport, type UserManager } from '../harness/user-manager.js';
import { buildRoster, HARMLESS_RUNTIMES, ok, runScript, unitProps, until } from './host-support.js';
import { homeListing } from '../support/host.js';
import { BIN } from '../support/cli.js';
import { envTarget, FLEET_DIR, launchTarget } from '../../src/model/artifact.js';

const support = userManagerSupport();
if (!support.ok) console.warn(`[ship] skipping: ${support.reason}`);

const HEAD = `version: 1\nprofile: general\nfleet: { linger: false }\n${HARMLESS_RUNTIMES}agents:\n`;
const A = `${HEAD}  - name: coder0\n    runtime: codex\n    env: { TZ: UTC }\n  - name: coder7\n    runtime: codex\n  - name: keeper\n    runtime: codex\n`;
const B = `# renamed, moved, and edited\n${HEAD}  - name: coder0\n    runtime: codex\n    env: { TZ: Europe/Paris }\n  - name: keeper\n    runtime: codex\n  - name: coder9\n    runtime: codex\n`;
const unit = (name: string) => `mosaic-agent@${name}.service`;

describe.skipIf(!support.ok)('the bundle converges a host from any installed build', () => {
  let m: UserManager;
  let a: string;
  let b: string;
  let pristine: string[];
  const state = async (u: string) => unitProps(m, u, ['ActiveState', 'MainPID', 'UnitFileState']);
  const pids = async (names: string[]) => Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await state(n)).MainPID] as const)));
  const settled = (units: string[]) => until(`${units.join(', ')} active`, async () => (await Promise.all(units.map(async (u) => (await state(u)).ActiveState === 'active'))).every(Boolean), 30_000);

  beforeAll(async () => {
    m = await startUserManager();
    pristine = homeListing(m.home);
    a = await buildRoster(A, 'roster.yaml');
    b = await buildRoster(B, 'prod.yaml');
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('A then B: --check changes nothing; B stops the removed, restarts the changed, keeps the rest; reboot; uninstall of A', async () => {
    ok(await runScript(m, a, 'install.sh', [], { cwd: '/' }), 'A/install.sh');
    const kept = ['mosaic-tmux-holder.service', unit('orchestrator'), unit('enhancer'), unit('keeper')];
    await settled([...kept, unit('coder0'), unit('coder7')]);
    const before = await pids([...kept, unit('coder0'), unit('coder7')]);

    const check = await runScript(m, b, 'install.sh', ['--check']);
    expect(check.code, check.stdout + check.stderr).toBe(2);
    expect(check.stdout).toMatch(/^Plan: \d+ to add, \d+ to change, \d+ to destroy\.$/m);
    expect(await pids(Object.keys(before))).toEqual(before);

    const moved = ok(await runScript(m, b, 'install.sh', [], { cwd: '/' }), 'B/install.sh');
    expect(moved.stdout).toMatch(/install\.sh: changed: /);
    expect(moved.stdout).toContain(`systemctl --user stop ${unit('coder7')}`);
    expect(moved.stdout).toContain(`systemctl --user restart ${unit('coder0')}`);
    expect(moved.stdout).not.toMatch(/restart mosaic-(tmux-holder|agent@(keeper|orchestrator|enhancer))/);
    await settled([...kept, unit('coder0'), unit('coder9')]);
    const after = await pids([...kept, unit('coder0')]);
    for (const u of kept) expect(after[u], `${u} keeps its main PID`).toBe(before[u]);
    expect(after[unit('coder0')]).not.toBe(before[unit('coder0')]);
    const gone = await state(unit('coder7'));
    expect(gone.ActiveState).not.toBe('active');
    expect(existsSync(join(m.configHome, 'systemd/user/mosaic-fleet.target.wants', unit('coder7')))).toBe(false);
    expect(existsSync(join(m.configHome, envTarget('coder7')))).toBe(false);
    expect(existsSync(join(m.configHome, launchTarget('coder7')))).toBe(false);

    // Now nothing to do, and doing it restarts nothing.
    expect((await runScript(m, b, 'install.sh', ['--check'])).code).toBe(0);
    const steady = await pids([...kept, unit('coder0'), unit('coder9')]);
    const again = ok(await runScript(m, b, 'install.sh'), 'B/install.sh again');
    expect(again.stdout.trim().split('\n')).toEqual(['install.sh: ok: No changes. The installed fleet matches the build.']);
    expect(await pids(Object.keys(steady))).toEqual(steady);

    // Drift: refused without --force, the file left alone; --force restores it.
    const env = join(m.configHome, envTarget('keeper'));
    const original = readFileSync(env, 'utf8');
    writeFileSync(env, `${original}HAND=edited\n`);
    const refused = await runScript(m, b, 'install.sh');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${FLEET_DIR}/env/keeper.env: edited by hand`);
    expect(readFileSync(env, 'utf8')).toBe(`${original}HAND=edited\n`);
    ok(await runScript(m, b, 'install.sh', ['--force']), 'B/install.sh --force');
    expect(readFileSync(env, 'utf8')).toBe(original);

    // A reboot brings back exactly the always-on agents of B.
    await m.reboot();
    await settled([...kept, unit('coder0'), unit('coder9')]);
    expect((await state(unit('coder7'))).ActiveState).toBe('inactive');

    // The old bundle's uninstall.sh removes the fleet that is installed (B's), and the home is as before A.
    ok(await runScript(m, a, 'uninstall.sh', [], { cwd: '/' }), 'A/uninstall.sh');
    expect(homeListing(m.home)).toEqual(pristine);
  }, 300_000);

  it('apply and install.sh make the same transition on the manager: same units active, enabled and restarted, same tree', async () => {
    const agents = ['orchestrator', 'enhancer', 'keeper', 'coder0', 'coder7', 'coder9'].map(unit);
    const all = ['mosaic-tmux-holder.service', 'mosaic-fleet.target', ...agents];
    const observe = async (before: Record<string, string | undefined>) => {
      const now = await Promise.all(all.map(async (u) => [u, await state(u)] as const));
      return {
        active: now.filter(([, s]) => s.ActiveState === 'active').map(([u]) => u),
        enabled: now.filter(([, s]) => s.UnitFileState === 'enabled').map(([u]) => u),
        restarted: now.filter(([u, s]) => s.ActiveState === 'active' && before[u] && before[u] !== '0' && s.MainPID !== before[u]).map(([u]) => u),
        tree: homeListing(m.home),
      };
    };
    const walk = async (second: 'apply' | 'install.sh') => {
      ok(await runScript(m, a, 'install.sh'), 'A/install.sh');
      await settled(['mosaic-tmux-holder.service', unit('coder0'), unit('coder7'), unit('keeper')]);
      const before = await pids(all);
      if (second === 'install.sh') ok(await runScript(m, b, 'install.sh'), 'B/install.sh');
      else ok(await m.run(process.execPath, [BIN, 'apply', 'prod.yaml', '--yes'], { cwd: join(b, '..'), timeoutMs: 60_000 }), 'mosaic-gen apply');
      await settled([unit('coder0'), unit('coder9'), unit('keeper')]);
      const seen = await observe(before);
      ok(await runScript(m, b, 'uninstall.sh'), 'uninstall.sh');
      return seen;
    };
    const viaScript = await walk('install.sh');
    const viaApply = await walk('apply');
    expect(viaApply).toEqual(viaScript);
    expect(viaScript.restarted).toEqual([unit('coder0')]);
  }, 300_000);

  it("refuses when the user manager's %E is not where it would install", async () => {
    const elsewhere = join(m.home, 'elsewhere');
    const r = await runScript(m, b, 'install.sh', [], { env: { XDG_CONFIG_HOME: elsewhere } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the user manager reads its units from ${m.configHome} (%E), but this run would install under ${elsewhere}`);
    const cli = await m.run(process.execPath, [BIN, 'plan', 'prod.yaml'], { cwd: join(b, '..'), env: { XDG_CONFIG_HOME: elsewhere }, timeoutMs: 60_000 });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/error\[STATE\]: the user manager reads its units from/);
    expect(homeListing(m.home)).toEqual(pristine);
  });
});
