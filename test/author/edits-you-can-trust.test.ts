/**
 * The reproductions of issue 19, one test each: edits that are never lost, never change a value
 * they did not mean to, keep the file's owner, and refuse clearly what they cannot do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addAgent } from '../../src/author/add-agent.js';
import { removeAgent } from '../../src/author/remove-agent.js';
import { BIN, bin, cli, rosterFile, tempDir } from '../support/cli.js';

function run(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const agentsOf = (text: string) => (parse(text) as { agents: Array<{ name: string; env?: Record<string, string> }> }).agents;

describe('concurrent edits', () => {
  it('20 parallel adds end with 20 agents, every one reported, no lock left behind', async () => {
    const { dir, path } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => run(['add', `p${i}`, '--runtime', 'codex'], dir)));
    for (const [i, r] of runs.entries()) {
      expect(r.stderr, `p${i}`).toBe('');
      expect(r.status, `p${i}`).toBe(0);
      expect(r.stdout, `p${i}`).toContain(`added agent 'p${i}'`);
    }
    expect(agentsOf(readFileSync(path, 'utf8')).map((a) => a.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
    expect(readdirSync(dir).sort()).toEqual(['roster.yaml']);
  }, 60_000);

  it('an edit waits for the lock another live mosaic-gen holds, and takes over one whose process is gone', async () => {
    const { dir, path } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    const lock = join(dir, '.roster.yaml.mosaic-gen.lock');
    writeFileSync(lock, `${process.pid}\n`);
    const waiting = run(['add', 'w1', '--runtime', 'codex'], dir);
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(path, 'utf8')).not.toContain('w1');
    writeFileSync(lock, '999999999\n'); // its holder is gone now
    const result = await waiting;
    expect(result.status).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('name: w1');
    expect(existsSync(lock)).toBe(false);
  }, 60_000);
});

describe('an edit never changes a value it did not mean to', () => {
  const keepAtEnd = 'version: 1\nprofile: minimal\nagents:\n  - name: w1\n    runtime: codex\n    env:\n      A: |+\n        x\n\n';

  it('add after an agent ending in a |+ scalar with a trailing blank line keeps that value, and remove gives the bytes back', () => {
    const added = addAgent(keepAtEnd, 'roster.yaml', { name: 'w9', runtime: 'codex' });
    expect(added.ok).toBe(true);
    expect(agentsOf(added.text)[0]!.env!.A).toBe('x\n\n');
    expect(agentsOf(added.text)[1]).toEqual({ name: 'w9', runtime: 'codex' });
    expect(removeAgent(added.text, 'roster.yaml', 'w9').text).toBe(keepAtEnd);
  });

  it("remove after an agent's |+ scalar does not hand it the blank line that followed", () => {
    const text = 'version: 1\nprofile: minimal\nagents:\n  - name: w1\n    runtime: codex\n    env:\n      A: |+\n        x\n  - name: w2\n    runtime: codex\n\nfleet: {}\n';
    const removed = removeAgent(text, 'roster.yaml', 'w2');
    expect(removed.ok).toBe(true);
    expect(agentsOf(removed.text)).toEqual([{ name: 'w1', runtime: 'codex', env: { A: 'x\n' } }]);
  });

  it('an env value with line breaks is stored exactly, before a blank line, and add then remove is a round trip', () => {
    const text = 'version: 1\nprofile: minimal\nagents:\n  - name: w1\n    runtime: codex\n\n# end\n';
    for (const value of ['a\n\n', 'a\n', '\n', 'l1\nl2', 'x\n\n\n']) {
      const added = addAgent(text, 'roster.yaml', { name: 'ev', runtime: 'codex', env: { V: value } });
      expect(added.ok).toBe(true);
      expect(agentsOf(added.text)[1]!.env!.V).toBe(value);
      expect(removeAgent(added.text, 'roster.yaml', 'ev').text).toBe(text);
    }
  });

  it('a multi-line value goes into a flow-style agents list as valid YAML', () => {
    const added = addAgent('version: 1\nprofile: minimal\nagents: [{name: w1, runtime: codex}]\n', 'roster.yaml', { name: 'w5', runtime: 'codex', env: { V: 'l1\nl2' } });
    expect(added.diagnostics).toEqual([]);
    expect(agentsOf(added.text)[1]).toEqual({ name: 'w5', runtime: 'codex', env: { V: 'l1\nl2' } });
  });

  it('a comment after the last agent, indented like the items, is no reason to refuse', () => {
    const text = 'version: 1\nprofile: minimal\nagents:\n  - name: w1\n    runtime: codex\n  # more to come\n';
    const added = addAgent(text, 'roster.yaml', { name: 'w5', runtime: 'codex' });
    expect(added.diagnostics).toEqual([]);
    expect(added.text).toContain('# more to come');
    expect(removeAgent(added.text, 'roster.yaml', 'w5').text).toBe(text);
  });
});

describe('the roster file', () => {
  it.runIf(process.getuid?.() === 0)('keeps its owner, group and mode', async () => {
    const { dir, path } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    chownSync(path, 1234, 5678);
    expect((await cli(['add', 'w1', '--runtime', 'codex'], { cwd: dir })).status).toBe(0);
    const stat = statSync(path);
    expect([stat.uid, stat.gid, stat.mode & 0o777]).toEqual([1234, 5678, 0o644]);
  });

  it('an invalid UTF-8 byte in -e is refused, not turned into U+FFFD', () => {
    const { dir, path } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    const before = readFileSync(path, 'utf8');
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" add w1 --runtime codex -e "$(printf 'V=a\\377b')"`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toContain('error[USAGE]');
    expect(result.stderr).toContain('not valid UTF-8');
    expect(result.status).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('init -o creates the directories of the path, and refuses an empty -o', async () => {
    const dir = tempDir();
    const made = await cli(['init', '--profile', 'research', '-o', 'fleets/research.yaml'], { cwd: dir });
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect((await cli(['validate', 'fleets/research.yaml'], { cwd: dir })).status).toBe(0);
    const empty = await cli(['init', '-o', ''], { cwd: dir });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('error[USAGE]: -o was given an empty file name');
  });
});

describe('messages', () => {
  it('.inf, .nan and 1e400 are named for what they are, with a hint to quote them', () => {
    const { dir } = rosterFile('version: 1\nprofile: minimal\nfleet:\n  env:\n    V: .inf\n    W: 1e400\n    X: .nan\n    Y: -.inf\nagents: []\n');
    const result = bin(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('fleet.env.V must be a string, a number or true or false, not infinity');
    expect(result.stderr).toContain('fleet.env.W must be a string, a number or true or false, not infinity');
    expect(result.stderr).toContain('fleet.env.X must be a string, a number or true or false, not NaN (not a number)');
    expect(result.stderr).toContain('fleet.env.Y must be a string, a number or true or false, not minus infinity');
    expect(result.stderr).not.toContain('not a number\n');
    expect(result.stderr).toContain('hint: quote it');
  });

  it('a closed standard output ends the CLI quietly with the status it would have had', async () => {
    const { dir } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    writeFileSync(join(dir, 'out', 'install.sh'), `${readFileSync(join(dir, 'out', 'install.sh'), 'utf8')}# stale\n`);
    const result = await new Promise<{ status: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, 'build', '--check'], { cwd: dir });
      child.stdout.destroy(); // the reader is gone before the first write, as with `| head -c0`
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (status) => done({ status, stderr }));
    });
    expect(result.stderr).toBe('out/ is stale: 1 file differs from a fresh build; run mosaic-gen build\n');
    expect(result.status).toBe(2);
  });

  it('a standard output that is non-blocking and full (a FIFO nobody reads yet) still receives every byte, in order', async () => {
    // 300 agents whose env files all change with the fleet's env: build --check prints a diff of
    // far more than a pipe holds (64 KiB), and the CLI writes straight to its descriptor.
    const agents = Array.from({ length: 300 }, (_, i) => `  - { name: a${i}, runtime: claude, env: { TICKET: "T-${i}" } }`).join('\n');
    const { dir, path } = rosterFile(`version: 1\nfleet:\n  env: { LOG_LEVEL: info }\nagents:\n  - { name: boss, runtime: pi, class: orchestrator }\n${agents}\n`);
    expect((await cli(['build'], { cwd: dir })).status).toBe(0);
    writeFileSync(path, readFileSync(path, 'utf8').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
    const expected = spawnSync(process.execPath, [BIN, 'build', '--check'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(expected.status).toBe(2);
    expect(expected.stdout.length).toBeGreaterThan(256 * 1024);

    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const child = spawn(process.execPath, [BIN, 'build', '--check'], { cwd: dir, stdio: ['ignore', writeEnd, 'pipe'] });
    // libuv made the child's standard output blocking; a socket on our copy of the same open file
    // makes it non-blocking again (for both: the flag belongs to the open file), then closes ours.
    new Socket({ fd: writeEnd, readable: false, writable: true }).destroy();
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const status = new Promise<number | null>((done) => child.on('close', done));
    // Nobody reads for a while: the pipe fills and a write is refused (EAGAIN) instead of waiting.
    await new Promise((wait) => setTimeout(wait, 500));
    const chunks: Buffer[] = [];
    const reader = new Socket({ fd: readEnd, readable: true, writable: false });
    reader.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((done) => reader.on('end', done));
    expect(await status, stderr).toBe(2);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected.stdout);
    expect(stderr).toBe(expected.stderr);
  });

  it('a standard output that cannot be written (a full disk: /dev/full) ends the run with status 1 and says why, once', () => {
    const { dir } = rosterFile('version: 1\nprofile: minimal\nagents: []\n');
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [BIN, 'validate'], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(result.stderr).toBe('mosaic-gen: cannot write to standard output: ENOSPC\n');
      expect(result.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});
