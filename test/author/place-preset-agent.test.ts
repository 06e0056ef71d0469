/**
 * `add NAME --host H` of a preset's agent writes its placement, `- name: NAME` and `host: H`, and
 * asks for no runtime: the preset's own fields apply. A new agent still needs --runtime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAgent } from '../../src/author/add-agent.js';
import { cli, rosterFile } from '../support/cli.js';

const ROSTER = 'version: 1\nprofile: coding\nfleet: { host: alpha }\nhosts:\n  alpha: {}\n  build1: {}\n';

describe('add of a preset agent with --host', () => {
  it('writes its placement without a runtime, in a roster that had no agents: yet', async () => {
    const { dir, path } = rosterFile(ROSTER);
    const result = await cli(['add', 'orchestrator', '--host', 'build1'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(`${ROSTER}agents:\n  - name: orchestrator\n    host: build1\n`);
    const fleet = JSON.parse((await cli(['validate', '--json'], { cwd: dir })).stdout).fleet;
    expect(fleet.hosts).toEqual([
      { name: 'alpha', agents: ['enhancer', 'coder0', 'coder1', 'code-review', 'security-review'] },
      { name: 'build1', agents: ['orchestrator'] },
    ]);
    // The preset's runtime, which nobody had to type.
    expect(fleet.agents.find((a: { name: string }) => a.name === 'orchestrator').runtime).toBe('claude');
    expect(readFileSync(join(dir, 'roster.yaml'), 'utf8')).not.toContain('runtime');
  });

  it('appends to an existing agents: list, and still refuses a preset name without --host', () => {
    const text = `${ROSTER}agents:\n  - name: coder0\n    host: build1\n`;
    const placed = addAgent(text, 'roster.yaml', { name: 'enhancer', host: 'build1' });
    expect(placed.ok).toBe(true);
    expect(placed.text).toBe(`${text}  - name: enhancer\n    host: build1\n`);
    expect(placed.changes).toEqual(["placed the coding preset's agent 'enhancer' on host 'build1'; the preset's fields apply where this entry gives none"]);
    const without = addAgent(text, 'roster.yaml', { name: 'enhancer' });
    expect(without.ok).toBe(false);
    expect(without.diagnostics.map((d) => d.code)).toEqual(['DUPLICATE_NAME']);
  });

  it('a new agent still needs --runtime, said as a usage error', async () => {
    const { dir, path } = rosterFile(ROSTER);
    const result = await cli(['add', 'scribe', '--host', 'build1'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("mosaic-gen add: error[USAGE]: 'scribe' is a new agent: it needs --runtime\n");
    expect(readFileSync(path, 'utf8')).toBe(ROSTER);
  });
});
