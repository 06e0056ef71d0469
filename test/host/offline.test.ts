/**
 * install.sh / uninstall.sh --offline into a staging root ($DESTDIR): files and the enablement
 * links systemctl --user enable would make, and the linger pair, with no systemctl or loginctl
 * (fake ones on PATH record any call). Needs only sh and coreutils, so it runs everywhere.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import { buildRoster, HARMLESS_RUNTIMES, listing } from './host-support.js';
import { LINGER_RECORD, MANIFEST_TARGET } from '../../src/model/artifact.js';

const ROSTER = (linger: boolean) => `version: 1
profile: research
fleet: { linger: ${linger} }
${HARMLESS_RUNTIMES}agents:
  - name: board
    lifecycle: always-on
`;

describe('install.sh --offline / uninstall.sh --offline into a staging root', () => {
  let work: string;
  let stage: string;
  let home: string;
  let calls: string;
  let env: NodeJS.ProcessEnv;
  const USER = 'fleetuser';

  const run = (out: string, script: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync('sh', [join(out, script), ...args], { cwd: '/', env: { ...env, ...extra }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const config = () => join(stage, home, '.config');
  const lingerFile = () => join(stage, 'var/lib/systemd/linger', USER);
  const lingerRecord = () => join(config(), LINGER_RECORD);

  beforeAll(() => {
    work = tempDir('mosaic-offline-');
    home = join(work, 'home');
    calls = join(work, 'calls');
    const fakeBin = join(work, 'bin');
    mkdirSync(fakeBin);
    for (const tool of ['systemctl', 'loginctl']) writeFileSync(join(fakeBin, tool), `#!/bin/sh\necho "${tool} $*" >>'${calls}'\nexit 99\n`, { mode: 0o755 });
    env = { PATH: `${fakeBin}:/usr/local/bin:/usr/bin:/bin`, HOME: home, USER, LANG: 'C.UTF-8' };
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /**
   * A staging root as a host is before install: HOME and the linger directory exist, and with
   * `units`, an empty ~/.config/systemd/user that uninstall must leave (install did not make it).
   */
  let pristine: string[];
  const freshStage = (units = true) => {
    stage = join(work, `stage-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(stage, home, units ? '.config/systemd/user' : ''), { recursive: true });
    mkdirSync(join(stage, 'var/lib/systemd/linger'), { recursive: true });
    pristine = listing(stage);
    return { ...env, DESTDIR: stage };
  };

  it('writes the files and the enablement links as systemctl --user enable would, and runs no systemctl', async () => {
    const out = await buildRoster(ROSTER(false));
    const e = freshStage(false);
    const r = run(out, 'install.sh', ['--offline'], e);
    const units = join(home, '.config/systemd/user');
    const wants = (target: string, unit: string) => readlinkSync(join(stage, units, `${target}.wants`, unit));
    expect(wants('default.target', 'mosaic-fleet.target')).toBe(join(units, 'mosaic-fleet.target'));
    expect(wants('mosaic-fleet.target', 'mosaic-tmux-holder.service')).toBe(join(units, 'mosaic-tmux-holder.service'));
    for (const agent of ['orchestrator', 'enhancer', 'board']) {
      expect(wants('mosaic-fleet.target', `mosaic-agent@${agent}.service`)).toBe(join(units, 'mosaic-agent@.service'));
    }
    for (const agent of ['research0', 'research1']) expect(existsSync(join(stage, units, 'mosaic-fleet.target.wants', `mosaic-agent@${agent}.service`))).toBe(false);
    expect(readFileSync(join(config(), MANIFEST_TARGET), 'utf8')).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // Every action printed; nothing written outside the staging root.
    expect(r.stdout).toContain(`install.sh: ln -s ${join(units, 'mosaic-fleet.target')} ${join(stage, units, 'default.target.wants/mosaic-fleet.target')}`);
    expect(existsSync(home)).toBe(false);
    expect(existsSync(join(stage, 'var/lib/systemd/linger', USER))).toBe(false);
    expect(existsSync(calls)).toBe(false);
    // Uninstall --offline leaves the staging root as it was; twice is fine; no systemctl either.
    run(out, 'uninstall.sh', ['--offline'], e);
    expect(listing(stage)).toEqual(pristine);
    run(out, 'uninstall.sh', ['--offline'], e);
    expect(existsSync(calls)).toBe(false);
  });

  it('linger: enabled only if it was off, and recorded; uninstall disables it only then', async () => {
    const out = await buildRoster(ROSTER(true));

    // Off before: install turns it on and records that; uninstall turns it off again.
    let e = freshStage();
    run(out, 'install.sh', ['--offline'], e);
    expect(existsSync(lingerFile())).toBe(true);
    expect(existsSync(lingerRecord())).toBe(true);
    const installed = listing(stage);
    run(out, 'install.sh', ['--offline'], e);
    expect(listing(stage)).toEqual(installed);
    run(out, 'uninstall.sh', ['--offline'], e);
    expect(existsSync(lingerFile())).toBe(false);
    expect(listing(stage)).toEqual(pristine);

    // Already on: install leaves it alone and records nothing; uninstall leaves it on.
    e = freshStage();
    writeFileSync(lingerFile(), '');
    const before = listing(stage);
    const r = run(out, 'install.sh', ['--offline'], e);
    expect(r.stdout).not.toContain('linger');
    expect(existsSync(lingerRecord())).toBe(false);
    run(out, 'uninstall.sh', ['--offline'], e);
    expect(existsSync(lingerFile())).toBe(true);
    expect(listing(stage)).toEqual(before);
    expect(existsSync(calls)).toBe(false);
  });

  it('a roster without linger never touches it', async () => {
    const out = await buildRoster(ROSTER(false));
    const e = freshStage();
    run(out, 'install.sh', ['--offline'], e);
    expect(existsSync(lingerFile())).toBe(false);
    expect(existsSync(lingerRecord())).toBe(false);
    run(out, 'uninstall.sh', ['--offline'], e);
    expect(listing(stage)).toEqual(pristine);
  });

  it('refuses --offline without DESTDIR, and DESTDIR without --offline', async () => {
    const out = await buildRoster(ROSTER(false));
    expect(spawnSync('sh', [join(out, 'install.sh'), '--offline'], { env, encoding: 'utf8' }).status).not.toBe(0);
    expect(spawnSync('sh', [join(out, 'install.sh')], { env: { ...env, DESTDIR: work }, encoding: 'utf8' }).status).not.toBe(0);
    expect(existsSync(home)).toBe(false);
  });
});
