import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, tempDir } from '../support/cli.js';

// What each command of the built CLI (dist/, made by `npm run build`) evaluates: start-up time is
// mostly the code a run reads and runs, so a command loads its own bundle and no other.
let dir: string;
let recorder: string;

beforeAll(() => {
  dir = tempDir();
  recorder = join(dir, 'record-loads.cjs');
  // Preloaded into the CLI's process: lists every file it required, when it exits.
  writeFileSync(recorder, "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loaded(args: string[]): string[] {
  const result = spawnSync(process.execPath, ['--require', recorder, BIN, ...args], { cwd: REPO, encoding: 'utf8' });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line, result.stderr).toBeDefined();
  return (JSON.parse(line!.slice('LOADED '.length)) as string[]).filter((file) => file !== recorder).map((file) => relative(REPO, file));
}

describe('start-up loads only what a command needs', () => {
  it('--version reads package.json and loads no bundle', () => {
    expect(loaded(['--version']).sort()).toEqual(['bin/mosaic-gen.js', 'package.json']);
    expect(loaded(['-V']).sort()).toEqual(['bin/mosaic-gen.js', 'package.json']);
  });

  it('validate loads the program and the validate bundle, which holds no template, Handlebars or diff code', () => {
    expect(loaded(['validate', 'roster.yaml']).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-validate.cjs', 'dist/mosaic-gen.cjs']);
    const bundle = readFileSync(join(REPO, 'dist', 'mosaic-gen-validate.cjs'), 'utf8');
    expect(bundle).not.toMatch(/Handlebars|PRECOMPILED_TEMPLATES|structuredPatch/);
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8')).toMatch(/PRECOMPILED_TEMPLATES/);
  });

  it('build loads the build bundle only; --help loads every command to list them', () => {
    const out = join(dir, 'out');
    expect(loaded(['build', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen.cjs']);
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8'), 'diff is a bundle of its own').not.toMatch(/structuredPatch/);
    const help = loaded(['--help']);
    for (const command of ['init', 'validate', 'build', 'plan', 'apply', 'uninstall', 'status', 'attach', 'logs', 'add', 'remove', 'profiles', 'schema']) expect(help).toContain(`dist/mosaic-gen-${command}.cjs`);
  });

  it('build --check loads the diff bundle only to show a stale out/', () => {
    const out = join(dir, 'checked');
    spawnSync(process.execPath, [BIN, 'build', 'roster.yaml', '-o', out], { cwd: REPO, encoding: 'utf8' });
    expect(loaded(['build', '--check', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen.cjs']);
    writeFileSync(join(out, 'FLEET.md'), 'changed\n');
    expect(loaded(['build', '--check', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen-diff.cjs', 'dist/mosaic-gen.cjs']);
  });
});
