import { createRequire } from 'node:module';

/**
 * node:child_process, required on first use: loading it (and the net and stream modules it
 * pulls in) cost about 5 ms of every run's start, and build and validate never start a process.
 */
let childProcess: typeof import('node:child_process') | undefined;
const processes = () => (childProcess ??= createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process'));

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The one way mosaic-gen runs an external program (systemctl, loginctl). Injected everywhere, so
 * tests can record or fake it and every host command is visible in one place.
 */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>;

export function processRunner(env: NodeJS.ProcessEnv = process.env): CommandRunner {
  return (command, args) =>
    new Promise((resolve) => {
      const child = processes().spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error) => resolve({ code: 127, stdout, stderr: stderr + error.message }));
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
}

export function userSystemctl(run: CommandRunner, ...args: string[]): Promise<CommandResult> {
  return run('systemctl', ['--user', ...args]);
}

/**
 * Locks an open file with flock(1), which Node cannot do itself: the child locks the open file
 * description it shares with this process, so the lock stays when the child exits and goes when
 * this process closes the file (or dies). true when locked, false on timeout.
 */
export function lockDescriptor(fd: number, waitSeconds: number): boolean | 'missing' {
  const result = processes().spawnSync('flock', ['-w', String(waitSeconds), '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
  if (result.error) return 'missing';
  return result.status === 0;
}

/** A program that takes over this terminal until it exits (tmux attach); its exit status. */
export function runOnTerminal(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = processes().spawn(command, args, { env, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
