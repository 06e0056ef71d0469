import type { CommandRunner } from '../host/run-command.js';

/** What a command may touch of the outside world; the bin file passes the real process. */
export interface CliIO {
  /** Writes; returns false once the reader has gone (a closed pipe: `status --watch | head` then ends). */
  stdout: (text: string) => unknown;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Standard output is a terminal (for colour and confirmation prompts). */
  isTTY: boolean;
  /** Reads one line of an answer from the terminal, when there is one. */
  prompt?: (question: string) => Promise<string>;
  /**
   * Reads standard input to its end, for a roster named `-`, but never more than `maxBytes`: a
   * caller that asks for its size limit plus one byte tells an input over the limit (an endless
   * `yes`, a `head -c 300M`) without holding more of it.
   */
  stdin?: (maxBytes: number) => Buffer;
  /** Runs systemctl and loginctl; defaults to real processes with `env`. */
  runner?: CommandRunner;
  /** Runs a program on this terminal (attach); present only when stdin and stdout are terminals. */
  terminal?: (command: string, args: readonly string[]) => Promise<number>;
  /** This machine's hostname (which part of a multi-host roster plan/apply act on); defaults to os.hostname(). */
  hostname?: () => string;
}

export function useColor(io: CliIO): boolean {
  return io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
}

const CODES = { red: 31, yellow: 33, green: 32, cyan: 36, dim: 2, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function painter(enabled: boolean) {
  return (color: Color, text: string) => (enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text);
}

/** Exit statuses, as README documents them. */
export const EXIT = { OK: 0, ERROR: 1, DIFFERENCES: 2 } as const;
