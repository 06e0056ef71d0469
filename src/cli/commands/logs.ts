import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { agentUnit } from '../../model/artifact.js';
import { transcriptDir, transcriptFile } from '../../model/transcript.js';
import { agentActive, agentOf, fleetTmux, readInstalledFleet, type InstalledFleet } from '../installed-fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { commandError } from '../../errors.js';

interface LogsOptions {
  lines: string;
  follow?: boolean;
}

export function registerLogs(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('logs')
    .description("an agent's transcript (everything it wrote to its terminal, across restarts and reboots), then its unit's messages from the journal, where there is one")
    .argument('<agent>', 'agent name')
    .option('-n, --lines <n>', 'how many lines of the transcript', '100')
    .option('-f, --follow', 'keep printing new output until interrupted')
    .addHelpText('after', '\nTerminal control sequences (colours, cursor moves) are kept on a terminal and removed otherwise.\n\nExamples:\n  mosaic-gen logs coder0\n  mosaic-gen logs coder0 -n 500 --follow\n  mosaic-gen logs coder0 -n 100000 > coder0.txt')
    .action(async (name: string, options: LogsOptions) => {
      const lines = Number(options.lines);
      if (!Number.isInteger(lines) || lines < 1) {
        printDiagnostics(io, [commandError('mosaic-gen logs', 'USAGE', `--lines must be a positive whole number, not '${options.lines}'`)], new Map());
        return exit(EXIT.ERROR);
      }
      const fleet = await readInstalledFleet(io, 'logs');
      if (!fleet || !agentOf(io, fleet, name)) return exit(EXIT.ERROR);
      const show = io.isTTY ? (text: string) => text : plainText;
      const dir = transcriptDir(io.env, io.env.HOME ?? '/');
      const transcript = readTranscript(dir, name, lines);
      if (transcript !== null) {
        io.stdout(`== transcript of ${name} (${join(dir, transcriptFile(name))})\n${show(transcript)}`);
      }
      const journal = await fleet.runner('journalctl', ['--user', '--unit', agentUnit(name), '--lines', String(lines), '--no-pager', '--quiet', '--output', 'short-iso']);
      if (journal.code === 0 && journal.stdout.trim()) io.stdout(`== journal of ${agentUnit(name)}\n${journal.stdout.replace(/\n?$/, '\n')}`);
      if (transcript !== null) {
        if (options.follow) await follow(io, join(dir, transcriptFile(name)), show);
        return exit(EXIT.OK);
      }
      // No transcript (an agent of a supervisor from before transcripts): its window's history.
      let seen = await pane(fleet, name);
      if (seen === null) {
        io.stdout(`== transcript of ${name}: none yet (${join(dir, transcriptFile(name))}); window: none (the unit is ${await agentActive(fleet, name)})\n`);
        if (!options.follow) return exit(EXIT.OK);
        seen = [];
      } else {
        io.stdout(`== window ${name}\n${seen.slice(-lines).map((l) => `${l}\n`).join('')}`);
      }
      while (options.follow) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const now = (await pane(fleet, name)) ?? [];
        // The history only grows at the end (until tmux trims it): print what is new.
        const common = overlap(seen, now);
        for (const line of now.slice(common)) io.stdout(`${line}\n`);
        seen = now;
      }
      exit(EXIT.OK);
    });
}

/**
 * The last `lines` lines of an agent's transcript, across its rotated files (NAME.log.2,
 * NAME.log.1, NAME.log: however many the agent keeps), read newest first until there are
 * enough; null when it has none. A file that is a symbolic link is not read.
 */
function readTranscript(dir: string, name: string, lines: number): string | null {
  const current = transcriptFile(name);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const rotated = names
    .map((file) => (file.startsWith(`${current}.`) && /^\d+$/.test(file.slice(current.length + 1)) ? Number(file.slice(current.length + 1)) : null))
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
  const files = [...(names.includes(current) ? [current] : []), ...rotated.map((n) => `${current}.${n}`)];
  if (files.length === 0) return null;
  let text = '';
  for (const file of files) {
    text = (readNoFollow(join(dir, file)) ?? '') + text;
    if (countLines(text) > lines) break;
  }
  const all = text.split('\n');
  const tail = all.slice(Math.max(0, all.length - 1 - lines)).join('\n');
  return tail.endsWith('\n') || tail === '' ? tail : `${tail}\n`;
}

function readNoFollow(path: string, from = 0): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= from) return '';
    const buffer = Buffer.alloc(size - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Prints what the transcript gains (after a rotation, the new file from its start), until interrupted or the reader goes. */
async function follow(io: CliIO, path: string, show: (text: string) => string): Promise<void> {
  const stat = () => {
    try {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const { ino, size } = fstatSync(fd);
        return { ino, size };
      } finally {
        closeSync(fd);
      }
    } catch {
      return { ino: -1, size: 0 };
    }
  };
  let at = stat();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = stat();
    const from = now.ino !== at.ino || now.size < at.size ? 0 : at.size;
    if (now.size > from) {
      const text = readNoFollow(path, from);
      if (text && io.stdout(show(text)) === false) return;
    }
    at = now;
  }
}

/**
 * A transcript as plain text, for a pipe or a file: terminal control sequences (colours, cursor
 * moves, titles) removed, and of a line a carriage return rewrote, what a terminal shows last.
 */
export function plainText(text: string): string {
  return text
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b[()*+][0-9A-Za-z]/g, '')
    .replace(/\u001b[@-_]/g, '')
    .split('\n')
    .map((line) => {
      const parts = line.split('\r');
      const last = parts.filter((p) => p !== '').at(-1) ?? '';
      return last.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
    })
    .join('\n');
}

/** The window's whole history and screen, trailing blank lines dropped; null without a window. */
async function pane(fleet: InstalledFleet, name: string): Promise<string[] | null> {
  const captured = await fleetTmux(fleet, 'capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', `${fleet.record.session}:=${name}`);
  if (captured.code !== 0) return null;
  const lines = captured.stdout.split('\n');
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines;
}

/** How many lines of `now` were already printed as the end of `before`. */
function overlap(before: string[], now: string[]): number {
  for (let start = Math.max(0, before.length - now.length); start < before.length; start++) {
    const tail = before.slice(start);
    if (tail.every((line, i) => now[i] === line)) return tail.length;
  }
  return 0;
}
