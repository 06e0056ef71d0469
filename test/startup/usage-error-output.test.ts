/**
 * An error of the argument parser ends its line, whatever standard error is: issue 29 reported
 * `init --profile codng` leaving the shell's prompt on the message's line. The built CLI, as a
 * separate process, into a pipe and into a terminal (a pty made by script(1)).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../support/cli.js';

const MISTAKES = [['init', '--profile', 'codng'], ['init', '--profile'], ['validate', '--bogus'], ['bogus']].map((args) => [args.join(' '), args] as const);
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('a usage mistake is reported on whole lines', () => {
  it.each(MISTAKES)('into a pipe: %s', (_, args) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tempDir(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\S\n$/);
  });

  it.runIf(hasScript).each(MISTAKES)('on a terminal: %s', (_, args) => {
    // script(1) runs the command on a pty it makes and copies what the pty shows (\n as \r\n).
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, TERM: 'xterm' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error.*\S\r\n$/s);
  });
});
