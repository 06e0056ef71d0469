import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyOps } from '../../src/apply/apply-ops.js';
import { planTransition } from '../../src/diff/plan-transition.js';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import type { CommandRunner } from '../../src/host/run-command.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { agentUnit } from '../../src/model/artifact.js';
import { readInstalled, type HostPaths } from '../../src/state/read-installed.js';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { tempDir } from '../support/cli.js';
import { describeHost, homeListing, mosaic, unitState, until } from '../support/host.js';

/**
 * Fault injection: an apply interrupted after each of its ops in turn, then re-run, always ends
 * in the state a clean apply reaches — same files, links and modes, same running agents, and a
 * plan with no changes. Both directions between two rosters are interrupted at every step.
 */

const HEAD = `version: 1
profile: general
fleet: { linger: false }
runtimes: { claude: { command: [sleep, "100001"] }, codex: { command: [sleep, "100002"] } }
agents:
`;
const A = `${HEAD}  - name: coder0\n    runtime: codex\n  - name: coder2\n    runtime: codex\n`;
const B = `${HEAD}  - name: coder0\n    runtime: codex\n    env: { TZ: UTC }\n  - name: coder1\n    runtime: codex\n`;

class Interrupted extends Error {}

describeHost('an interrupted apply converges when re-run', () => {
  let m: UserManager;
  let work: string;
  const reference = new Map<string, { home: string[]; running: string[] }>();

  const paths = (): HostPaths => ({ root: '', configHome: m.configHome, user: 'root' });
  const runner: CommandRunner = (command, args) => m.run(command, [...args]);
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

  /** The ops of the transition to `roster`, run in-process and stopped after op `stopAfter`. */
  const interruptedApply = async (roster: string, stopAfter: number): Promise<number> => {
    const { fleet } = loadFleetFromText(roster, 'roster.yaml');
    const output = assembleOutput(fleet!, '0.1.0');
    const text = new Map(output.files.map((f) => [f.path, f.text]));
    const build = { manifest: output.manifest, text };
    const read = await readInstalled(paths(), { targets: output.manifest.files.map((f) => f.target), units: agents.map(agentUnit) }, runner);
    if (!read.ok) throw new Error(read.diagnostic.message);
    const { ops } = planTransition(build, read.installed);
    await applyOps(ops, {
      paths: paths(),
      runner,
      text,
      log: () => {},
      afterOp: (index) => {
        if (index === stopAfter) throw new Interrupted();
      },
    }).catch((error) => {
      if (!(error instanceof Interrupted)) throw error;
    });
    return ops.length;
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

  it('after every op, in both directions', async () => {
    let total = { AB: 0, BA: 0 };
    for (let k = 0; k < Math.max(total.AB, total.BA, 1); k++) {
      total.AB = await interruptedApply(B, k);
      await expectConverged(B);
      total.BA = await interruptedApply(A, k);
      await expectConverged(A);
    }
    expect(total.AB).toBeGreaterThan(5);
    expect(total.BA).toBeGreaterThan(5);
  }, 600_000);
});
