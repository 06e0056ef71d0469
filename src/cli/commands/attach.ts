import type { Command } from 'commander';
import { agentUnit } from '../../model/artifact.js';
import { agentActive, agentOf, fleetTmux, fleetWindows, readInstalledFleet } from '../installed-fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { commandError } from '../../errors.js';

export function registerAttach(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('attach')
    .description("attach this terminal to an agent's tmux window (detach with the tmux prefix, then d)")
    .argument('<agent>', 'agent name')
    .option('-r, --read-only', "watch without being able to type into the agent, and without resizing its window")
    .addHelpText('after', '\nExamples:\n  mosaic-gen attach coder0\n  mosaic-gen attach orchestrator --read-only')
    .action(async (name: string, options: { readOnly?: boolean }) => {
      const fleet = await readInstalledFleet(io, 'attach');
      if (!fleet || !agentOf(io, fleet, name)) return exit(EXIT.ERROR);
      const fail = (message: string, hint: string) => {
        printDiagnostics(io, [commandError('mosaic-gen attach', 'USAGE', message, hint)], new Map());
        exit(EXIT.ERROR);
      };
      if (!(await fleetWindows(fleet)).has(name)) {
        const state = await agentActive(fleet, name);
        return fail(`agent '${name}' has no window: its unit is ${state}`, `start it with: systemctl --user start ${agentUnit(name)} (and see mosaic-gen status, mosaic-gen logs ${name})`);
      }
      if (!io.terminal) return fail('attach needs a terminal, and standard input or output is not one', `run it in a terminal, or read the window with: mosaic-gen logs ${name}`);
      const target = `${fleet.record.session}:=${name}`;
      // A watcher's terminal must not resize the agent's window (tmux sizes a window to its
      // clients; a reflow in the middle of a turn garbles a TUI's screen): ignore-size leaves this
      // client out of that, but tmux 3.3 still sizes a window to such a client when it is the only
      // one, so the window keeps its size (window-size manual) until a client that may type
      // attaches, which gives it back to its clients.
      await fleetTmux(fleet, 'set-option', '-w', ...(options.readOnly ? [] : ['-u']), '-t', `=${target}`, 'window-size', ...(options.readOnly ? ['manual'] : []));
      const status = await io.terminal(fleet.record.tmux, ['-L', fleet.record.session, '-f', '/dev/null', 'attach-session', ...(options.readOnly ? ['-r', '-f', 'ignore-size'] : []), '-t', target]);
      exit(status === 0 ? EXIT.OK : EXIT.ERROR);
    });
}
