import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from '../support/cli.js';
import { buildFixture, readTree } from '../support/build.js';

/**
 * The output of each preset and of a roster using every feature, checked against reviewed
 * files under test/golden/. After an intended change: UPDATE_GOLDEN=1 npx vitest run test/back-end/golden,
 * then review `git diff test/golden` like code.
 */
const FIXTURES = ['preset-general', 'preset-coding', 'preset-research', 'preset-minimal', 'multi-feature'];
const GOLDEN = join(REPO, 'test', 'golden');

describe('golden output', () => {
  it.each(FIXTURES)('%s', async (name) => {
    const out = await buildFixture(`${name}.yaml`);
    const actual = readTree(out);
    const goldenDir = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      rmSync(goldenDir, { recursive: true, force: true });
      for (const [path, { text }] of actual) {
        mkdirSync(dirname(join(goldenDir, path)), { recursive: true });
        writeFileSync(join(goldenDir, path), text);
      }
    }
    const expected = readTree(goldenDir);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [path, { text }] of actual) expect(text, `${name}/${path}`).toBe(expected.get(path)!.text);
    rmSync(out, { recursive: true, force: true });
  });
});
