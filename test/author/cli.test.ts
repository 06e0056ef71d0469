import { chmodSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { PROFILES } from '../../src/model/roster-input.js';
import { SCHEMA_PATH } from '../../src/paths.js';
import { tempDir } from '../support/cli.js';
import { ROSTERS } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('mosaic-author-');
});

async function run(args: string[], options: { isTTY?: boolean; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env: options.env ?? {}, isTTY: options.isTTY ?? false };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

function snapshot(path: string) {
  const stat = statSync(path);
  return { bytes: readFileSync(path, 'utf8'), mode: stat.mode, mtime: stat.mtimeMs };
}

describe('init', () => {
  for (const profile of PROFILES) {
    it(`writes a ${profile} roster that validates`, async () => {
      const init = await run(['init', '--profile', profile]);
      expect(init.status, init.stderr).toBe(0);
      const text = readFileSync(join(dir, 'roster.yaml'), 'utf8');
      expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+roster\.schema\.json$/);
      expect(existsSync(join(dir, text.split('\n')[0]!.split('$schema=')[1]!))).toBe(true);
      expect(text).toContain(`profile: ${profile}`);
      const validate = await run(['validate', '--strict']);
      expect(validate.status, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(new RegExp(`valid, ${profile} fleet`));
    });
  }

  it('refuses to overwrite without --force, and leaves the file as it was', async () => {
    writeFileSync(join(dir, 'roster.yaml'), ROSTERS.commented!);
    chmodSync(join(dir, 'roster.yaml'), 0o600);
    const before = snapshot(join(dir, 'roster.yaml'));
    const again = await run(['init', '--profile', 'coding']);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^roster\.yaml: error\[EXISTS\]: roster\.yaml exists already\n  hint: pass --force/);
    expect(snapshot(join(dir, 'roster.yaml'))).toEqual(before);
    expect(readdirSync(dir)).toEqual(['roster.yaml']);
    const forced = await run(['init', '--profile', 'coding', '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'roster.yaml'), 'utf8')).toContain('profile: coding');
    expect(statSync(join(dir, 'roster.yaml')).mode & 0o777).toBe(0o600);
  });

  it('-o - prints the roster; -o names another file; a bad profile is a usage error', async () => {
    const printed = await run(['init', '--profile', 'minimal', '-o', '-']);
    expect(printed.stdout).toMatch(/^# yaml-language-server/);
    expect(existsSync(join(dir, 'roster.yaml'))).toBe(false);
    const other = await run(['init', '-o', 'fleet.yaml', '--json']);
    expect(JSON.parse(other.stdout)).toMatchObject({ file: 'fleet.yaml', ok: true, profile: 'general', agents: ['orchestrator', 'enhancer'] });
    const bad = await run(['init', '--profile', 'codng']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error\[USAGE\]: --profile is 'codng'; it must be one of: general, coding, research, minimal\n  hint: did you mean 'coding'\?\n$/);
  });
});

describe('add and remove on disk', () => {
  const roster = () => join(dir, 'roster.yaml');

  it('round-trips the bytes and keeps the mode', async () => {
    writeFileSync(roster(), ROSTERS.commented!);
    chmodSync(roster(), 0o640);
    const add = await run(['add', 'scribe', '--runtime', 'claude', '--role', 'docs', '--env', 'TZ=UTC', '-e', 'URL=http://x?a=b', '--workdir', '~/docs']);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^roster\.yaml: added agent 'scribe'\nroster\.yaml: coding fleet of 7 agents/);
    expect(readFileSync(roster(), 'utf8')).toContain('    env:\n      TZ: UTC\n      URL: http://x?a=b\n');
    expect(statSync(roster()).mode & 0o777).toBe(0o640);
    const remove = await run(['remove', 'scribe']);
    expect(remove.status, remove.stderr).toBe(0);
    expect(readFileSync(roster(), 'utf8')).toBe(ROSTERS.commented);
    expect(readdirSync(dir)).toEqual(['roster.yaml']);
  });

  it('every refusal leaves the file byte-identical', async () => {
    writeFileSync(roster(), ROSTERS.commented!);
    const before = snapshot(roster());
    const refusals = [
      ['add', 'boss', '--runtime', 'claude', '--class', 'orchestrator'],
      ['add', 'ops', '--runtime', 'pi'],
      ['add', 'enhancer', '--runtime', 'pi'],
      ['add', 'x', '--runtime', 'nope'],
      ['add', 'x', '--runtime', 'pi', '--env', 'NOEQUALS'],
      ['add', 'x', '--runtime', 'pi', '--env', 'A=1', '--env', 'A=2'],
      ['add', 'x', '--runtime', 'pi', '--lifecycle', 'sometimes'],
      ['add', 'x'],
      ['remove', 'orchestrator'],
      ['remove', 'enhancer'],
      ['remove', 'nobody'],
      ['remove', 'coder1'],
    ];
    for (const args of refusals) {
      const result = await run(args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).not.toBe('');
      expect(snapshot(roster()), args.join(' ')).toEqual(before);
    }
    expect(readdirSync(dir)).toEqual(['roster.yaml']);
  });

  it('the R5 refusal names the file, the code and the fix', async () => {
    writeFileSync(roster(), ROSTERS.commented!);
    const result = await run(['add', 'boss', '--runtime', 'claude', '--class', 'orchestrator']);
    expect(result.stderr).toMatch(/^roster\.yaml: error\[R5\]: the fleet has 2 orchestrators \(orchestrator, boss\); it must have exactly one\n  hint: .+\nroster\.yaml: not changed\n$/);
  });

  it('--roster, --dry-run and --json', async () => {
    writeFileSync(join(dir, 'prod.yaml'), ROSTERS.seedStyle!);
    const before = snapshot(join(dir, 'prod.yaml'));
    const dry = await run(['add', 'coder0', '--runtime', 'codex', '--roster', 'prod.yaml', '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('+  - name: coder0\n+    runtime: codex\n');
    expect(snapshot(join(dir, 'prod.yaml'))).toEqual(before);
    const json = await run(['remove', 'enhancer', '--roster', 'prod.yaml', '--json']);
    expect(json.status).toBe(0); // no profile: a missing enhancer is a warning
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ file: 'prod.yaml', ok: true, written: true, changes: ["removed agent 'enhancer'"] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'FLOOR' })]);
    const missing = await run(['remove', 'x', '--roster', 'nope.yaml', '--json']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout).diagnostics[0].code).toBe('NOT_FOUND');
  });

  it('a symlinked roster stays a symlink', async () => {
    writeFileSync(join(dir, 'real.yaml'), ROSTERS.commented!);
    symlinkSync('real.yaml', roster());
    expect((await run(['add', 'scribe', '--runtime', 'pi'])).status).toBe(0);
    expect(lstatSync(roster()).isSymbolicLink()).toBe(true);
    expect(readlinkSync(roster())).toBe('real.yaml');
    expect(readFileSync(join(dir, 'real.yaml'), 'utf8')).toContain('name: scribe');
  });
});

describe('profiles and schema', () => {
  it('profiles lists every preset with its agents', async () => {
    const text = await run(['profiles']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^general\n/);
    expect(text.stdout).toMatch(/ {2}coder0 +coder +codex +on-demand\n/);
    const json = JSON.parse((await run(['profiles', '--json'])).stdout);
    expect(json.map((p: { name: string }) => p.name)).toEqual(['general', 'coding', 'research', 'minimal']);
    expect(json[1].agents.map((a: { name: string }) => a.name)).toEqual(['orchestrator', 'enhancer', 'coder0', 'coder1', 'code-review', 'security-review']);
    expect(json[1].agents[2]).toEqual({ name: 'coder0', role: 'coder', class: 'worker', runtime: 'codex', lifecycle: 'on-demand' });
    const one = await run(['profiles', 'reserch']);
    expect(one.status).toBe(1);
    expect(one.stderr).toContain("did you mean 'research'?");
  });

  it('schema prints the roster JSON Schema', async () => {
    const result = await run(['schema']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(SCHEMA_PATH, 'utf8'));
    expect(JSON.parse(result.stdout).title).toBe('mosaic-gen roster');
  });
});

describe('conventions', () => {
  for (const command of ['init', 'add', 'remove', 'profiles', 'schema']) {
    it(`${command} --help shows an example`, async () => {
      const result = await run([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Examples:\\n {2}mosaic-gen ${command}`));
    });
  }

  it('a mistyped command gets a suggestion', async () => {
    const result = await run(['remvoe', 'x']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("mosaic-gen: error[USAGE]: unknown command 'remvoe'\n  hint: did you mean 'remove'?\n");
  });

  it('colour only on a terminal, never with NO_COLOR', async () => {
    writeFileSync(join(dir, 'roster.yaml'), ROSTERS.commented!);
    const tty = await run(['remove', 'nobody'], { isTTY: true });
    expect(tty.stderr).toContain('\u001b[31m');
    const noColor = await run(['remove', 'nobody'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).not.toContain('\u001b[');
    const pipe = await run(['profiles']);
    expect(pipe.stdout).not.toContain('\u001b[');
  });
});
