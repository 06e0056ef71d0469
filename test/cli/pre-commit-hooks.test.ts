import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, REPO, tempDir } from '../support/cli.js';

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  pass_filenames?: boolean;
}

const MANIFEST = join(REPO, '.pre-commit-hooks.yaml');
const hooks = parse(readFileSync(MANIFEST, 'utf8')) as Hook[];
const hook = (id: string) => hooks.find((h) => h.id === id)!;
const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!preCommit)(`.pre-commit-hooks.yaml${preCommit ? '' : ' (skipped: pre-commit is not installed)'}`, () => {
  it("passes pre-commit's own manifest validation, which rejects a broken one", () => {
    const ok = spawnSync('pre-commit', ['validate-manifest', MANIFEST], { encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const dir = tempDir();
    writeFileSync(join(dir, 'hooks.yaml'), readFileSync(MANIFEST, 'utf8').replace('language: node', 'language: nodejs'));
    expect(spawnSync('pre-commit', ['validate-manifest', join(dir, 'hooks.yaml')], { encoding: 'utf8' }).status).toBe(1);
  });
});

describe('the pre-commit hooks', () => {
  it('are node hooks for validate and build --check', () => {
    expect(hooks.map((h) => [h.id, h.language])).toEqual([
      ['mosaic-gen-validate', 'node'],
      ['mosaic-gen-build-check', 'node'],
    ]);
  });

  it('run on rosters (and build-check on out/), not on other YAML', () => {
    // pre-commit's `files` is a Python regex matched with re.search; these patterns read the same in JavaScript.
    const validate = new RegExp(hook('mosaic-gen-validate').files);
    const check = new RegExp(hook('mosaic-gen-build-check').files);
    for (const path of ['roster.yaml', 'fleets/prod-roster.yml', 'ops/roster.staging.yaml']) expect(validate.test(path), path).toBe(true);
    for (const path of ['schemas/roster.schema.json', '.github/workflows/ci.yaml', 'rosters/prod.json', 'out/manifest.json']) expect(validate.test(path), path).toBe(false);
    expect(check.test('roster.yaml')).toBe(true);
    expect(check.test('out/systemd/mosaic-fleet.target')).toBe(true);
    expect(check.test('docs/out/x.md')).toBe(false);
  });

  it('do what they say when pre-commit runs their entries: every changed roster validated, out/ checked', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    symlinkSync(BIN, join(dir, 'bin', 'mosaic-gen'));
    writeFileSync(join(dir, 'roster.yaml'), 'version: 1\nprofile: general\nagents: []\n');
    writeFileSync(join(dir, 'bad-roster.yaml'), 'version: 1\nprofile: general\nagents:\n  - name: extra\n    runtime: nope\n');
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
    // As pre-commit runs an entry: split like a shell command line, then the file names appended.
    const run = (id: string, files: string[]) => {
      const h = hook(id);
      const words = h.entry.match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'(.*)'$/s, '$1'));
      return spawnSync(words[0]!, [...words.slice(1), ...(h.pass_filenames === false ? [] : files)], { cwd: dir, env, encoding: 'utf8' });
    };
    expect(run('mosaic-gen-validate', ['roster.yaml']).status).toBe(0);
    const bad = run('mosaic-gen-validate', ['bad-roster.yaml', 'roster.yaml']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('bad-roster.yaml:5:14: error[UNKNOWN_RUNTIME]');
    expect(run('mosaic-gen-build-check', []).status).toBe(2); // no out/ yet: every file is missing
    expect(spawnSync('mosaic-gen', ['build'], { cwd: dir, env }).status).toBe(0);
    expect(run('mosaic-gen-build-check', ['roster.yaml']).status).toBe(0);
    writeFileSync(join(dir, 'roster.yaml'), 'version: 1\nprofile: general\nagents:\n  - name: enhancer\n    runtime: codex\n');
    const stale = run('mosaic-gen-build-check', ['roster.yaml']);
    expect(stale.status).toBe(2);
    expect(stale.stdout).toContain('+++ b/out/FLEET.md');
  });
});
