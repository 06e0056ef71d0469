import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleIdOf } from '../../src/cli/load-bundle.js';
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
  stdout: string;
}

function run(args: string[], bin = BIN, cwd = REPO, env: NodeJS.ProcessEnv = process.env): Run {
  const result = spawnSync(process.execPath, ['--require', recorder, bin, ...args], { cwd, env, encoding: 'utf8' });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line, result.stderr).toBeDefined();
  const { files, caches } = JSON.parse(line!.slice('LOADED '.length)) as { files: string[]; caches: Record<string, string> };
  const root = join(bin, '..', '..');
  return { files: files.filter((file) => file !== recorder).map((file) => relative(root, file)), caches, status: result.status, stdout: result.stdout };
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

  it('a roster the one-pass reader reads is built without the yaml bundle, a value spelled otherwise than it reads included; one that needs a position loads it', () => {
    expect(readFileSync(join(REPO, 'dist', 'mosaic-gen-build.cjs'), 'utf8'), 'yaml is a bundle of its own').not.toMatch(/class LineCounter/);
    expect(loaded(['build', 'roster.yaml', '-o', join(dir, 'plain')])).not.toContain('dist/mosaic-gen-yaml.cjs');
    const spelled = join(dir, 'spelled.yaml');
    writeFileSync(spelled, readFileSync(join(REPO, 'roster.yaml'), 'utf8').replace('TZ: UTC', 'TZ: UTC\n      UMASK: 0700'));
    // The spelling comes from the one-pass reader's own places (parse-roster.ts), not yaml's document.
    expect(loaded(['build', spelled, '-o', join(dir, 'spelled')])).not.toContain('dist/mosaic-gen-yaml.cjs');
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

  it('a cache is used only for the text it was made from: not for another build, not after an edit, not when turned off, not when V8 refuses it; the output is the same', () => {
    // A copy of the package whose dist/ can be changed; node_modules is shared.
    const pkg = join(dir, 'package');
    for (const part of ['bin', 'dist', 'templates', 'schemas', 'package.json']) cpSync(join(REPO, part), join(pkg, part), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
    const bin = join(pkg, 'bin', 'mosaic-gen.js');
    const build = join(pkg, 'dist', 'mosaic-gen-build.cjs');
    const text = readFileSync(build, 'utf8');
    const { atime, mtime } = statSync(build);
    // Each case writes the bundle as it was made: its text and its time (a copy keeps both).
    const write = (contents: string) => {
      writeFileSync(build, contents);
      utimesSync(build, atime, mtime);
    };
    const buildWith = (out: string, env: NodeJS.ProcessEnv = process.env) => run(['build', 'roster.yaml', '-o', join(dir, out)], bin, REPO, env);

    expect(buildWith('same').caches['mosaic-gen-build.cjs']).toBe('used');
    // Another build: the same text (and length: all V8 checks) under another id.
    const id = bundleIdOf(text)!;
    write(text.replace(id, id.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
    expect(buildWith('other').caches['mosaic-gen-build.cjs']).toBe('other-build');
    write(text);
    expect(buildWith('again').caches['mosaic-gen-build.cjs']).toBe('used');

    // Edited after its cache was made, same length and id: the edit runs, not the cache's code.
    const edited = text.replace(' written`', ' WRITTEN`');
    expect(edited).not.toBe(text);
    writeFileSync(build, edited);
    const afterEdit = buildWith('edited');
    expect(afterEdit.caches['mosaic-gen-build.cjs']).toBe('stale');
    expect(afterEdit.stdout).toMatch(/\d+ WRITTEN, /);
    write(text);

    expect(buildWith('off', { ...process.env, MOSAIC_GEN_CODE_CACHE: 'off' }).caches).toEqual({ 'mosaic-gen.cjs': 'off', 'mosaic-gen-build.cjs': 'off' });

    // A cache whose header V8 does not recognise (its version, flags or length) is refused.
    const cache = `${build}.cache`;
    const bytes = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([bytes.subarray(0, 16), Buffer.alloc(bytes.length - 16, 7)]));
    const refused = buildWith('refused');
    expect(refused.caches['mosaic-gen-build.cjs']).toBe('rejected');
    expect(refused.status).toBe(0);
    for (const other of ['other', 'again', 'off', 'refused']) expect(tree(join(dir, other)), other).toEqual(tree(join(dir, 'same')));
  });

  it('the loader evaluates bundles as require() does: once, with `this` as exports, a sibling by its ./ name, and again after one threw', () => {
    const scratch = join(dir, 'loader');
    cpSync(join(REPO, 'dist', 'mosaic-gen-load.cjs'), join(scratch, 'mosaic-gen-load.cjs'));
    writeFileSync(join(scratch, 'mosaic-gen-flaky.cjs'), "globalThis.tries = (globalThis.tries ?? 0) + 1; if (globalThis.tries === 1) throw new Error('first time'); module.exports = { tries: globalThis.tries, self: this === exports, sibling: require('./mosaic-gen-other.cjs').name };\n");
    writeFileSync(join(scratch, 'mosaic-gen-other.cjs'), "exports.name = 'other'; exports.file = __filename;\n");
    const script = [
      "const loader = require('./mosaic-gen-load.cjs');",
      'let first;',
      "try { loader.loadBundle('mosaic-gen-flaky.cjs'); } catch (error) { first = error.message; }",
      "const second = loader.loadBundle('mosaic-gen-flaky.cjs');",
      "const third = loader.loadBundle('mosaic-gen-flaky.cjs');",
      "const byPath = require('./mosaic-gen-flaky.cjs');",
      'console.log(JSON.stringify({ first, second, same: second === third && third === byPath, other: require("./mosaic-gen-other.cjs").file, uses: loader.cacheUses() }));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      first: 'first time',
      second: { tries: 2, self: true, sibling: 'other' },
      same: true,
      other: join(scratch, 'mosaic-gen-other.cjs'),
      uses: { 'mosaic-gen-flaky.cjs': 'none', 'mosaic-gen-other.cjs': 'none' },
    });
  });
});
