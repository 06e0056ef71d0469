/**
 * Property: for any valid roster, the built scripts do what the manifest says, checked by running
 * them. `install.sh --offline` into a staging root ($DESTDIR) leaves there exactly the manifest's
 * files (content by sha256, mode), the manifest itself, the enablement links and, when asked, the
 * linger flag, and nothing else but install's own records beside the manifest; a second install
 * changes nothing; `uninstall.sh --offline` gives back the tree as it was, whatever was there
 * before. The expectation is computed here from manifest.json alone, not from the code that
 * wrote the scripts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cli, tempDir } from '../support/cli.js';
import { listing } from '../support/host.js';
import { FUZZ_TIMEOUT, RUNS, rosterText, SEED, validRoster } from './arbitraries.js';
import { FLEET_DIR } from '../../src/model/artifact.js';

/** Each case runs the scripts three times over a whole fleet: far fewer cases than the in-memory properties. */
const CASES = Math.min(50, Math.max(4, Math.round(RUNS / 50)));
const HOME = '/home/fleet';
const USER = 'fleet';
const CONFIG = `${HOME}/.config`;
const UNITS = `${CONFIG}/systemd/user`;
/** Where install keeps the manifest; the other files beside it are install's own records. */
const FLEET_STATE = `${CONFIG}/${FLEET_DIR}`;

interface Manifest {
  files: Array<{ path: string; target: string; mode: string; sha256: string }>;
  enable: Array<{ unit: string; file: string; wantedBy: string }>;
  linger: boolean;
}

/** What was on the host before install: nothing, an empty unit directory, or a unit of someone else. */
const before = fc.constantFrom('nothing', 'unit dir', 'foreign unit', 'linger on');

const work = tempDir('mosaic-gen-offline-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The listing (support/host.ts) the staging root must have after install, from the manifest alone. */
function expectedAfterInstall(manifest: Manifest, manifestText: string, pristine: string[], lingerBefore: boolean): string[] {
  const entries = new Set(comparable(pristine));
  const dirs = (path: string) => {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) entries.add(`d ${parts.slice(0, i).join('/')}/`);
  };
  const file = (path: string, mode: string, hash: string) => {
    dirs(path);
    entries.add(`f ${mode.padStart(4, '0')} ${path} ${hash}`);
  };
  for (const f of manifest.files) file(`${CONFIG}/${f.target}`.slice(1), f.mode, f.sha256);
  file(`${FLEET_STATE}/manifest.json`.slice(1), '0600', sha(manifestText));
  for (const e of manifest.enable) {
    const link = `${UNITS}/${e.wantedBy}.wants/${e.unit}`.slice(1);
    dirs(link);
    entries.add(`l ${link} -> ${UNITS}/${e.file}`);
  }
  if (manifest.linger && !lingerBefore) entries.add(`f 0644 var/lib/systemd/linger/${USER} ${sha('')}`);
  return [...entries].sort();
}

/**
 * A listing as the manifest can predict it: sorted, directories without their mode (the format
 * does not say which mode install gives the directories it makes), and without install's own
 * records (the files beside the manifest that it does not list).
 */
const RECORD = new RegExp(`^f \\d+ ${FLEET_STATE.slice(1)}/(?!manifest\\.json )[^/]+ `);
const comparable = (lines: string[]) => lines.filter((l) => !RECORD.test(l)).map((l) => l.replace(/^d \d+ /, 'd ')).sort();

// The scripts take about a second a run on a loaded machine.
vi.setConfig({ testTimeout: Math.max(FUZZ_TIMEOUT, CASES * 30_000) });

describe(`install.sh / uninstall.sh --offline, run on valid rosters (${CASES} cases)`, () => {
  it('install leaves exactly what the manifest lists; uninstall gives back the tree as it was', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(validRoster, before, async (roster, pre) => {
        const dir = join(work, `case-${k++}`);
        mkdirSync(dir);
        try {
          writeFileSync(join(dir, 'roster.yaml'), rosterText(roster));
          const built = await cli(['build', 'roster.yaml', '-o', 'out'], { cwd: dir });
          expect(built.status, built.stderr).toBe(0);
          const out = join(dir, 'out');
          const manifestText = readFileSync(join(out, 'manifest.json'), 'utf8');
          const manifest = JSON.parse(manifestText) as Manifest;
          // umask 022 as on a login, so a mode that install does not set shows as 0644/0755.
          const stage = join(dir, 'stage');
          mkdirSync(join(stage, HOME), { recursive: true, mode: 0o755 });
          mkdirSync(join(stage, 'var/lib/systemd/linger'), { recursive: true, mode: 0o755 });
          if (pre !== 'nothing' && pre !== 'linger on') mkdirSync(join(stage, UNITS), { recursive: true, mode: 0o755 });
          if (pre === 'foreign unit') writeFileSync(join(stage, UNITS, 'other.service'), '[Service]\nExecStart=/bin/true\n', { mode: 0o644 });
          if (pre === 'linger on') writeFileSync(join(stage, 'var/lib/systemd/linger', USER), '', { mode: 0o644 });
          const pristine = listing(stage);

          const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME, USER, LANG: 'C.UTF-8', DESTDIR: stage };
          const run = (script: string) => {
            const r = spawnSync('sh', ['-c', `umask 022 && exec sh "$0" --offline`, join(out, script)], { cwd: '/', env, encoding: 'utf8' });
            expect(r.status, `${script} --offline (before: ${pre})\n${r.stdout}\n${r.stderr}`).toBe(0);
          };
          const expected = expectedAfterInstall(manifest, manifestText, pristine, pre === 'linger on');
          run('install.sh');
          const installed = listing(stage);
          expect(comparable(installed), `after install (before: ${pre})`).toEqual(expected);
          run('install.sh');
          expect(listing(stage), 'a second install changes nothing').toEqual(installed);
          run('uninstall.sh');
          expect(listing(stage), `after uninstall (before: ${pre})`).toEqual(pristine);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: !process.env.FUZZ_SHRINK },
    );
  });
});
