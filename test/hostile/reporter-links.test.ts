/**
 * The reporter (bin/mosaic-report.sh) runs inside an agent's hooks, so whatever it writes must
 * land in the fleet's own runtime and state directories and nowhere else: a symbolic link planted
 * at the agent's activity file is replaced, never written through; a linked directory on the way
 * means nothing is written; a session id that is not one is never recorded; and a hook never
 * fails for its reporter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFixture } from '../support/build.js';
import { tempDir } from '../support/cli.js';

describe('the reporter never writes through a link', () => {
  const report = (reporter: string, env: Record<string, string>, args: string[], input = '') =>
    spawnSync('sh', [reporter, ...args], { env: { PATH: process.env.PATH, MOSAIC_AGENT: 'coder0', ...env }, input, encoding: 'utf8' });
  const setUp = async () => {
    const out = await buildFixture('preset-minimal.yaml');
    const root = tempDir('mosaic-report-');
    const runtime = join(root, 'run');
    const agents = join(runtime, 'mosaic-fleet', 'mosaic', 'agents');
    const state = join(root, 'state');
    mkdirSync(agents, { recursive: true, mode: 0o700 });
    mkdirSync(join(state, 'mosaic'), { recursive: true, mode: 0o700 });
    return { reporter: join(out, 'bin', 'mosaic-report.sh'), root, runtime, agents, state, env: { XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: state, HOME: root } };
  };

  it('writes the state and the session, atomically, and keeps the time a state began', async () => {
    const { reporter, agents, state, env } = await setUp();
    expect(report(reporter, env, ['session'], '{"session_id":"4a1b-c2","hook_event_name":"SessionStart"}').status).toBe(0);
    expect(readFileSync(join(state, 'mosaic', 'coder0.session'), 'utf8')).toBe('4a1b-c2\n');
    expect(readFileSync(join(agents, 'coder0'), 'utf8')).toMatch(/^idle \d+ hooks\n$/);
    expect(report(reporter, env, ['working']).status).toBe(0);
    const first = readFileSync(join(agents, 'coder0'), 'utf8');
    expect(first).toMatch(/^working \d+ hooks\n$/);
    expect(report(reporter, env, ['working']).status).toBe(0);
    expect(readFileSync(join(agents, 'coder0'), 'utf8')).toBe(first);
    expect(report(reporter, env, ['idle', 'silence']).status).toBe(0);
    expect(readFileSync(join(agents, 'coder0'), 'utf8')).toMatch(/^idle \d+ silence\n$/);
  });

  it('replaces a link planted at the activity file, and writes nothing through a linked directory', async () => {
    const { reporter, root, agents, env } = await setUp();
    const victim = join(root, 'victim');
    writeFileSync(victim, 'untouched\n');
    symlinkSync(victim, join(agents, 'coder0'));
    expect(report(reporter, env, ['working']).status).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(agents, 'coder0')).isFile()).toBe(true);

    // The fleet's directory a link to somewhere else: nothing written there.
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(join(elsewhere, 'mosaic', 'agents'), { recursive: true });
    const linked = join(root, 'run2');
    mkdirSync(linked);
    symlinkSync(elsewhere, join(linked, 'mosaic-fleet'));
    expect(report(reporter, { ...env, XDG_RUNTIME_DIR: linked }, ['working']).status).toBe(0);
    expect(existsSync(join(elsewhere, 'mosaic', 'agents', 'coder0'))).toBe(false);
  });

  it('records no session id that is not one, and fails no hook', async () => {
    const { reporter, state, env } = await setUp();
    for (const input of ['{"session_id":"$(touch /tmp/x)"}', '{"session_id":"../../etc"}', 'not json', '']) {
      expect(report(reporter, env, ['session'], input).status).toBe(0);
      expect(existsSync(join(state, 'mosaic', 'coder0.session'))).toBe(false);
    }
    expect(report(reporter, { ...env, MOSAIC_AGENT: '../x' }, ['working']).status).toBe(0);
    expect(report(reporter, env, ['reboot']).status).toBe(0);
  });
});
