import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../src/errors.js';
import { cli, REPO, rosterFile } from '../support/cli.js';

/** Every fenced code block of a Markdown text, with its language tag and the README line its text starts on. */
function fencedBlocks(markdown: string): Array<{ lang: string; line: number; text: string }> {
  return [...markdown.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, line: markdown.slice(0, m.index).split('\n').length + 1, text: m[2]! }));
}

/**
 * The YAML blocks of README that are not rosters, each known by its first line, and why. Every
 * other YAML block is a roster and must validate as it is written; an entry here that no longer
 * matches a block fails, so that the list cannot keep a block out of the check unseen.
 */
const NOT_ROSTERS: Record<string, string> = {
  'repos:': "a .pre-commit-config.yaml, the user's own file that runs mosaic-gen's hooks",
};

/** A line that starts a roster's key: outside ```yaml blocks (in another fence, an indented block) it would go unchecked. */
const ROSTER_LINE = /^[ \t]*(version: 1|agents:|hosts:|profile: \S+)\s*(#.*)?$/m;

describe('README', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Error codes'));

  it('documents every error code, and no code that does not exist', () => {
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('every YAML block is a roster that validates with no warning, or a known non-roster', async () => {
    const yaml = fencedBlocks(readme).filter((b) => b.lang === 'yaml' || b.lang === 'yml');
    const rosters = yaml.filter((b) => !(b.text.split('\n', 1)[0]! in NOT_ROSTERS));
    expect(rosters.length, 'README shows rosters').toBeGreaterThanOrEqual(2);
    for (const first of Object.keys(NOT_ROSTERS)) expect(yaml.some((b) => b.text.startsWith(`${first}\n`)), `a block starting ${first}`).toBe(true);
    let outside = readme;
    for (const b of yaml) outside = outside.replace(b.text, '');
    expect(outside.match(ROSTER_LINE)?.[0], 'a roster outside a ```yaml block').toBeUndefined();
    for (const { line, text } of rosters) {
      const { dir, path } = rosterFile(text);
      const result = await cli(['validate', '--strict', path], { cwd: dir });
      expect(`${result.status} ${result.stderr}`, `the roster at README.md:${line}`).toBe('0 ');
    }
  });

  it('gives the test command that .ci/run runs', () => {
    expect(readme).toContain('    npm test\n');
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
  });
});
