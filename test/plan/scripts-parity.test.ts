/**
 * One engine, held together: for a random walk of roster edits, the bundle's own install.sh
 * (--offline, under one DESTDIR) and mosaic-gen's apply engine (offline, under another) leave
 * byte-, mode- and link-identical trees after every step, and say the same plan summary; the
 * last build's uninstall.sh, whatever was installed before, gives back the empty staging root.
 * The scripts are run for real (sh, coreutils), not compared with the code that wrote them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOps } from '../../src/apply/apply-ops.js';
import { planTransition, type TargetBuild } from '../../src/diff/plan-transition.js';
import { summary } from '../../src/diff/render-plan.js';
import { assembleOutput, type BuildOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { readInstalled, agentUnits, type HostPaths } from '../../src/state/read-installed.js';
import { tempDir } from '../support/cli.js';
import { listing } from '../support/host.js';

const HOME = '/home/fleetuser';
const USER = 'fleetuser';

const agentName = fc.constantFrom('coder0', 'coder7', 'ops', 'research-a', 'w1', 'w2');
const agent = fc.record({
  name: agentName,
  lifecycle: fc.constantFrom('always-on', 'on-demand'),
  env: fc.dictionary(fc.constantFrom('TZ', 'LOG', 'K1'), fc.constantFrom('a', 'b', 'x y', '1'), { maxKeys: 2 }),
  envFiles: fc.constantFrom([], ['/etc/mosaic/a.env'], ['~/.config/mosaic/secrets/b.env']),
  args: fc.constantFrom([], ['--model', 'o4'], ['--fast']),
});
const roster = fc
  .record({
    profile: fc.constantFrom('general', 'coding', 'minimal'),
    linger: fc.boolean(),
    session: fc.constantFrom('mosaic', 'fleet2'),
    agents: fc.uniqueArray(agent, { selector: (a) => a.name, maxLength: 4 }),
  })
  .map(({ profile, linger, session, agents }) => {
    const lines = [`version: 1`, `profile: ${profile}`, `fleet: { linger: ${linger}, session: ${session} }`, 'runtimes: { codex: { command: [sleep, "1000"] } }', 'agents:'];
    for (const a of agents) {
      lines.push(`  - name: ${a.name}`, `    runtime: codex`, `    lifecycle: ${a.lifecycle}`, `    env: ${JSON.stringify(a.env)}`, `    envFiles: ${JSON.stringify(a.envFiles)}`, `    args: ${JSON.stringify(a.args)}`);
    }
    if (agents.length === 0) lines.push('  []');
    return `${lines.join('\n').replace('agents:\n  []', 'agents: []')}\n`;
  });

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const fresh = (prefix: string) => {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
};

function compile(text: string, name: string): BuildOutput {
  const { fleet, diagnostics } = loadFleetFromText(text, name);
  if (!fleet) throw new Error(`roster refused: ${JSON.stringify(diagnostics)}\n${text}`);
  return assembleOutput(fleet, '0.0.0-parity');
}

function writeBundle(output: BuildOutput): string {
  const out = fresh('mosaic-parity-out-');
  for (const file of output.files) {
    mkdirSync(dirname(join(out, file.path)), { recursive: true });
    writeFileSync(join(out, file.path), file.text);
    chmodSync(join(out, file.path), file.mode);
  }
  return out;
}

function script(out: string, name: string, stage: string, ...args: string[]) {
  const r = spawnSync('sh', [join(out, name), '--offline', ...args], { cwd: '/', env: { PATH: process.env.PATH, HOME, USER, DESTDIR: stage }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function engine(output: BuildOutput | null, stage: string): Promise<string> {
  const paths: HostPaths = { root: stage, configHome: `${HOME}/.config`, user: USER };
  const build: TargetBuild | null = output && { manifest: output.manifest, text: new Map(output.files.map((f) => [f.path, f.text])) };
  const read = await readInstalled(paths, build && { targets: build.manifest.files.map((f) => f.target), units: agentUnits(build.manifest) }, null);
  if (!read.ok) throw new Error(read.diagnostic.message);
  const transition = planTransition(build, read.installed);
  await applyOps(transition.ops, { paths, runner: null, text: build?.text ?? new Map(), log: () => {} });
  return summary(transition);
}

describe('install.sh and apply are one engine', () => {
  it('a random walk of roster edits leaves identical trees under two staging roots, and uninstall.sh empties both', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(roster, { minLength: 1, maxLength: 3 }), async (walk) => {
        const viaScript = fresh('mosaic-parity-sh-');
        const viaEngine = fresh('mosaic-parity-ts-');
        let last = '';
        for (const [step, text] of walk.entries()) {
          // Differently named rosters in different folders, as CI would build them.
          const output = compile(text, `fleets/step-${step}.yaml`);
          last = writeBundle(output);
          const check = script(last, 'install.sh', viaScript, '--check');
          const ran = script(last, 'install.sh', viaScript);
          expect(ran.status, ran.stderr).toBe(0);
          const said = await engine(output, viaEngine);
          expect(listing(viaScript), `step ${step}:\n${text}`).toEqual(listing(viaEngine));
          // --check told the same plan as the engine, and changed nothing by itself.
          expect(check.stdout.trim().split('\n').at(-1)).toBe(said);
          expect([0, 2]).toContain(check.status);
          expect(ran.stdout.trim().split('\n').at(-1)).toMatch(said.startsWith('No changes') ? /^install\.sh: ok: / : /^install\.sh: changed: /);
          const again = script(last, 'install.sh', viaScript, '--check');
          expect(again.status, again.stdout).toBe(0);
        }
        // Converged: the walk ends where installing the last build alone would.
        const alone = fresh('mosaic-parity-alone-');
        expect(script(last, 'install.sh', alone).status).toBe(0);
        expect(listing(viaScript)).toEqual(listing(alone));
        const gone = script(last, 'uninstall.sh', viaScript);
        expect(gone.status, gone.stderr).toBe(0);
        await engine(null, viaEngine);
        expect(listing(viaScript)).toEqual(listing(viaEngine));
        expect(listing(viaScript).filter((line) => !line.startsWith('d ') || !/^d \d+ (home\/|var\/)/.test(line) || line.includes('.config'))).toEqual([]);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) >= 1000 ? 60 : 4, seed: 20261125, endOnFailure: true },
    );
  }, 300_000);
});
