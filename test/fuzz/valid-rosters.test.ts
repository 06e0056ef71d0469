/**
 * Property: every valid roster builds, deterministically, into the files its manifest lists, units
 * that systemd-analyze accepts, scripts that parse, and env files that give back every value byte
 * for byte. (That the scripts install and uninstall exactly that: offline-install.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { assembleOutput, type BuildOutput } from '../../src/emit/assemble-output.js';
import { hasErrors } from '../../src/errors.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import type { Fleet } from '../../src/model/fleet.js';
import { shWord } from '../../src/render/quote.js';
import { VERSION } from '../../src/version.js';
import { verifyUnits } from '../harness/user-manager.js';
import { tempDir } from '../support/cli.js';
import { FUZZ_TIMEOUT, RUNS, rosterText, SEED, validRoster, yamlFallbacks, yamlStyle, type Roster } from './arbitraries.js';

/** Rosters whose output is also checked by real tools (systemd-analyze, sh): about 1 in 40, at most 300. */
const SAMPLE_EVERY = 40;
const SAMPLE_MAX = 300;

interface Sampled {
  fleet: Fleet;
  output: BuildOutput;
}

const scratch = tempDir('mosaic-gen-fuzz-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function build(text: string) {
  const result = loadFleetFromText(text, 'roster.yaml');
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !result.fleet) throw new Error(`a valid roster was refused:\n${errors.map((d) => `${d.code}: ${d.message}`).join('\n')}\n--- roster ---\n${text}`);
  for (const w of result.diagnostics) expect(w.code, 'the only warning a valid roster may get is FLOOR').toBe('FLOOR');
  return { fleet: result.fleet, output: assembleOutput(result.fleet, VERSION) };
}

/**
 * The output directory is the manifest's files, each with the content and mode it lists, plus the
 * manifest and the two scripts. What the scripts do with them is test/fuzz/offline-install.test.ts.
 */
function checkManifest(output: BuildOutput): void {
  const file = (path: string) => output.files.find((f) => f.path === path)!;
  const manifest = output.manifest;
  expect(JSON.parse(file('manifest.json').text)).toEqual(manifest);
  for (const entry of manifest.files) {
    const artifact = file(entry.path);
    expect(createHash('sha256').update(artifact.text).digest('hex'), entry.path).toBe(entry.sha256);
    expect(`0${artifact.mode.toString(8)}`, entry.path).toBe(entry.mode);
  }
  expect(output.files.map((f) => f.path).sort()).toEqual([...manifest.files.map((f) => f.path), 'manifest.json', 'install.sh', 'uninstall.sh', 'engine.sh'].sort());
}

/** The fleet says what the roster said: each agent's own args and env values arrive unchanged. */
function checkValues(roster: Roster, fleet: Fleet, output: BuildOutput): void {
  for (const input of roster.agents) {
    const agent = fleet.agents.find((a) => a.name === input.name)!;
    expect(agent, String(input.name)).toBeDefined();
    const args = (input.args as unknown[] | undefined) ?? [];
    args.forEach((arg, i) => {
      if (typeof arg === 'string') expect(agent.command[agent.command.length - args.length + i]).toBe(arg);
    });
    for (const [key, value] of Object.entries((input.env as Record<string, unknown> | undefined) ?? {})) {
      if (typeof value === 'string') expect(new Map(agent.env).get(key)).toBe(value);
    }
    const env = output.files.find((f) => f.path === `env/${agent.name}.env`)!;
    expect(env.mode).toBe(0o600);
    expect(output.files.find((f) => f.path === `launch/${agent.name}.sh`)!.mode).toBe(0o755);
  }
  const enabled = new Set(output.manifest.enable.map((e) => e.unit));
  for (const agent of fleet.agents) expect(enabled.has(`mosaic-agent@${agent.name}.service`), agent.name).toBe(agent.lifecycle === 'always-on');
  expect(output.manifest.linger, 'linger iff the roster asks').toBe(fleet.linger);
}

vi.setConfig({ testTimeout: FUZZ_TIMEOUT });

describe(`valid rosters (${RUNS} cases)`, () => {
  const sampled: Sampled[] = [];

  it('always build, deterministically, into the files their manifest lists', () => {
    let n = 0;
    fc.assert(
      fc.property(validRoster, yamlStyle, (roster, style) => {
        const text = rosterText(roster, style);
        const first = build(text);
        const again = build(text);
        expect(again.output.files).toEqual(first.output.files);
        expect(hasErrors(loadFleetFromText(rosterText(roster), 'roster.yaml').diagnostics), 'the same data in the default style').toBe(false);
        checkManifest(first.output);
        checkValues(roster, first.fleet, first.output);
        if (n++ % SAMPLE_EVERY === 0 && sampled.length < SAMPLE_MAX) sampled.push(first);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: !process.env.FUZZ_SHRINK },
    );
    expect(sampled.length).toBeGreaterThan(0);
    console.log(`${RUNS} valid rosters built (seed ${SEED}); ${yamlFallbacks.count} written double-quoted because yaml could not write them in the chosen style`);
  });

  it('units of a sample are accepted by systemd-analyze --user verify (one call for all)', async () => {
    // One directory for the whole sample: the agent template is the same for every fleet (checked);
    // holders and targets get a fleet-numbered name, agent instances a fleet-numbered instance.
    const dir = join(scratch, 'units');
    mkdirSync(dir, { recursive: true });
    const unit = (s: Sampled, name: string) => s.output.files.find((f) => f.path === `systemd/${name}`)?.text;
    const template = unit(sampled[0]!, 'mosaic-agent@.service')!;
    writeFileSync(join(dir, 'mosaic-agent@.service'), template);
    const verify: string[] = [];
    sampled.forEach((s, k) => {
      expect(unit(s, 'mosaic-agent@.service')).toBe(template);
      for (const [name, renamed] of [['mosaic-tmux-holder.service', `mosaic-tmux-holder-f${k}.service`], ['mosaic-fleet.target', `mosaic-fleet-f${k}.target`]]) {
        const as = k === 0 ? name! : renamed!;
        writeFileSync(join(dir, as), unit(s, name!)!);
        verify.push(join(dir, as));
      }
      for (const agent of s.fleet.agents) {
        const instance = `mosaic-agent@f${k}-${agent.name}.service`;
        const dropIn = unit(s, `mosaic-agent@${agent.name}.service.d/env-files.conf`);
        if (dropIn !== undefined) {
          mkdirSync(join(dir, `${instance}.d`));
          writeFileSync(join(dir, `${instance}.d`, 'env-files.conf'), dropIn);
        }
        verify.push(join(dir, instance));
      }
    });
    // A tmux path that does not exist here is reported with the path as systemd decoded it from
    // ExecStart=: exactly the fleet's tmux value, which also proves the word survived quoting.
    let output = await verifyUnits(dir, verify);
    sampled.forEach((s, k) => {
      if (existsSync(s.fleet.tmux)) return;
      const holder = k === 0 ? 'mosaic-tmux-holder.service' : `mosaic-tmux-holder-f${k}.service`;
      const message = `${holder}: Command ${s.fleet.tmux} is not executable: No such file or directory`;
      expect(output, `the message about fleet ${k}'s tmux path`).toContain(message);
      output = output.replace(message, '');
    });
    expect(output.trim()).toBe('');
    console.log(`systemd-analyze verify: ${verify.length} units of ${sampled.length} fleets, silent`);
  });

  it('scripts of a sample pass sh -n, and sh reads every env value back byte for byte', () => {
    const dir = join(scratch, 'scripts');
    let scripts = 0;
    const checks: string[] = [];
    const expected: string[] = [];
    sampled.forEach((s, k) => {
      for (const file of s.output.files) {
        if (!file.path.endsWith('.sh') && !file.path.endsWith('.env')) continue;
        const path = join(dir, `f${k}`, file.path);
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, file.text);
        chmodSync(path, file.mode);
        if (file.path.endsWith('.sh')) {
          checks.push(`sh -n ${shWord(path)} || echo "sh -n failed: "${shWord(path)}`);
          scripts++;
        }
      }
      for (const agent of s.fleet.agents) {
        const env = new Map([['MOSAIC_AGENT', agent.name], ...(agent.role ? [['MOSAIC_ROLE', agent.role] as [string, string]] : []), ...agent.env]);
        // A subshell per file, so one agent's variables cannot hide another's.
        checks.push(`( . ${shWord(join(dir, `f${k}`, 'env', `${agent.name}.env`))} && printf '%s\\0' ${[...env.keys()].map((key) => `"$${key}"`).join(' ')} )`);
        expected.push(...[...env.values()].map((v) => `${v}\0`));
      }
    });
    // A script file, not `sh -c`: one argument may not exceed 128 KiB, and a big sample does.
    writeFileSync(join(dir, 'checks.sh'), `${checks.join('\n')}\n`);
    const result = spawnSync('sh', [join(dir, 'checks.sh')], { encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(expected.join(''));
    console.log(`sh -n: ${scripts} scripts; env files: ${expected.length} values read back by sh`);
  });
});
