import type { Command } from 'commander';
import { agentUnit } from '../../model/artifact.js';
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
    .description("an agent's recent output (its window's history) and its unit's messages from the journal, where there is one")
    .argument('<agent>', 'agent name')
    .option('-n, --lines <n>', 'how many lines of history', '100')
    .option('-f, --follow', 'keep printing new output until interrupted')
    .addHelpText('after', '\nExamples:\n  mosaic-gen logs coder0\n  mosaic-gen logs coder0 -n 500 --follow')
    .action(async (name: string, options: LogsOptions) => {
      const lines = Number(options.lines);
      if (!Number.isInteger(lines) || lines < 1) {
        printDiagnostics(io, [commandError('mosaic-gen logs', 'USAGE', `--lines must be a positive whole number, not '${options.lines}'`)], new Map());
        return exit(EXIT.ERROR);
      }
      const fleet = await readInstalledFleet(io, 'logs');
      if (!fleet || !agentOf(io, fleet, name)) return exit(EXIT.ERROR);
      const journal = await fleet.runner('journalctl', ['--user', '--unit', agentUnit(name), '--lines', String(lines), '--no-pager', '--quiet', '--output', 'short-iso']);
      if (journal.code === 0 && journal.stdout.trim()) io.stdout(`== journal of ${agentUnit(name)}\n${journal.stdout.replace(/\n?$/, '\n')}`);
      let seen = await pane(fleet, name);
      if (seen === null) {
        io.stdout(`== window ${name}: none (the unit is ${await agentActive(fleet, name)})\n`);
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
