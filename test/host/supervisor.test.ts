/**
 * The fleet's one supervisor (launch/supervise.sh.hbs), on its own against a real tmux server and
 * without systemd: it runs an agent's launch script in a window, hands it the environment it was
 * started with, exits with the agent's status, fails when the launch script fails before the
 * agent runs, and on TERM ends the agent, closes the window and exits 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { SUPERVISOR_TARGET, launchTarget } from '../../src/model/artifact.js';
import { outputPath } from '../../src/render/render-fleet.js';
import { tempDir } from '../support/cli.js';
import { until } from '../support/host.js';

const TMUX = '/usr/bin/tmux';
const SESSION = `sup-test-${process.pid}`;
const hasTmux = existsSync(TMUX);

describe.skipIf(!hasTmux)('the fleet supervisor, on real tmux', () => {
  const dir = tempDir('mosaic-supervisor-');
  const runtime = join(dir, 'run');
  const supervisor = join(dir, 'mosaic-supervise.sh');
  let server: ChildProcess;
  const tmux = (...args: string[]) => spawnSync(TMUX, ['-L', SESSION, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const windows = () => (tmux('list-windows', '-a', '-F', '#{window_name}').stdout ?? '').split('\n').filter(Boolean);

  /** Starts the supervisor for agent NAME with a launch script of the given body. */
  const supervise = (name: string, body: string, env: Record<string, string> = {}) => {
    const launch = join(dir, `${name}.sh`);
    writeFileSync(launch, `set -eu\n${body}\n`);
    const child = spawn('/bin/sh', [supervisor, name, launch], { env: { PATH: `${shims}:${process.env.PATH!}`, XDG_RUNTIME_DIR: runtime, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exit };
  };

  // No user manager here: systemd-run runs the command after `--` in place, and systemctl (the
  // stop of the agent's scope) does nothing. The scope itself is tested on a real manager in scope.test.ts.
  const shims = join(dir, 'shims');

  beforeAll(async () => {
    spawnSync('mkdir', ['-m', '700', runtime, shims]);
    writeFileSync(join(shims, 'systemd-run'), '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n', { mode: 0o755 });
    writeFileSync(join(shims, 'systemctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const roster = `version: 1\nfleet: { session: ${SESSION}, tmux: ${TMUX} }\nagents:\n  - { name: solo, runtime: pi, class: orchestrator }\n`;
    const output = assembleOutput(loadFleetFromText(roster, 'roster.yaml').fleet!, '0.0.0');
    writeFileSync(supervisor, output.files.find((f) => f.path === outputPath(SUPERVISOR_TARGET))!.text);
    // As under systemd, the holder's tmux server and the supervisor share XDG_RUNTIME_DIR.
    server = spawn(TMUX, ['-L', SESSION, '-f', '/dev/null', '-D'], { stdio: 'ignore', env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
    await until('the tmux server', async () => tmux('list-sessions').status === 0);
  });
  afterAll(() => {
    tmux('kill-server');
    server?.kill();
  });

  it('passes the environment on, exits with the agent status, and leaves no file behind', async () => {
    const out = join(dir, 'seen');
    const { exit } = supervise('agent-a', `printf '%s' "$SECRET" >'${out}'\nexec sh -c 'exit 7'`, { SECRET: "it's $HOME `x`" });
    expect(await exit).toBe(7);
    expect(readFileSync(out, 'utf8')).toBe("it's $HOME `x`");
    // The fleet's agents' directory stays (activity, pending restarts, queued messages live
    // there), empty of this agent's files.
    expect(readdirSync(join(runtime, 'mosaic-fleet', SESSION))).toEqual(['agents']);
    expect(readdirSync(join(runtime, 'mosaic-fleet', SESSION, 'agents'))).toEqual([]);
  });

  it('fails when the launch script fails before the agent runs', async () => {
    const { exit } = supervise('agent-b', `cd '${join(dir, 'missing')}'\nexec sleep 100`);
    expect(await exit).not.toBe(0);
    expect(windows()).not.toContain('agent-b');
  });

  it('refuses to run an agent unconfined where systemd-run is missing, and says so', async () => {
    const launch = join(dir, 'agent-d.sh');
    writeFileSync(launch, 'exec sleep 100\n');
    const child = spawn('/bin/sh', [supervisor, 'agent-d', launch], { env: { PATH: join(dir, 'no-such-dir'), XDG_RUNTIME_DIR: runtime }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
    expect(stderr).toContain('systemd-run is not installed');
    expect(windows()).not.toContain('agent-d');
  });

  it('reports the agent status when the tmux server runs without XDG_RUNTIME_DIR (no wait forever)', async () => {
    // A server started outside the user manager (by hand, from cron): its windows have no
    // XDG_RUNTIME_DIR. The supervisor hands its state directory to the window instead.
    const session = `${SESSION}-bare`;
    const bare = (...args: string[]) => spawnSync(TMUX, ['-L', session, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    const env = { ...process.env };
    delete env.XDG_RUNTIME_DIR;
    const other = spawn(TMUX, ['-L', session, '-f', '/dev/null', '-D'], { stdio: 'ignore', env });
    try {
      await until('the bare tmux server', async () => bare('list-sessions').status === 0);
      const roster = `version: 1\nfleet: { session: ${session}, tmux: ${TMUX} }\nagents:\n  - { name: solo, runtime: pi, class: orchestrator }\n`;
      const script = join(dir, 'mosaic-supervise-bare.sh');
      writeFileSync(script, assembleOutput(loadFleetFromText(roster, 'roster.yaml').fleet!, '0.0.0').files.find((f) => f.path === outputPath(SUPERVISOR_TARGET))!.text);
      const launch = join(dir, 'agent-e.sh');
      writeFileSync(launch, "exec sh -c 'exit 5'\n");
      const child = spawn('/bin/sh', [script, 'agent-e', launch], { env: { PATH: `${shims}:${process.env.PATH!}`, XDG_RUNTIME_DIR: runtime }, stdio: 'ignore', detached: true });
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000));
      const result = await Promise.race([exit, timeout]);
      if (result === 'still waiting after 20 s') process.kill(-child.pid!, 'SIGKILL');
      expect(result).toBe(5);
    } finally {
      bare('kill-server');
      other.kill();
    }
  });

  it('a command that is not installed: said in the window (the transcript) and on stderr (the journal), exit 127', async () => {
    const roster = `version: 1\nfleet: { session: ${SESSION}, tmux: ${TMUX} }\nruntimes: { gone: { command: [no-such-runtime-9, --x] } }\nagents:\n  - { name: agent-f, runtime: gone, class: orchestrator }\n`;
    const launch = join(dir, 'agent-f.sh');
    writeFileSync(launch, assembleOutput(loadFleetFromText(roster, 'roster.yaml').fleet!, '0.0.0').files.find((f) => f.path === outputPath(launchTarget('agent-f')))!.text);
    const state = join(dir, 'state');
    const child = spawn('/bin/sh', [supervisor, 'agent-f', launch], { env: { PATH: `${shims}:${process.env.PATH!}`, XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: state }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(127);
    expect(stderr).toMatch(/^no-such-runtime-9: command not found \(PATH=.*\/usr\/bin.*\)\nmosaic: agent-f exited with status 127\n$/);
    const transcript = await until('the transcript to be written', async () => {
      const text = existsSync(join(state, 'mosaic/agent-f.log')) ? readFileSync(join(state, 'mosaic/agent-f.log'), 'utf8') : '';
      return text.includes('exited') ? text : undefined;
    });
    expect(transcript).toMatch(/^-- mosaic \S+: agent-f started\r\nno-such-runtime-9: command not found \(PATH=[^\r]*\)\r\n-- mosaic \S+: agent-f exited with status 127\r\n$/);
    expect(statSync(join(state, 'mosaic')).mode & 0o777).toBe(0o700);
    expect(statSync(join(state, 'mosaic/agent-f.log')).mode & 0o777).toBe(0o600);
  });

  it('never writes a transcript through a symbolic link: a planted file link is not written, a linked directory means no transcript', async () => {
    const state = join(dir, 'state-links');
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, '');
    spawnSync('mkdir', ['-p', '-m', '700', join(state, 'mosaic')]);
    symlinkSync(outside, join(state, 'mosaic/agent-g.log'));
    const run = (name: string, env: Record<string, string>) => {
      const launch = join(dir, `${name}.sh`);
      writeFileSync(launch, "echo secret-output; exec sh -c 'exit 4'\n");
      const child = spawn('/bin/sh', [supervisor, name, launch], { env: { PATH: `${shims}:${process.env.PATH!}`, XDG_RUNTIME_DIR: runtime, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
    };
    expect((await run('agent-g', { XDG_STATE_HOME: state })).code).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readFileSync(outside, 'utf8')).toBe('');
    expect(lstatSync(join(state, 'mosaic/agent-g.log')).isSymbolicLink()).toBe(true);

    const linked = join(dir, 'state-linked-dir');
    spawnSync('mkdir', ['-p', join(dir, 'elsewhere'), linked]);
    symlinkSync(join(dir, 'elsewhere'), join(linked, 'mosaic'));
    const r = await run('agent-h', { XDG_STATE_HOME: linked });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`mosaic: ${join(linked, 'mosaic')} is not a directory of its own (a symbolic link?): agent-h runs without a transcript`);
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
  });

  it('on TERM ends the agent, closes its window and exits 0', async () => {
    const marker = `${process.pid}424242`;
    const { child, exit } = supervise('agent-c', `exec sleep ${marker}`);
    await until('the agent-c window', async () => windows().includes('agent-c'));
    const agentPid = await until('the agent process', async () => spawnSync('pgrep', ['-f', `^sleep ${marker}$`], { encoding: 'utf8' }).stdout.trim() || undefined);
    // As systemd stops a unit: TERM to every process of it (the supervisor and its tmux client).
    process.kill(-child.pid!, 'SIGTERM');
    expect(await exit).toBe(0);
    expect(windows()).not.toContain('agent-c');
    await until('the agent process to end', async () => !existsSync(`/proc/${agentPid}`));
  });
});
