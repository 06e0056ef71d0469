/**
 * Pools: `replicas: N` makes NAME-1 … NAME-N, round-robin over a list of hosts, and resizing a
 * pool touches only the instances beyond the old count (their files, their digests).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../support/build.js';
import { cli, rosterFile } from '../support/cli.js';

const ROSTER = (replicas: number, host = 'host: [alpha, beta]') => `version: 1
fleet: { session: pool, host: alpha }
hosts:
  alpha: {}
  beta: {}
agents:
  - { name: orchestrator, runtime: pi, class: orchestrator }
  - { name: enhancer, runtime: pi, role: enhancer }
  - { name: coder, runtime: codex, role: coder, replicas: ${replicas}, ${host} }
`;

type Tree = ReturnType<typeof readTree>;
const digests = (tree: Tree, host: string) =>
  new Map((JSON.parse(tree.get(`hosts/${host}/manifest.json`)!.text) as { agents: Array<{ name: string; digest: string }> }).agents.map((a) => [a.name, a.digest]));

/** Paths whose content differs, or that only one of the trees has. */
function changed(before: Tree, after: Tree): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p)?.text !== after.get(p)?.text).sort();
}

describe('a pool (replicas)', () => {
  it('places coder-1 and coder-3 on alpha and coder-2 on beta, each its own unit instance, window and env file', async () => {
    const { dir } = rosterFile(ROSTER(3));
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    const tree = readTree(join(dir, 'out'));
    const launch = (host: string) => [...tree.keys()].filter((p) => p.startsWith(`hosts/${host}/launch/coder`)).sort();
    expect(launch('alpha')).toEqual(['hosts/alpha/launch/coder-1.sh', 'hosts/alpha/launch/coder-3.sh']);
    expect(launch('beta')).toEqual(['hosts/beta/launch/coder-2.sh']);
    expect(tree.get('hosts/beta/env/coder-2.env')!.text).toMatch(/^MOSAIC_AGENT="coder-2"\nMOSAIC_ROLE="coder"\nMOSAIC_REPLICA="2"\n/m);
    expect([...digests(tree, 'alpha').keys()]).toEqual(['coder-1', 'coder-3', 'enhancer', 'orchestrator']);
    expect(new Set([...digests(tree, 'alpha').values(), ...digests(tree, 'beta').values()]).size).toBe(5);
    const json = JSON.parse((await cli(['validate', '--json'], { cwd: dir })).stdout);
    expect(json.fleet.hosts).toEqual([{ name: 'alpha', agents: ['orchestrator', 'enhancer', 'coder-1', 'coder-3'] }, { name: 'beta', agents: ['coder-2'] }]);
  });

  it('3 → 2 removes coder-3 only: the other instances keep their files and digests', async () => {
    const { dir, path } = rosterFile(ROSTER(3));
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    const before = readTree(join(dir, 'out'));
    writeFileSync(path, ROSTER(2));
    expect((await cli(['build'], { cwd: dir })).stdout).toContain('2 removed');
    const after = readTree(join(dir, 'out'));
    // What changes beside coder-3's own files: alpha's manifest (its file and agent lists) and
    // install.sh (the count of files it checks), the playbook (the files it ships) and the
    // summaries. Nothing of beta's bundle, nothing of coder-1's.
    expect(changed(before, after)).toEqual(['FLEET.md', 'ansible/fleet.yml', 'hosts/alpha/FLEET.md', 'hosts/alpha/env/coder-3.env', 'hosts/alpha/install.sh', 'hosts/alpha/launch/coder-3.sh', 'hosts/alpha/manifest.json']);
    const [was, now] = [digests(before, 'alpha'), digests(after, 'alpha')];
    expect(now.has('coder-3')).toBe(false);
    for (const name of ['coder-1', 'enhancer', 'orchestrator']) expect(now.get(name), name).toBe(was.get(name));
    expect(digests(after, 'beta')).toEqual(digests(before, 'beta'));
    // And back to 3: coder-3 is again what it was.
    writeFileSync(path, ROSTER(3));
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    expect(readTree(join(dir, 'out'))).toEqual(before);
  });

  it('works without hosts: every instance on the one host', async () => {
    const { dir } = rosterFile(ROSTER(2, 'lifecycle: on-demand').replace(/fleet: \{[^}]*\}\nhosts:\n(  \w+: \{\}\n)+/, 'fleet: { session: pool }\n'));
    const result = await cli(['build'], { cwd: dir });
    expect(result.stderr).toBe('');
    const tree = readTree(join(dir, 'out'));
    expect([...tree.keys()].filter((p) => p.startsWith('launch/'))).toEqual(['launch/coder-1.sh', 'launch/coder-2.sh', 'launch/enhancer.sh', 'launch/orchestrator.sh']);
    expect(tree.get('env/coder-2.env')!.text).toContain('MOSAIC_REPLICA="2"\n');
  });
});
