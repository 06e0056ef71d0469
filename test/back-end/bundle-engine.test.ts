/**
 * The bundle's two scripts and the one engine they source: found beside the script however it is
 * run (another cwd, `./install.sh`, a symlinked directory or script, a path with spaces), and only
 * the engine the script was built with; a bundle mixed from two builds is refused with nothing
 * touched. Run for real with sh and coreutils, offline into a staging root.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.js';
import { listing } from '../support/host.js';

const HOME = '/home/fleetuser';
const A = 'version: 1\nprofile: general\nfleet: { linger: true }\n';
const B = 'version: 1\nprofile: minimal\n';

async function build(dir: string, name: string, roster: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), roster);
  const r = await cli(['build', name, '-o', 'out'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return join(dir, 'out');
}

describe("a bundle's install.sh and uninstall.sh run its own engine.sh", () => {
  let work: string;
  let a: string;
  let b: string;
  const stage = () => join(work, 'staging root');

  /** `sh SCRIPT --offline ARGS` from `cwd`, into the staging root. */
  const run = (script: string, args: string[] = [], cwd = '/') => {
    const r = spawnSync('sh', [script, '--offline', ...args], { cwd, env: { PATH: process.env.PATH, HOME, USER: 'fleetuser', DESTDIR: stage() }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
  };

  beforeAll(async () => {
    work = tempDir('mosaic-engine-');
    // A path with spaces, reached through a symlinked directory.
    a = await build(join(work, 'ci job', 'fleet a'), 'roster.yaml', A);
    b = await build(join(work, 'ci job', 'fleet b'), 'prod.yaml', B);
  });

  const fresh = () => {
    rmSync(stage(), { recursive: true, force: true });
    mkdirSync(stage());
  };
  const copy = (from: string, name: string) => {
    const dir = join(work, name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(from, dir, { recursive: true });
    return dir;
  };

  /** Bundle A installed in a fresh staging root, and a copy of A with one file of B's. */
  const installedAndMixed = (name: string, fromB: string) => {
    fresh();
    expect(run(join(a, 'install.sh')).status).toBe(0);
    const mixed = copy(a, name);
    copyFileSync(join(b, fromB), join(mixed, fromB));
    return { installed: listing(stage()), mixed };
  };

  it('ships one engine, not executable, that refuses to run on its own and touches nothing', () => {
    const scripts = (dir: string) => ['install.sh', 'uninstall.sh'].map((s) => readFileSync(join(dir, s), 'utf8'));
    for (const text of scripts(a)) expect(text.split('\n').length).toBeLessThan(47);
    fresh();
    const alone = spawnSync('sh', [join(a, 'engine.sh'), '--offline'], { cwd: '/', env: { PATH: process.env.PATH, HOME, DESTDIR: stage() }, encoding: 'utf8' });
    expect(alone.status).toBe(1);
    expect(alone.stderr).toBe('engine.sh: error: this file is sourced by install.sh and uninstall.sh of its bundle; run one of those\n');
    expect(listing(stage())).toEqual([]);
  });

  it('works from another cwd, as ./install.sh, through a symlinked directory and a linked script, in a path with spaces', () => {
    fresh();
    const link = join(work, 'linked bundle');
    rmSync(link, { force: true });
    symlinkSync(a, link);
    const first = run(join(link, 'install.sh'));
    expect(first.status, first.out).toBe(0);
    expect(first.stdout).toMatch(/install\.sh: changed: Plan: \d+ to add, 0 to change, 0 to destroy\.\n$/);
    const installed = listing(stage());
    expect(installed.some((l) => l.includes('mosaic/fleet/manifest.json'))).toBe(true);
    // Inside the linked directory, the script by a relative name.
    const again = run('./install.sh', [], link);
    expect(again.stdout, again.out).toBe('install.sh: ok: No changes. The installed fleet matches the build.\n');
    // A link to the script itself, elsewhere: the engine is found beside the script's real path.
    const bin = join(work, 'some bin');
    mkdirSync(bin, { recursive: true });
    rmSync(join(bin, 'fleet-install'), { force: true });
    symlinkSync(join(a, 'install.sh'), join(bin, 'fleet-install'));
    const linked = run(join(bin, 'fleet-install'), ['--check'], work);
    expect(linked.status, linked.out).toBe(0);
    expect(listing(stage())).toEqual(installed);
    const gone = run('uninstall.sh', [], a);
    expect(gone.status, gone.out).toBe(0);
    expect(listing(stage()).filter((l) => l.includes('.config'))).toEqual([]);
  });

  it("refuses another build's engine.sh, a missing one and an edited one, touching nothing", () => {
    const { installed, mixed } = installedAndMixed('mixed bundle', 'engine.sh');
    const bundle = listing(mixed);
    for (const script of ['install.sh', 'uninstall.sh']) {
      for (const args of [[], ['--check'], ['--force']]) {
        const r = run(join(mixed, script), args);
        expect(r.status, r.out).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`${script}: error: ${join(mixed, 'engine.sh')} is not the engine ${join(mixed, script)} was built with (from another build, or edited); ship the bundle's files together\n`);
      }
    }
    // An engine with one comment changed is not this build's either.
    writeFileSync(join(mixed, 'engine.sh'), readFileSync(join(a, 'engine.sh'), 'utf8').replace('# The transition engine', '# A transition engine'));
    expect(run(join(mixed, 'install.sh')).stderr).toContain('is not the engine');
    rmSync(join(mixed, 'engine.sh'));
    const missing = run(join(mixed, 'uninstall.sh'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`uninstall.sh: error: ${join(mixed, 'engine.sh')} is missing; ship the bundle's files together\n`);
    expect(listing(stage())).toEqual(installed);
    expect(listing(mixed).filter((l) => !l.includes('engine.sh'))).toEqual(bundle.filter((l) => !l.includes('engine.sh')));
  });

  it("refuses a bundle whose files are not its manifest's (another build's manifest or file), touching nothing", () => {
    const { installed, mixed } = installedAndMixed('mixed files', 'manifest.json');
    const manifest = run(join(mixed, 'install.sh'));
    expect(manifest.status, manifest.out).toBe(1);
    expect(manifest.stderr).toContain(`install.sh: error: files of the bundle in ${mixed} differ from its manifest (above); ship the bundle's files together\n`);
    copyFileSync(join(a, 'manifest.json'), join(mixed, 'manifest.json'));
    copyFileSync(join(b, 'systemd/mosaic-fleet.target'), join(mixed, 'systemd/mosaic-fleet.target'));
    const file = run(join(mixed, 'install.sh'), ['--check']);
    expect(file.status, file.out).toBe(1);
    expect(file.stderr).toMatch(/^systemd\/mosaic-fleet\.target: FAILED$/m);
    expect(listing(stage())).toEqual(installed);
    expect(run(join(a, 'uninstall.sh')).status).toBe(0);
  });
});
