import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.js';

// A rebuild of a large fleet touches only what changed: files are compared before writing.
const N = 1000;
const dir = tempDir();
const out = join(dir, 'out');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roster(ticketOf: (i: number) => string): string {
  const lines = ['version: 1', 'fleet:', '  session: big', 'agents:', '  - { name: orchestrator, runtime: pi, class: orchestrator }'];
  for (let i = 1; i < N; i++) lines.push(`  - { name: agent-${i}, runtime: claude, role: coder, workdir: ~/src/app-${i}, env: { TICKET: "${ticketOf(i)}" } }`);
  return `${lines.join('\n')}\n`;
}

const PAST = new Date('2001-01-01T00:00:00Z');

/** Every file of out/, relative, with its inode and modification time. */
function files(): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const stat = statSync(path);
    found.set(path.slice(out.length + 1), `${stat.ino}:${stat.mtimeMs}`);
  }
  return found;
}

/** Ages every file, so a rewrite shows as a new mtime even within the clock's resolution. */
function age(): Map<string, string> {
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), PAST, PAST);
  return files();
}

const touched = (before: Map<string, string>, after: Map<string, string>) => [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path).sort();

describe(`rebuilding a ${N}-agent fleet`, () => {
  it('build --check of an unchanged out/ writes nothing; changing one agent rewrites its files and the plan files only', async () => {
    const file = join(dir, 'roster.yaml');
    writeFileSync(file, roster((i) => `T-${i}`));
    expect((await cli(['build', file, '-o', out])).status).toBe(0);

    let before = age();
    const check = await cli(['build', file, '-o', out, '--check']);
    expect(check.status, check.stderr).toBe(0);
    expect(touched(before, files())).toEqual([]);

    expect((await cli(['build', file, '-o', out])).status).toBe(0);
    expect(touched(before, files())).toEqual([]);

    writeFileSync(file, roster((i) => (i === 500 ? 'T-changed' : `T-${i}`)));
    before = age();
    expect((await cli(['build', file, '-o', out])).status).toBe(0);
    const rewritten = touched(before, files());
    const agentFiles = rewritten.filter((path) => /agent-500\b/.test(path));
    expect(agentFiles.length).toBeGreaterThan(0);
    expect(rewritten.filter((path) => !agentFiles.includes(path))).toEqual(['manifest.json']);
  });
});
