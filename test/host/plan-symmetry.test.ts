/**
 * A property over generated rosters: uninstall.sh runs exactly the inverses of install.sh's ops,
 * in reverse order. Checked on the scripts' text (the op calls they really make), against an
 * inverse table written here independently of src/plan/ops.ts, and the plan covers the manifest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { opShell } from '../../src/plan/op-shell.js';
import { uninstallPlan } from '../../src/plan/ops.js';
import { VERSION } from '../../src/version.js';

const OP_FUNCTIONS = [
  'daemon_reload', 'make_dir', 'remove_dir', 'install_file', 'remove_file', 'enable_unit', 'disable_unit',
  'start_unit', 'stop_unit', 'enable_linger', 'disable_linger',
] as const;
type Call = { fn: string; args: string[] };

/** Reads one line of sh made of a bare word and '…'-quoted words (with '\'' for a quote). */
function parseCall(line: string): Call {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    while (i < line.length && line[i] !== ' ') {
      if (line[i] === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated quote in ${line}`);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (line[i] === '\\') {
        word += line[i + 1];
        i += 2;
      } else word += line[i++];
    }
    words.push(word);
  }
  return { fn: words[0]!, args: words.slice(1) };
}

/** The op calls a generated script makes at top level, in order. */
function scriptCalls(text: string): Call[] {
  const names = new Set<string>(OP_FUNCTIONS);
  return text
    .split('\n')
    .filter((line) => names.has(line.split(' ')[0]!) && !line.includes('()'))
    .map(parseCall);
}

/** The inverse of a call, as the issue defines the pairs (independent of src/plan/ops.ts). */
function inverseCall({ fn, args }: Call): Call {
  switch (fn) {
    case 'daemon_reload':
      return { fn, args };
    case 'make_dir':
      return { fn: 'remove_dir', args };
    case 'install_file':
      return { fn: 'remove_file', args: [args[1]!] };
    case 'enable_unit':
      return { fn: 'disable_unit', args };
    case 'start_unit':
      return { fn: 'stop_unit', args };
    case 'enable_linger':
      return { fn: 'disable_linger', args };
    default:
      throw new Error(`install.sh should not call ${fn}`);
  }
}

// ---------------------------------------------------------------- roster generator

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
/** Any text but NUL and CR (validate rejects CR in env values). */
const value = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[\0\r]/g, ''));
const envKey = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
const pathValue = fc.oneof(
  fc.constant('~'),
  value.map((v) => `~/${v.replace(/\n/g, '').replace(/^\/+/, '')}`.replace(/\/+$/, '') || '~'),
  value.map((v) => `/srv/${v.replace(/\n/g, '')}`.replace(/\/+$/, '')),
);
/** An env file path fits on one unit-file line: no line break, no surrounding space, no trailing \\. */
const envFile = fc
  .tuple(fc.constantFrom('~/', '/etc/'), value)
  .map(([dir, v]) => `${dir}${v.replace(/[\n\t\v\f\\/]/g, '_').trim() || 'x'}.env`);

const extraAgent = fc.record(
  {
    name,
    runtime: fc.constantFrom('claude', 'codex', 'pi', 'opencode', 'custom-rt'),
    role: fc.constantFrom('coder', 'research', 'code-review', 'board', 'operations', 'data-analysis'),
    lifecycle: fc.constantFrom('always-on', 'on-demand'),
    workdir: pathValue,
    args: fc.array(value, { maxLength: 3 }),
    env: fc.dictionary(envKey, value, { maxKeys: 3 }),
    envFiles: fc.uniqueArray(envFile, { maxLength: 2 }),
  },
  { requiredKeys: ['name', 'runtime', 'role'] },
);

const roster = fc
  .record({
    profile: fc.constantFrom(undefined, 'general', 'coding', 'research', 'minimal'),
    session: fc.option(name, { nil: undefined }),
    linger: fc.option(fc.boolean(), { nil: undefined }),
    fleetEnv: fc.dictionary(envKey, value, { maxKeys: 2 }),
    agents: fc.uniqueArray(extraAgent, { selector: (a) => a.name, maxLength: 5 }),
  })
  .map(({ profile, session, linger, fleetEnv, agents }) => {
    const reserved = new Set(['orchestrator', 'enhancer', 'coder0', 'coder1', 'code-review', 'security-review', 'research0', 'research1', 'board']);
    const own = agents.filter((a) => !reserved.has(a.name));
    const floor = profile === undefined ? [{ name: 'orchestrator', runtime: 'pi', class: 'orchestrator' }, { name: 'enhancer', runtime: 'claude', role: 'enhancer' }] : [];
    return {
      version: 1,
      ...(profile ? { profile } : {}),
      transport: 'tmux',
      fleet: { ...(session ? { session } : {}), ...(linger !== undefined ? { linger } : {}), env: fleetEnv },
      runtimes: { 'custom-rt': { command: ['/opt/rt/bin/run', '--flag'] } },
      agents: [...floor, ...own],
    };
  });

describe('the install/uninstall plan as data', () => {
  it('uninstall.sh runs exactly the reversed inverses of install.sh, for generated rosters', () => {
    fc.assert(
      fc.property(roster, (doc) => {
        const text = stringify(doc);
        const loaded = loadFleetFromText(text, 'roster.yaml');
        if (!loaded.fleet) throw new Error(`generated roster does not load:\n${text}\n${JSON.stringify(loaded.diagnostics, null, 1)}`);
        const output = assembleOutput(loaded.fleet, VERSION);
        const file = (path: string) => output.files.find((f) => f.path === path)!.text;
        const install = scriptCalls(file('install.sh'));
        const uninstall = scriptCalls(file('uninstall.sh'));

        // The scripts are the plan: one call per op, in order.
        expect(install.map((c) => [c.fn, ...c.args])).toEqual(output.install.map((op) => parseCall(opShell(op))).map((c) => [c.fn, ...c.args]));
        expect(uninstall.map((c) => [c.fn, ...c.args])).toEqual(uninstallPlan(output.install).map((op) => parseCall(opShell(op))).map((c) => [c.fn, ...c.args]));
        // The symmetry, by the pairs' definition.
        expect(uninstall).toEqual(install.map(inverseCall).reverse());

        // The plan covers the manifest: every file, every unit to enable, linger iff asked.
        const manifest = output.manifest;
        const installed = install.filter((c) => c.fn === 'install_file').map((c) => c.args[1]);
        expect(installed).toEqual([...manifest.files.map((f) => f.target), 'mosaic/fleet/manifest.json']);
        expect(install.filter((c) => c.fn === 'enable_unit').map((c) => c.args[0])).toEqual(manifest.enable.map((u) => u.unit));
        const alwaysOn = loaded.fleet.agents.filter((a) => a.lifecycle === 'always-on').map((a) => `mosaic-agent@${a.name}.service`);
        const onDemand = loaded.fleet.agents.filter((a) => a.lifecycle === 'on-demand').map((a) => `mosaic-agent@${a.name}.service`);
        for (const unit of alwaysOn) expect(manifest.enable.map((u) => u.unit)).toContain(unit);
        for (const unit of onDemand) expect(manifest.enable.map((u) => u.unit)).not.toContain(unit);
        expect(install.filter((c) => c.fn === 'enable_linger').length).toBe(loaded.fleet.linger ? 1 : 0);
        // Every directory a file goes in is made first.
        const made = new Set(install.filter((c) => c.fn === 'make_dir').map((c) => c.args[0]));
        for (const target of installed) expect(made.has(target!.split('/').slice(0, -1).join('/'))).toBe(true);
      }),
      { numRuns: 60, seed: 20250101 },
    );
  });
});
