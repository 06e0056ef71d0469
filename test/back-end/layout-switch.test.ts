/**
 * out/ holds what the current roster builds and nothing else: a roster switched to `hosts:` and
 * back leaves out/ exactly as a fresh build of each, and `build --check` sees a leftover of the
 * other layout (a runnable install.sh of agents no longer in the roster).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../support/build.js';
import { cli, rosterFile, tempDir } from '../support/cli.js';

const AGENTS = (host: string) => `agents:
  - { name: orchestrator, runtime: pi, class: orchestrator${host} }
  - { name: enhancer, runtime: pi, role: enhancer${host} }
  - { name: coder, runtime: codex, role: coder${host} }
`;
const SINGLE = `version: 1\nfleet: { session: duo }\n${AGENTS('')}`;
const HOSTS = `version: 1\nfleet: { session: duo }\nhosts:\n  alpha: {}\n${AGENTS(', host: alpha')}`;

/** out/ of a fresh build of `text` into an empty directory (the roster under the same name). */
async function fresh(text: string): Promise<Map<string, { text: string; mode: number }>> {
  const dir = tempDir();
  writeFileSync(join(dir, 'roster.yaml'), text);
  expect((await cli(['build'], { cwd: dir })).status).toBe(0);
  return readTree(join(dir, 'out'));
}

describe('switching a roster to hosts: and back', () => {
  it('leaves out/ byte for byte a fresh build of each layout, and --check saw each switch coming', async () => {
    const { dir, path } = rosterFile(SINGLE);
    const out = join(dir, 'out');
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    expect(existsSync(join(out, 'install.sh'))).toBe(true);

    writeFileSync(path, HOSTS);
    const before = await cli(['build', '--check'], { cwd: dir });
    expect(before.status).toBe(2);
    for (const old of ['install.sh', 'uninstall.sh', 'engine.sh', 'manifest.json', 'env/coder.env']) expect(before.stdout).toContain(`would remove out/${old}\n`);
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    expect(readTree(out)).toEqual(await fresh(HOSTS));
    expect((await cli(['build', '--check'], { cwd: dir })).stdout).toBe('out/ is up to date\n');

    writeFileSync(path, SINGLE);
    const back = await cli(['build', '--check'], { cwd: dir });
    expect(back.status).toBe(2);
    expect(back.stdout).toContain('would remove out/hosts/alpha/install.sh\n');
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    expect(readTree(out)).toEqual(await fresh(SINGLE));
    expect(existsSync(join(out, 'hosts'))).toBe(false);
  });

  it('--check catches a planted leftover of the other layout, without its manifest, and build removes it', async () => {
    const single = tempDir();
    writeFileSync(join(single, 'roster.yaml'), SINGLE);
    expect((await cli(['build'], { cwd: single })).status).toBe(0);
    const { dir } = rosterFile(HOSTS);
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    // The old layout's entry points, as a copy from elsewhere would leave them: no manifest.json.
    for (const script of ['install.sh', 'engine.sh']) cpSync(join(single, 'out', script), join(dir, 'out', script));
    const check = await cli(['build', '--check'], { cwd: dir });
    expect(check.status).toBe(2);
    expect(check.stdout).toContain('would remove out/install.sh\n');
    expect(check.stdout).toContain('would remove out/engine.sh\n');
    expect((await cli(['build'], { cwd: dir })).stdout).toContain('2 removed');
    expect(readTree(join(dir, 'out'))).toEqual(await fresh(HOSTS));

    // And the other way: a host bundle's install.sh planted into the out/ of a roster without hosts.
    mkdirSync(join(single, 'out', 'hosts', 'alpha'), { recursive: true });
    cpSync(join(dir, 'out', 'hosts', 'alpha', 'install.sh'), join(single, 'out', 'hosts', 'alpha', 'install.sh'));
    const planted = await cli(['build', '--check'], { cwd: single });
    expect(planted.status).toBe(2);
    expect(planted.stdout).toContain('would remove out/hosts/alpha/install.sh\n');
  });

  it('never removes a file of that name which mosaic-gen did not write', async () => {
    const { dir } = rosterFile(HOSTS);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'install.sh'), '#!/bin/sh\necho mine\n');
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    expect(readFileSync(join(dir, 'out', 'install.sh'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
    expect((await cli(['build', '--check'], { cwd: dir })).status).toBe(0);
  });
});
