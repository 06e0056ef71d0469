/**
 * Never outside its own files (issue: confinement). Each reproduction of the adversarial review,
 * through the CLI and through the bundle's scripts, offline (files and links are what is at
 * stake; the user manager is not needed to prove where writes and removals go).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { redactEnv } from '../../src/diff/render-plan.js';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { sha256 } from '../../src/plan/build-manifest.js';
import { BIN, bin, cli, tempDir } from '../support/cli.js';
import { listing } from '../support/host.js';
import { failingCommands } from '../support/failing-commands.js';
import { envTarget, FLEET_DIR, MANIFEST_TARGET } from '../../src/model/artifact.js';

const ROSTER = `version: 1
profile: general
fleet: { linger: false }
runtimes: { claude: { command: [sleep, "100001"] }, codex: { command: [sleep, "100002"] } }
agents:
  - name: coder0
    runtime: codex
    env: { PIN: "4821" }
`;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A home with a roster; apply/uninstall offline through the in-process CLI, and the bundle. */
function host() {
  const home = tempDir('mosaic-confine-');
  const work = tempDir('mosaic-confine-work-');
  const runtime = tempDir('mosaic-confine-run-');
  made.push(home, work, runtime);
  const config = join(home, '.config');
  const env = { HOME: home, USER: 'someone', XDG_RUNTIME_DIR: runtime };
  writeFileSync(join(work, 'roster.yaml'), ROSTER);
  const run = (...args: string[]) => cli([...args, '--offline'], { cwd: work, env });
  const out = join(work, 'out');
  const build = () => cli(['build', '-o', out], { cwd: work, env });
  const script = (name: string, ...args: string[]) => {
    const r = spawnSync('sh', [join(out, name), '--offline', ...args], { env: { PATH: process.env.PATH, HOME: home, USER: 'someone', DESTDIR: '/' }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { home, work, config, env, run, out, script, build };
}

describe('confinement: only the fleet own files, never through a link', () => {
  it('uninstall refuses a symlinked fleet directory, and the files it points to survive (CLI and uninstall.sh)', async () => {
    const h = host();
    expect((await h.run('apply', '--yes')).status).toBe(0);
    expect((await h.build()).status).toBe(0);
    const vault = join(h.home, 'vault');
    mkdirSync(vault);
    for (const name of ['coder0.env', 'enhancer.env']) writeFileSync(join(vault, name), 'SECRET=mine\n');
    rmSync(join(h.config, `${FLEET_DIR}/env`), { recursive: true });
    symlinkSync(vault, join(h.config, `${FLEET_DIR}/env`));
    const r = await h.run('uninstall', '--yes', '--force');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[APPLY\].*refusing to work through /);
    expect(r.stderr).toContain(`${FLEET_DIR}/env: it is a symbolic link`);
    const s = h.script('uninstall.sh', '--force');
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/refusing to work through /);
    expect(s.stderr).toContain(`${FLEET_DIR}/env`);
    for (const name of ['coder0.env', 'enhancer.env']) expect(readFileSync(join(vault, name), 'utf8')).toBe('SECRET=mine\n');
  });

  it('a record naming a file that is not the fleet own is a STATE error, with nothing touched', async () => {
    const h = host();
    expect((await h.run('apply', '--yes')).status).toBe(0);
    expect((await h.build()).status).toBe(0);
    mkdirSync(join(h.config, 'git'));
    writeFileSync(join(h.config, 'git/config'), '[user]\n');
    const record = join(h.config, MANIFEST_TARGET);
    const manifest = JSON.parse(readFileSync(record, 'utf8'));
    manifest.files.push({ path: 'env/x.env', target: 'git/config', mode: '0600', sha256: sha256('[user]\n'), agent: null });
    writeFileSync(record, JSON.stringify(manifest, null, 2));
    const before = listing(h.home);
    for (const args of [['uninstall', '--yes'], ['uninstall', '--yes', '--force'], ['apply', '--yes']]) {
      const r = await h.run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/error\[STATE\].*"git\/config", which is not mosaic-gen's to touch/);
    }
    for (const name of ['uninstall.sh', 'install.sh']) {
      const s = h.script(name, '--force');
      expect(s.status, name).toBe(1);
      expect(s.stderr).toMatch(/error: .*manifest\.json names "git\/config", which is not mosaic-gen's to touch/);
    }
    expect(listing(h.home)).toEqual(before);
  });

  it('install.sh never writes through a link planted at a temporary name', async () => {
    const h = host();
    expect((await h.build()).status).toBe(0);
    writeFileSync(join(h.home, '.bashrc'), 'my shell\n');
    mkdirSync(join(h.config, `${FLEET_DIR}/env`), { recursive: true });
    symlinkSync(join(h.home, '.bashrc'), join(h.config, `${FLEET_DIR}/env/coder0.env.mosaic-tmp`));
    symlinkSync(join(h.home, '.bashrc'), join(h.config, `${FLEET_DIR}/env/.mosaic-tmp.000000000000`));
    const s = h.script('install.sh');
    expect(s.status, s.stderr).toBe(0);
    expect(readFileSync(join(h.home, '.bashrc'), 'utf8')).toBe('my shell\n');
  });

  it('an uninstall that fails at any of its steps is finished by running it again (home as before install)', async () => {
    const failing = failingCommands();
    let steps = 0;
    for (let n = 1; ; n++) {
      const h = host();
      mkdirSync(join(h.config, 'mosaic/secrets'), { recursive: true }); // the user's, before install
      const pristine = listing(h.home);
      expect((await h.run('apply', '--yes')).status).toBe(0);
      const failed = await cli(['uninstall', '--offline', '--yes'], { cwd: h.work, env: { ...h.env, ...failing.env(n) } });
      steps = failing.calls();
      const status = await h.run('plan');
      expect(status.stdout, `failed at call ${n}`).not.toContain('Drift');
      const again = await h.run('uninstall', '--yes');
      expect(again.status, `${again.stdout}${again.stderr}`).toBe(0);
      expect(listing(h.home), `failed at call ${n}`).toEqual(pristine);
      if (failed.status === 0) break;
      expect(failed.stderr, `call ${n}`).toMatch(/error\[(APPLY|STATE)\]/);
    }
    expect(steps).toBeGreaterThan(10);
  }, 240_000);

  it('a fleet directory the user made stays, and no record of made directories is left in it', async () => {
    const h = host();
    mkdirSync(join(h.config, `${FLEET_DIR}`), { recursive: true });
    const pristine = listing(h.home);
    expect((await h.run('apply', '--yes')).status).toBe(0);
    expect((await h.run('uninstall', '--yes')).status).toBe(0);
    expect(listing(h.home)).toEqual(pristine);
    expect((await h.build()).status).toBe(0);
    expect(h.script('install.sh').status).toBe(0);
    expect(h.script('uninstall.sh').status).toBe(0);
    expect(listing(h.home)).toEqual(pristine);
  });

  it('XDG rules: a relative XDG_CONFIG_HOME is ignored; no HOME (or a relative one) is an error', async () => {
    const h = host();
    const r = await cli(['apply', '--offline', '--yes'], { cwd: h.work, env: { ...h.env, XDG_CONFIG_HOME: 'rel' } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(h.config, MANIFEST_TARGET))).toBe(true);
    expect(existsSync(join(h.work, 'rel'))).toBe(false);
    for (const env of [{ USER: 'x' }, { HOME: 'home', USER: 'x' }] as Array<Record<string, string>>) {
      const bad = await cli(['plan', '--offline'], { cwd: h.work, env });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/error\[STATE\]: HOME is (not set|a relative path)/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await h.build()).status).toBe(0);
    const s = spawnSync('sh', [join(h.out, 'install.sh'), '--offline'], { env: { PATH: process.env.PATH, DESTDIR: h.home, XDG_CONFIG_HOME: 'rel' }, encoding: 'utf8' });
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/HOME is not set or is not an absolute path/);
  });
});

describe('secrets stay secret', () => {
  it('a plan shows what the roster says; lines written by hand and keys that name a secret are redacted, with a fingerprint keyed per run', async () => {
    const h = host();
    expect((await h.run('apply', '--yes')).status).toBe(0);
    const env = join(h.config, envTarget('coder0'));
    writeFileSync(join(h.work, 'roster.yaml'), ROSTER.replace('PIN: "4821"', 'PIN: "4822", DB_PASSWORD: "opensesame"'));
    writeFileSync(env, `${readFileSync(env, 'utf8')}API_KEY=hunter2\n# password: swordfish\nexport TOKEN='abc'\n`);
    for (const args of [['plan'], ['plan', '--json'], ['apply', '--yes', '--force']]) {
      const r = await h.run(...args);
      expect(r.stdout, args.join(' ')).not.toMatch(/hunter2|swordfish|abc|opensesame/);
      expect(r.stdout, args.join(' ')).toContain('API_KEY=(redacted, 7 chars, #');
      expect(r.stdout, args.join(' ')).toContain('DB_PASSWORD=(redacted, 10 chars, #');
      if (args[1] !== '--json') expect(r.stdout, args.join(' ')).toContain('+PIN="4822"');
    }
    // The same value gets the same fingerprint within a run, and another one in the next run: a
    // short secret cannot be found by hashing candidates.
    const once = redactEnv('PIN="4821"\nAGAIN="4821"\n', '');
    const [a, b] = [...once.matchAll(/#([0-9a-f]{4})/g)].map((m) => m[1]);
    expect(a).toBe(b);
    writeFileSync(env, `${readFileSync(env, 'utf8')}API_KEY=hunter2\n`);
    writeFileSync(join(h.work, 'roster.yaml'), ROSTER.replace('PIN: "4821"', 'PIN: "4823"'));
    const runs = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = bin(['plan', '--offline'], { cwd: h.work, env: { ...process.env, ...h.env } });
      runs.add(/API_KEY=\(redacted, 7 chars, #([0-9a-f]{4})\)/.exec(r.stdout)?.[1] ?? `none: ${r.stdout}${r.stderr}`);
    }
    expect(runs.size, [...runs].join(' ')).toBeGreaterThan(1);
  });
});

describe('one run at a time', () => {
  it('20 applies and 20 uninstalls at once, in random order, end as one of them would; every loser names the lock', async () => {
    const h = host();
    expect((await h.build()).status).toBe(0);
    const pristine = listing(h.home);
    expect((await h.run('apply', '--yes')).status).toBe(0);
    const installed = listing(h.home);
    expect((await h.run('uninstall', '--yes')).status).toBe(0);
    const order = fc.sample(fc.shuffledSubarray([...Array(40).keys()], { minLength: 40, maxLength: 40 }), { numRuns: 1, seed: 7 })[0]!;
    const env = { ...process.env, ...h.env };
    const results = await Promise.all(
      order.map(
        (i) =>
          new Promise<{ code: number; out: string; verb: string }>((resolve) => {
            const verb = i % 2 === 0 ? 'apply' : 'uninstall';
            const child = spawn(process.execPath, [BIN, verb, '--offline', '--yes'], { cwd: h.work, env });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (out += d));
            child.on('close', (code) => resolve({ code: code ?? 1, out, verb }));
          }),
      ),
    );
    // A loser waited for the lock in vain, or found the host changed since its plan: either way it
    // changed nothing.
    for (const r of results) if (r.code !== 0) expect(r.out, r.verb).toMatch(/error\[LOCKED\].*holds the fleet lock|error\[CHANGED\]: the host changed since the plan/);
    expect([JSON.stringify(pristine), JSON.stringify(installed)]).toContain(JSON.stringify(listing(h.home)));
    // And whatever state it is in, a single run converges from it.
    expect((await h.run('apply', '--yes')).status).toBe(0);
    expect(listing(h.home)).toEqual(installed);
    expect(h.script('uninstall.sh').status).toBe(0);
    expect(listing(h.home)).toEqual(pristine);
  }, 240_000);

  it('without a runtime directory, the lock lives in a private directory of the user; a planted link or a foreign directory is refused, nothing written through', () => {
    const h = host();
    expect(spawnSync(process.execPath, [BIN, 'build', '-o', h.out], { cwd: h.work, encoding: 'utf8' }).status).toBe(0);
    const tmp = tempDir('mosaic-lock-tmp-');
    const victim = tempDir('mosaic-lock-victim-');
    writeFileSync(join(victim, 'private'), 'mine\n', { mode: 0o600 });
    const before = listing(victim);
    const uid = process.getuid!();
    const dir = join(tmp, `mosaic-fleet-${uid}`);
    const install = () => spawnSync('sh', [join(h.out, 'install.sh'), '--offline'], { env: { PATH: process.env.PATH, HOME: h.home, USER: 'someone', TMPDIR: tmp, DESTDIR: '/' }, encoding: 'utf8' });
    // A link where the private directory goes.
    symlinkSync(victim, dir);
    let r = install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${dir} (the fleet lock's directory) is not a directory`);
    rmSync(dir);
    // A directory another user made (and could plant in): not ours to trust.
    mkdirSync(dir, { mode: 0o777 });
    spawnSync('chown', ['nobody', dir]);
    r = install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not a 0700 directory of this user');
    rmSync(dir, { recursive: true });
    // A link at the lock file itself, inside the user's own directory.
    mkdirSync(dir, { mode: 0o700 });
    symlinkSync(join(victim, 'private'), join(dir, 'mosaic-fleet.lock'));
    r = install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is a symbolic link');
    rmSync(join(dir, 'mosaic-fleet.lock'));
    expect(listing(victim)).toEqual(before);
    expect(existsSync(join(h.config, MANIFEST_TARGET))).toBe(false);
    // And in its own directory, the run goes ahead.
    r = install();
    expect(r.status, r.stderr).toBe(0);
  });

  it('the engine acts only on the plan it was shown: a host that changed since is refused, nothing changed', () => {
    const h = host();
    expect(spawnSync(process.execPath, [BIN, 'build', '-o', h.out], { cwd: h.work, encoding: 'utf8' }).status).toBe(0);
    const check = h.script('install.sh', '--check', '--porcelain');
    expect(check.status).toBe(2);
    const digest = /^digest ([0-9a-f]{64})$/m.exec(check.stdout)![1]!;
    mkdirSync(join(h.config, `${FLEET_DIR}/env`), { recursive: true });
    writeFileSync(join(h.config, envTarget('coder0')), 'PIN=1\n');
    const before = listing(h.home);
    const stale = h.script('install.sh', '--force', `--expect=${digest}`);
    expect(stale.status).toBe(4);
    expect(stale.stderr).toContain('the host changed since the plan was made; nothing was changed');
    expect(listing(h.home)).toEqual(before);
    const fresh = /^digest ([0-9a-f]{64})$/m.exec(h.script('install.sh', '--check', '--porcelain').stdout)![1]!;
    expect(h.script('install.sh', '--force', `--expect=${fresh}`).status).toBe(0);
  });

  it('install.sh waits for a holder of the lock and names its PID when it gives up', () => {
    const h = host();
    const stage = tempDir('mosaic-lock-stage-');
    made.push(stage);
    expect(spawnSync(process.execPath, [BIN, 'build', '-o', h.out], { cwd: h.work, encoding: 'utf8' }).status).toBe(0);
    const holder = spawn('sh', ['-c', `exec 9>>"${stage}/.mosaic-fleet.lock"; flock 9; echo $$ >&9; echo locked; sleep 30`]);
    try {
      const ready = spawnSync('sh', ['-c', `for i in $(seq 100); do [ -s "${stage}/.mosaic-fleet.lock" ] && exit 0; sleep 0.1; done; exit 1`]);
      expect(ready.status).toBe(0);
      const r = spawnSync('sh', [join(h.out, 'install.sh'), '--offline'], { env: { PATH: process.env.PATH, HOME: h.home, DESTDIR: stage }, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`another mosaic-gen run (PID ${holder.pid}) holds the fleet lock`);
      expect(existsSync(join(stage, h.home, '.config/mosaic'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});

describe('a property: planted links in and around ~/.config never carry a write or removal outside the fleet', () => {
  it('random trees of symlinks (to directories and files, inside and outside): outside stays byte for byte', async () => {
    const places = ['', 'mosaic', `${FLEET_DIR}`, `${FLEET_DIR}/env`, `${FLEET_DIR}/launch`, 'systemd', 'systemd/user', 'systemd/user/mosaic-fleet.target.wants', envTarget('coder0'), MANIFEST_TARGET, 'systemd/user/mosaic-agent@.service'];
    const link = fc.record({ at: fc.constantFrom(...places.filter(Boolean)), to: fc.constantFrom('outside', 'outside/file', 'outside/dir', '.config/mosaic', '.config/other') });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(link, { selector: (l) => l.at, maxLength: 3 }), fc.boolean(), async (links, installFirst) => {
        const h = host();
        mkdirSync(join(h.home, 'outside/dir'), { recursive: true });
        writeFileSync(join(h.home, 'outside/file'), 'outside\n');
        mkdirSync(join(h.config, 'other'), { recursive: true });
        writeFileSync(join(h.config, 'other/keep'), 'keep\n');
        if (installFirst) expect((await h.run('apply', '--yes')).status).toBe(0);
        expect((await h.build()).status).toBe(0);
        for (const l of links) {
          const at = join(h.config, l.at);
          try {
            mkdirSync(dirname(at), { recursive: true });
            rmSync(at, { recursive: true, force: true });
            symlinkSync(join(h.home, l.to), at);
          } catch {
            // a link planted before sits on the way: this one is not planted
          }
        }
        const outside = () => [listing(join(h.home, 'outside')), listing(join(h.config, 'other')), readFileSync(join(h.home, 'outside/file'), 'utf8')];
        const before = outside();
        for (const args of [['apply', '--yes', '--force'], ['uninstall', '--yes', '--force']]) await h.run(...args);
        h.script('install.sh', '--force');
        h.script('uninstall.sh', '--force');
        expect(outside()).toEqual(before);
      }),
      { numRuns: 15, seed: 1125, endOnFailure: true },
    );
  }, 240_000);
});
