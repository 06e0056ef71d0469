import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentUnit } from '../../src/model/artifact.js';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { BIN, tempDir } from '../support/cli.js';
import { failingCommands } from '../support/failing-commands.js';
import { describeHost, homeListing, mosaic, unitState, until } from '../support/host.js';

/**
 * Fault injection: an apply whose Nth host command fails (a stand-in systemctl, mv, rm… on
 * PATH), for every N, leaves a host on which status flags no drift; re-run, it always ends in
 * the state a clean apply reaches: same files, links and modes, same running agents, and a plan
 * with no changes. Both directions between two rosters fail at every step.
 */

const HEAD = `version: 1
profile: general
fleet: { linger: false }
runtimes: { claude: { command: [sleep, "100001"] }, codex: { command: [sleep, "100002"] } }
agents:
`;
const A = `${HEAD}  - name: coder0\n    runtime: codex\n  - name: coder2\n    runtime: codex\n`;
const B = `${HEAD}  - name: coder0\n    runtime: codex\n    env: { TZ: UTC }\n  - name: coder1\n    runtime: codex\n`;

describeHost('an apply that fails at any of its steps leaves a host status reads without drift, and a re-run converges', () => {
  let m: UserManager;
  let work: string;
  const reference = new Map<string, { home: string[]; running: string[] }>();
  // Made in beforeAll: where host tests are skipped, the describe body still runs, its hooks do not.
  let failing: ReturnType<typeof failingCommands>;

  const use = (roster: string) => writeFileSync(join(work, 'roster.yaml'), roster);
  const running = async (names: string[]) => {
    const states = await Promise.all(names.map(async (n) => [n, (await unitState(m, agentUnit(n))).active] as const));
    return states.filter(([, s]) => s === 'active').map(([n]) => n).sort();
  };
  const agents = ['orchestrator', 'enhancer', 'coder0', 'coder1', 'coder2'];
  const settle = async (roster: string) => {
    const expected = roster === A ? ['coder0', 'coder2', 'enhancer', 'orchestrator'] : ['coder0', 'coder1', 'enhancer', 'orchestrator'];
    await until('agents to settle', async () => JSON.stringify(await running(agents)) === JSON.stringify(expected));
  };
  const cleanApply = async (roster: string) => {
    use(roster);
    const result = await mosaic(m, work, 'apply', '--yes');
    expect(result.code, result.stderr).toBe(0);
    await settle(roster);
  };

  /** apply to `roster` with the Nth host command failing; whether it failed, and how many calls it made. */
  const failingApply = async (roster: string, n: number): Promise<{ failed: boolean; calls: number }> => {
    use(roster);
    const result = await m.run(process.execPath, [BIN, 'apply', '--yes'], { cwd: work, env: failing.env(n), timeoutMs: 60_000 });
    const calls = failing.calls();
    if (result.code !== 0) expect(result.stderr, `call ${n}`).toMatch(/error\[(APPLY|STATE)\]/);
    // What status reads of the host: no file the tool wrote counts as changed by hand.
    const status = await mosaic(m, work, 'status', '--json');
    const flagged = (JSON.parse(status.stdout) as { agents: { name: string; flags: string[] }[] }).agents.filter((a) => a.flags.includes('drift'));
    expect(flagged, `failed at call ${n}: ${result.stderr}`).toEqual([]);
    return { failed: result.code !== 0, calls };
  };

  const expectConverged = async (roster: string) => {
    use(roster);
    const rerun = await mosaic(m, work, 'apply', '--yes');
    expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0);
    await settle(roster);
    const plan = await mosaic(m, work, 'plan', '--detailed-exitcode');
    expect(plan.stdout).toContain('No changes.');
    const ref = reference.get(roster)!;
    expect(homeListing(m.home)).toEqual(ref.home);
    expect(await running(agents)).toEqual(ref.running);
  };

  beforeAll(async () => {
    failing = failingCommands();
    m = await startUserManager();
    work = tempDir('mosaic-interrupted-');
    // References: the host after a clean apply of each roster (B reached from A, like the test).
    await cleanApply(A);
    reference.set(A, { home: homeListing(m.home), running: await running(agents) });
    await cleanApply(B);
    reference.set(B, { home: homeListing(m.home), running: await running(agents) });
    await cleanApply(A);
    expect(homeListing(m.home)).toEqual(reference.get(A)!.home);
  }, 120_000);
  afterAll(async () => {
    await m?.stop();
  });

  it('at every call, in both directions', async () => {
    const steps = { AB: 0, BA: 0 };
    let goingOn = { AB: true, BA: true };
    for (let n = 1; goingOn.AB || goingOn.BA; n++) {
      const ab = await failingApply(B, n);
      await expectConverged(B);
      const ba = await failingApply(A, n);
      await expectConverged(A);
      goingOn = { AB: ab.failed, BA: ba.failed };
      steps.AB = Math.max(steps.AB, ab.calls);
      steps.BA = Math.max(steps.BA, ba.calls);
    }
    expect(steps.AB).toBeGreaterThan(5);
    expect(steps.BA).toBeGreaterThan(5);
  }, 900_000);
});
