import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../src/errors.js';
import { REPO } from '../support/cli.js';

describe('README', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Error codes'));

  it('documents every error code, and no code that does not exist', () => {
    const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('gives the test command that .ci/run runs', () => {
    expect(readme).toContain('    npm test\n');
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
  });
});
