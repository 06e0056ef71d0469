import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { completionScript } from '../../src/cli/completion-script.js';
import { completionSpec } from '../../src/cli/completion-spec.js';
import { PROFILES } from '../../src/model/roster-input.js';
import { BIN, cli, tempDir } from '../support/cli.js';

const ROSTER = 'version: 1\nprofile: general\nagents:\n  - name: coder-a\n    runtime: codex\n  - name: scout\n    runtime: pi\n    role: research\n';
const OTHER = 'version: 1\nprofile: minimal\nomit: [coder0]\nagents:\n  - name: lone-worker\n    runtime: pi\n';

/** A directory with a roster.yaml, another roster, and `mosaic-gen` (the built CLI) on a PATH of its own. */
function workspace(): { dir: string; path: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'roster.yaml'), ROSTER);
  writeFileSync(join(dir, 'other.yaml'), OTHER);
  mkdirSync(join(dir, 'bin'));
  symlinkSync(BIN, join(dir, 'bin', 'mosaic-gen'));
  return { dir, path: `${join(dir, 'bin')}:${process.env.PATH}` };
}

function has(program: string): boolean {
  return spawnSync(program, ['--version'], { encoding: 'utf8' }).status === 0;
}

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const result = await cli(['completion', shell]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/**
 * Sources the script in a real bash and completes each command line as bash would on TAB: the
 * words in COMP_WORDS, the cursor on the last one (`''` for a new word).
 */
function bashComplete(text: string, lines: string[][], ws = workspace()): string[][] {
  writeFileSync(join(ws.dir, 'completion.bash'), text);
  const driver = [
    'source ./completion.bash',
    'complete -p mosaic-gen >/dev/null || exit 9',
    ...lines.map((words) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _mosaic_gen; printf '%s\\n' "\${COMPREPLY[*]}"`),
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', driver], { cwd: ws.dir, env: { ...process.env, PATH: ws.path }, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').slice(0, lines.length).map((l) => (l === '' ? [] : l.split(' ')));
}

describe('mosaic-gen completion bash', () => {
  it('completes commands, options, profiles and the agents of the roster, in a real bash', async () => {
    const text = await script('bash');
    const [va, none, remove, attach, co, other, otherEq, profile, buildOptions, help, shells] = bashComplete(text, [
      ['mosaic-gen', 'va'],
      ['mosaic-gen', ''],
      ['mosaic-gen', 'remove', ''],
      ['mosaic-gen', 'attach', ''],
      ['mosaic-gen', 'remove', 'co'],
      ['mosaic-gen', 'remove', '--roster', 'other.yaml', ''],
      ['mosaic-gen', 'remove', '--dry-run', '--roster', '=', 'other.yaml', ''],
      ['mosaic-gen', 'init', '--profile', ''],
      ['mosaic-gen', 'build', '--'],
      ['mosaic-gen', 'help', 'p'],
      ['mosaic-gen', 'completion', ''],
    ]);
    expect(va).toEqual(['validate']);
    expect(none).toEqual(expect.arrayContaining(['init', 'validate', 'build', 'plan', 'apply', 'uninstall', 'status', 'attach', 'logs', 'add', 'remove', 'profiles', 'schema', 'completion', 'help']));
    // The roster's agents as the build sees them: the preset's first, then the roster's own.
    expect(remove).toEqual(['orchestrator', 'enhancer', 'coder-a', 'scout']);
    expect(attach).toEqual(remove);
    expect(co).toEqual(['coder-a']);
    expect(other).toEqual(['lone-worker']);
    expect(otherEq).toEqual(['lone-worker']);
    expect(profile).toEqual([...PROFILES]);
    expect(buildOptions).toEqual(['--out', '--check', '--help']);
    expect(help).toEqual(['plan', 'profiles']);
    expect(shells).toEqual(['bash', 'zsh']);
  });

  it('offers nothing where nothing fits: a new agent name, an invalid roster', async () => {
    const text = await script('bash');
    const ws = workspace();
    writeFileSync(join(ws.dir, 'broken.yaml'), 'version: 2\n');
    const [add, broken] = bashComplete(text, [['mosaic-gen', 'add', ''], ['mosaic-gen', 'remove', '--roster', 'broken.yaml', '']], ws);
    expect(add).toEqual([]);
    expect(broken).toEqual([]);
  });

  it('completes a command added later from its definition alone: an <agent> argument offers the agents', () => {
    const program = new Command('mosaic-gen');
    program.command('attach').argument('<agent>', 'agent to attach to').option('--read-only', 'watch only');
    program.command('logs').argument('<agent>', 'agent').option('--lines <n>', 'how many').option('--roster <file>', 'roster').option('--watch [seconds]', 'again and again');
    const text = completionScript(completionSpec(program), 'bash', '0.0.0');
    const [attach, logs, lines, options, watch] = bashComplete(text, [
      ['mosaic-gen', 'attach', ''],
      ['mosaic-gen', 'logs', '--lines', '20', '--roster', 'other.yaml', ''],
      ['mosaic-gen', 'logs', '--lines', ''],
      ['mosaic-gen', 'attach', '--'],
      ['mosaic-gen', 'logs', '--watch', ''], // an optional value is not taken from the next word
    ]);
    expect(attach).toEqual(['orchestrator', 'enhancer', 'coder-a', 'scout']);
    expect(logs).toEqual(['lone-worker']);
    expect(lines).toEqual([]);
    expect(options).toEqual(['--read-only', '--help']);
    expect(watch).toEqual(attach);
  });

  it('is clean for shellcheck', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'completion.bash'), await script('bash'));
    const result = spawnSync('shellcheck', ['-s', 'bash', 'completion.bash'], { cwd: dir, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints the agents for the scripts, and nothing for a roster that does not load', async () => {
    const ws = workspace();
    expect(await cli(['completion', '--agents', 'other.yaml'], { cwd: ws.dir })).toEqual({ status: 0, stdout: 'lone-worker\n', stderr: '' });
    expect(await cli(['completion', '--agents', 'missing.yaml'], { cwd: ws.dir })).toEqual({ status: 1, stdout: '', stderr: '' });
    const usage = await cli(['completion']);
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('error[USAGE]');
    expect((await cli(['completion', 'fish'])).status).toBe(1);
  });
});

const zsh = has('zsh');

describe.skipIf(!zsh)(`mosaic-gen completion zsh${zsh ? '' : ' (skipped: zsh is not installed)'}`, () => {
  it('is valid zsh (zsh -n)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '_mosaic-gen'), await script('zsh'));
    const result = spawnSync('zsh', ['-n', '_mosaic-gen'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('offers commands, profiles and agents to the completion system', async () => {
    const ws = workspace();
    writeFileSync(join(ws.dir, 'completion.zsh'), await script('zsh'));
    // The completion system's builtins, replaced by functions that print what they are given.
    const complete = (words: string[]) =>
      `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _mosaic_gen; print -- '--'`;
    const driver = [
      'compdef() { print -r -- "compdef $*" }',
      '_describe() { print -r -- ${(P)4%%:*} }',
      'compadd() { shift; print -r -- "$*" }',
      '_files() { print -r -- "_files $*" }',
      'source ./completion.zsh',
      complete(['mosaic-gen', 'va']),
      complete(['mosaic-gen', 'remove', '']),
      complete(['mosaic-gen', 'init', '-p', '']),
      complete(['mosaic-gen', 'build', '-o', '']),
    ].join('\n');
    const result = spawnSync('zsh', ['-f', '-c', driver], { cwd: ws.dir, env: { ...process.env, PATH: ws.path }, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [loaded, agents, profiles, dirs] = result.stdout.split(/^--\n/m).map((s) => s.trim());
    expect(loaded!.split('\n')[0]).toBe('compdef _mosaic_gen mosaic-gen');
    // For `va`, every command: zsh itself keeps those that match.
    expect(loaded!.split('\n')[1]!.split(' ')).toEqual(expect.arrayContaining(['init', 'validate', 'build', 'remove', 'completion', 'help']));
    expect(agents).toBe('orchestrator enhancer coder-a scout');
    expect(profiles).toBe(PROFILES.join(' '));
    expect(dirs).toBe('_files -/');
  });
});
