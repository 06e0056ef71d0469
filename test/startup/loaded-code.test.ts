import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
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
  // Preloaded into the CLI's process: lists every file it required (the bundle loader registers
  // each bundle there too) and how the loader compiled each bundle, when it exits.
  writeFileSync(
    recorder,
    [
      "const { join } = require('node:path');",
      "process.on('exit', () => {",
      "  const loader = Object.keys(require.cache).find((file) => file.endsWith('mosaic-gen-load.cjs'));",
      "  const caches = loader ? require(loader).cacheUses() : {};",
      "  process.stderr.write('\\nLOADED ' + JSON.stringify({ files: Object.keys(require.cache), caches }) + '\\n');",
      '});',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  files: string[];
  caches: Record<string, string>;
  status: number | null;
}

function run(args: string[], bin = BIN, cwd = REPO): Run {
  const result = spawnSync(process.execPath, ['--require', recorder, bin, ...args], { cwd, encoding: 'utf8' });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line, result.stderr).toBeDefined();
  const { files, caches } = JSON.parse(line!.slice('LOADED '.length)) as { files: string[]; caches: Record<string, string> };
  const root = join(bin, '..', '..');
  return { files: files.filter((file) => file !== recorder).map((file) => relative(root, file)), caches, status: result.status };
}

/** Every file under a directory, by relative path, with its text. */
function tree(root: string): Record<string, string> {
  return Object.fromEntries(
    (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((file) => [relative(root, file), readFileSync(file, 'utf8')]),
  );
}

function loaded(args: string[]): string[] {
  return run(args).files;
}

describe('start-up loads only what a command needs', () => {
  it('--version reads package.json and loads no bundle', () => {
    expect(loaded(['--version']).sort()).toEqual(['bin/mosaic-gen.js', 'package.json']);
    expect(loaded(['-V']).sort()).toEqual(['bin/mosaic-gen.js', 'package.json']);
  });

  it('validate loads the program and the validate bundle, which holds no template, Handlebars or diff code', () => {
    expect(loaded(['validate', 'roster.yaml']).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-load.cjs', 'dist/mosaic-gen-validate.cjs', 'dist/mosaic-gen.cjs']);
    const bundle = readFileSync(join(REPO, 'dist', 'mosaic-gen-validate.cjs'), 'utf8');
    expect(bundle).not.toMatch(/Handlebars|PRECOMPILED_TEMPLATES|structuredPatch/);
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8')).toMatch(/PRECOMPILED_TEMPLATES/);
  });

  it('build loads the build bundle only; --help loads every command to list them', () => {
    const out = join(dir, 'out');
    expect(loaded(['build', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen-load.cjs', 'dist/mosaic-gen.cjs']);
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8'), 'diff is a bundle of its own').not.toMatch(/structuredPatch/);
    const help = loaded(['--help']);
    for (const command of ['init', 'validate', 'build', 'plan', 'apply', 'uninstall', 'status', 'attach', 'logs', 'add', 'remove', 'profiles', 'schema']) expect(help).toContain(`dist/mosaic-gen-${command}.cjs`);
  });

  it('build --check loads the diff bundle only to show a stale out/', () => {
    const out = join(dir, 'checked');
    spawnSync(process.execPath, [BIN, 'build', 'roster.yaml', '-o', out], { cwd: REPO, encoding: 'utf8' });
    expect(loaded(['build', '--check', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen-load.cjs', 'dist/mosaic-gen.cjs']);
    writeFileSync(join(out, 'FLEET.md'), 'changed\n');
    expect(loaded(['build', '--check', 'roster.yaml', '-o', out]).sort()).toEqual(['bin/mosaic-gen.js', 'dist/mosaic-gen-build.cjs', 'dist/mosaic-gen-diff.cjs', 'dist/mosaic-gen-load.cjs', 'dist/mosaic-gen.cjs']);
  });

  it('a roster in the everyday subset is built without the yaml bundle; one that needs a position or a spelling loads it', () => {
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8'), 'yaml is a bundle of its own').not.toMatch(/class LineCounter/);
    expect(loaded(['build', 'roster.yaml', '-o', join(dir, 'plain')])).not.toContain('dist/mosaic-gen-yaml.cjs');
    const spelled = join(dir, 'spelled.yaml');
    writeFileSync(spelled, readFileSync(join(REPO, 'roster.yaml'), 'utf8').replace('TZ: UTC', 'TZ: UTC\n      UMASK: 0700'));
    expect(loaded(['build', spelled, '-o', join(dir, 'spelled')])).toContain('dist/mosaic-gen-yaml.cjs');
    expect(readFileSync(join(dir, 'spelled', 'env', 'coder0.env'), 'utf8')).toMatch(/^UMASK="0700"$/m);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'version: 1\nagents: [\n');
    expect(run(['validate', broken]).status).toBe(1);
    expect(loaded(['validate', broken])).toContain('dist/mosaic-gen-yaml.cjs');
  });
});

describe('code caches', () => {
  it('every bundle a run loads is compiled from the code cache npm run build made for it', () => {
    for (const args of [['validate', 'roster.yaml'], ['build', 'roster.yaml', '-o', join(dir, 'cached')], ['--help']]) {
      const { caches } = run(args);
      expect(Object.keys(caches).length).toBeGreaterThan(args[0] === '--help' ? 15 : 1);
      for (const [bundle, use] of Object.entries(caches)) expect(use, `${args.join(' ')}: ${bundle}`).toBe('used');
    }
  });

  it("a cache of another build of the bundle is not used, a damaged one is refused by V8, and either way the run's output is the same", () => {
    // A copy of the package whose dist/ can be changed; node_modules is shared.
    const pkg = join(dir, 'package');
    for (const part of ['bin', 'dist', 'templates', 'schemas', 'package.json']) cpSync(join(REPO, part), join(pkg, part), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
    const bin = join(pkg, 'bin', 'mosaic-gen.js');
    const build = join(pkg, 'dist', 'mosaic-gen-build.cjs');

    // Another build: the same text under another id, so V8 (which checks the length only) would take it.
    const text = readFileSync(build, 'utf8');
    const id = /^\/\* mosaic-gen bundle ([0-9a-f]{16}) \*\//.exec(text)![1]!;
    writeFileSync(build, text.replace(id, id.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
    expect(run(['build', 'roster.yaml', '-o', join(dir, 'other')], bin).caches['mosaic-gen-build.cjs']).toBe('none');
    writeFileSync(build, text);
    expect(run(['build', 'roster.yaml', '-o', join(dir, 'same')], bin).caches['mosaic-gen-build.cjs']).toBe('used');

    // Damaged: the right id, then bytes that are no cache.
    const cache = `${build}.cache`;
    const bytes = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([bytes.subarray(0, 16), Buffer.alloc(bytes.length - 16, 7)]));
    const damaged = run(['build', 'roster.yaml', '-o', join(dir, 'damaged')], bin);
    expect(damaged.caches['mosaic-gen-build.cjs']).toBe('rejected');
    expect(damaged.status).toBe(0);
    for (const other of ['other', 'damaged']) expect(tree(join(dir, other)), other).toEqual(tree(join(dir, 'same')));
  });
});
