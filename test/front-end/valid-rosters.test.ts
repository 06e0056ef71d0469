import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFleet } from '../../src/load/load-fleet.js';
import { PROFILES } from '../../src/model/roster-input.js';
import { cli, REPO, rosterFile } from '../support/cli.js';

const SEED = `version: 1
transport: tmux
agents:
  - name: orchestrator
    runtime: pi
    class: orchestrator
  - name: coder0
    runtime: codex
    class: worker
`;

describe('valid rosters', () => {
  it("validates the seed's roster literal, warning about the two-agent floor", async () => {
    const { dir } = rosterFile(SEED);
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('roster.yaml: valid, fleet of 2 agents (2 always-on, 0 on-demand), 1 warning\n');
    expect(result.stderr).toContain('roster.yaml:3:1: warning[FLOOR]: the fleet has no enhancer');
    const strict = await cli(['validate', '--strict'], { cwd: dir });
    expect(strict.status).toBe(1);
  });

  it.each(PROFILES)('`profile: %s` without `agents:` is a valid roster: the preset brings them', async (profile) => {
    const { dir, cleanup } = rosterFile(`version: 1\nprofile: ${profile}\n`);
    const result = await cli(['validate', '--strict'], { cwd: dir });
    cleanup();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^roster\\.yaml: valid, ${profile} fleet of \\d+ agents? `));
    expect(result.status).toBe(0);
  });

  it.each(PROFILES)('the %s preset is itself a valid roster', async (profile) => {
    const result = await cli(['validate', join(REPO, 'templates', 'presets', `${profile}.yaml`), '--strict']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("the repository's roster.yaml validates", async () => {
    const result = await cli(['validate', '--strict'], { cwd: REPO });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('roster.yaml: valid, coding fleet of 6 agents');
  });

  it('reports JSON with the resolved fleet', async () => {
    const { dir } = rosterFile(SEED);
    const result = await cli(['validate', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(true);
    expect(report.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'FLOOR', line: 3, col: 1 })]);
    expect(report.fleet.agents.map((a: { name: string; class: string }) => `${a.name}:${a.class}`)).toEqual(['orchestrator:orchestrator', 'coder0:worker']);
  });
});

describe('preset merge', () => {
  const resolve = (yaml: string) => {
    const { path } = rosterFile(yaml);
    return loadFleet(path, 'roster.yaml');
  };

  it('merges by name: preset order first, roster fields win, new agents appended, omit drops', () => {
    const { fleet, diagnostics } = resolve(`version: 1
profile: coding
omit: [coder1, security-review]
runtimes:
  codex: { command: [codex, --full-auto], env: { CODEX_HOME: /srv/codex } }
agents:
  - name: coder0
    lifecycle: always-on
    args: [--model, o4]
  - name: ops
    runtime: opencode
    role: operations
`);
    expect(diagnostics).toEqual([]);
    expect(fleet!.agents.map((a) => a.name)).toEqual(['orchestrator', 'enhancer', 'coder0', 'code-review', 'ops']);
    const coder0 = fleet!.agents[2]!;
    expect(coder0).toMatchObject({ role: 'coder', class: 'worker', runtime: 'codex', lifecycle: 'always-on', workdir: '~' });
    expect(coder0.command).toEqual(['codex', '--full-auto', '--model', 'o4']);
    expect(coder0.env).toEqual([['CODEX_HOME', '/srv/codex']]);
    expect(fleet!.agents[4]).toMatchObject({ role: 'operations', class: 'worker', lifecycle: 'always-on' });
  });

  it('layers env: fleet, then runtime, then agent; numbers keep their spelling', () => {
    const { fleet } = resolve(`version: 1
fleet: { env: { A: fleet, B: fleet, C: fleet } }
runtimes: { pi: { command: [pi], env: { B: runtime, C: runtime } } }
agents:
  - name: orchestrator
    runtime: pi
    class: orchestrator
    env: { C: agent, MODE: 0700, RATIO: 1.50, ON: true }
  - name: enhancer
    runtime: claude
    role: enhancer
`);
    expect(fleet!.agents[0]!.env).toEqual([['A', 'fleet'], ['B', 'runtime'], ['C', 'agent'], ['MODE', '0700'], ['ON', 'true'], ['RATIO', '1.50']]);
    expect(fleet!.agents[1]!.env).toEqual([['A', 'fleet'], ['B', 'fleet'], ['C', 'fleet']]);
  });

  it('minimal needs no orchestrator and no enhancer', () => {
    const { fleet, diagnostics } = resolve('version: 1\nprofile: minimal\nagents: []\n');
    expect(diagnostics).toEqual([]);
    expect(fleet!.agents.map((a) => a.name)).toEqual(['coder0']);
  });

  it('defaults the fleet settings', () => {
    const { fleet } = resolve(SEED);
    expect(fleet).toMatchObject({ session: 'mosaic', linger: false, path: [], tmux: '/usr/bin/tmux', profile: null });
  });
});

describe('the command line', () => {
  it('--version and --help', async () => {
    const version = await cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('validate');
    const validateHelp = await cli(['validate', '--help']);
    expect(validateHelp.stdout).toContain('Examples:');
  });

  it('suggests the command a typo meant', async () => {
    const result = await cli(['valdate']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("mosaic-gen: error[USAGE]: unknown command 'valdate'\n  hint: did you mean 'validate'?\n");
  });
});
