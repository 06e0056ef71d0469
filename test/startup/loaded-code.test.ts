import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, tempDir } from '../support/cli.js';

// What each command of the built CLI (dist/, made by `npm run build`) evaluates: start-up time is
// mostly the code a run reads and runs, so a command loads its own bundle and no other.
let dir: string;
let recorder: string;
/** The tests' environment without the variables that choose Node's compile cache, which these tests set themselves. */
const { NODE_COMPILE_CACHE: _cache, NODE_DISABLE_COMPILE_CACHE: _disabled, XDG_CACHE_HOME: _home, ...baseEnv } = process.env;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = tempDir();
  recorder = join(dir, 'record-loads.cjs');
  // The CLI's compile cache (Node >= 22.1) goes here, not into the home of whoever runs the tests.
  env = { ...baseEnv, XDG_CACHE_HOME: join(dir, 'cache-home') };
  // Preloaded into the CLI's process: lists every file it required and where Node keeps its
  // compile cache (none on Node 20, or when it is off), when it exits.
  writeFileSync(
    recorder,
    [
      "process.on('exit', () => {",
      "  const cacheDir = require('node:module').getCompileCacheDir?.() ?? null;",
      "  process.stderr.write('\\nLOADED ' + JSON.stringify({ files: Object.keys(require.cache), cacheDir }) + '\\n');",
      '});',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  files: string[];
  cacheDir: string | null;
  status: number | null;
  stdout: string;
  /** Standard error without the recorder's line. */
  stderr: string;
}

function run(args: string[], bin = BIN, cwd = REPO, runEnv: NodeJS.ProcessEnv = env): Run {
  const result = spawnSync(process.execPath, ['--require', recorder, bin, ...args], { cwd, env: runEnv, encoding: 'utf8' });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line, result.stderr).toBeDefined();
  const { files, cacheDir } = JSON.parse(line!.slice('LOADED '.length)) as { files: string[]; cacheDir: string | null };
  const root = join(bin, '..', '..');
  return { files: files.filter((file) => file !== recorder).map((file) => relative(root, file)), cacheDir, status: result.status, stdout: result.stdout, stderr: result.stderr.replace(`\n${line}\n`, '') };
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


const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
/** module.enableCompileCache() came with Node 22.1; Node 20 has no compile cache. */
const hasCompileCache = major > 22 || (major === 22 && minor >= 1);

describe(`Node's compile cache (${hasCompileCache ? 'enabled' : 'absent'} under Node ${process.version})`, () => {
  const withCache = (home: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...baseEnv, ...(home ? { XDG_CACHE_HOME: home } : {}), ...extra });
  /** Every file of the cache made under a cache home, whatever Node version's directory holds it. */
  const cacheFiles = (home: string): string[] => {
    const root = join(home, 'mosaic-gen', 'node-compile-cache');
    return existsSync(root) ? (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];
  };

  it("is kept in the user's own cache directory, and the next run uses it; Node 20 runs without one", () => {
    const home = join(dir, 'own-cache');
    const first = run(['validate', 'roster.yaml'], BIN, REPO, withCache(home));
    expect(first.status).toBe(0);
    if (!hasCompileCache) {
      expect(first.cacheDir).toBeNull();
      expect(existsSync(join(home, 'mosaic-gen'))).toBe(false);
      return;
    }
    // Under the user's cache home, never Node's default in the shared temporary directory.
    expect(first.cacheDir?.startsWith(`${join(home, 'mosaic-gen', 'node-compile-cache')}/`), String(first.cacheDir)).toBe(true);
    // One entry for the program and one for the validate bundle, private to the user.
    const files = cacheFiles(home);
    expect(files.length).toBeGreaterThanOrEqual(2);
    // Node's own trace (NODE_DEBUG_NATIVE) is the only witness of a cache being read: the text of
    // a debug trace, so should Node reword it, this is the line to change.
    const second = spawnSync(process.execPath, [BIN, 'validate', 'roster.yaml'], { cwd: REPO, env: withCache(home, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }), encoding: 'utf8' });
    expect(second.status).toBe(0);
    for (const bundle of ['mosaic-gen.cjs', 'mosaic-gen-validate.cjs']) expect(second.stderr).toMatch(new RegExp(`code cache for CommonJS \\S*/dist/${bundle.replace('.', '\\.')} was accepted`));
    // $HOME/.cache when XDG_CACHE_HOME is not set.
    const home2 = join(dir, 'home');
    mkdirSync(home2);
    expect(run(['--help'], BIN, REPO, withCache(undefined, { HOME: home2 })).cacheDir?.startsWith(`${join(home2, '.cache', 'mosaic-gen', 'node-compile-cache')}/`)).toBe(true);
  });

  it.runIf(hasCompileCache)('NODE_COMPILE_CACHE chooses its place, NODE_DISABLE_COMPILE_CACHE=1 turns it off, and with no home there is none', () => {
    const chosen = join(dir, 'chosen');
    expect(run(['validate', 'roster.yaml'], BIN, REPO, withCache(join(dir, 'unused'), { NODE_COMPILE_CACHE: chosen })).cacheDir?.startsWith(`${chosen}/`)).toBe(true);
    expect(existsSync(join(dir, 'unused'))).toBe(false);
    const off = run(['validate', 'roster.yaml'], BIN, REPO, withCache(join(dir, 'off'), { NODE_DISABLE_COMPILE_CACHE: '1' }));
    expect([off.status, off.cacheDir, existsSync(join(dir, 'off'))]).toEqual([0, null, false]);
    // A relative XDG_CACHE_HOME or HOME names no place of the user's (XDG says to ignore it).
    const homeless = run(['validate', 'roster.yaml'], BIN, REPO, { PATH: process.env.PATH, XDG_CACHE_HOME: 'relative' });
    expect([homeless.status, homeless.cacheDir]).toEqual([0, null]);
  });

  it('a damaged, truncated or odd cache changes nothing but speed: same output, status 0, nothing on stderr', () => {
    const buildWith = (home: string, out: string) => {
      const result = run(['build', 'roster.yaml', '-o', join(dir, out)], BIN, REPO, withCache(home));
      expect([result.status, result.stderr], out).toEqual([0, '']);
      return tree(join(dir, out));
    };
    const reference = buildWith(join(dir, 'fresh'), 'reference');
    const cases: Record<string, (file: string) => void> = {
      // Bytes changed all through each entry, header and code alike.
      flipped: (file) => {
        const bytes = readFileSync(file);
        for (let i = 0; i < bytes.length; i += 61) bytes[i]! ^= 0x5a;
        writeFileSync(file, bytes);
      },
      truncated: (file) => truncateSync(file, 10),
      empty: (file) => truncateSync(file, 0),
      directory: (file) => {
        rmSync(file);
        mkdirSync(file);
      },
    };
    for (const [name, damage] of Object.entries(cases)) {
      const home = join(dir, `cache-${name}`);
      expect(buildWith(home, `${name}-first`)).toEqual(reference);
      const files = cacheFiles(home);
      expect(files.length > 0, name).toBe(hasCompileCache);
      for (const file of files) damage(file);
      expect(buildWith(home, `${name}-damaged`), name).toEqual(reference);
      // And the run after: whatever Node wrote back over the damage serves as well.
      expect(buildWith(home, `${name}-after`), name).toEqual(reference);
    }
    // The cache directory's place taken by a file: no cache, the same build.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'mosaic-gen'), { recursive: true });
    writeFileSync(join(blocked, 'mosaic-gen', 'node-compile-cache'), 'not a directory\n');
    expect(buildWith(blocked, 'blocked-out')).toEqual(reference);
  });
});
