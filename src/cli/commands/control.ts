import type { Command } from 'commander';
import { commandError } from '../../errors.js';
import { userSystemctl } from '../../host/run-command.js';
import { agentUnit } from '../../model/artifact.js';
import { agentOf, readInstalledFleet } from '../installed-fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';

type Verb = 'start' | 'stop' | 'restart';

const DESCRIPTION: Record<Verb, string> = {
  start: 'start an agent of the installed fleet (an on-demand one runs until stopped)',
  stop: 'stop an agent of the installed fleet, and every process of its scope',
  restart: 'restart an agent of the installed fleet, in a new scope',
};

/**
 * start/stop/restart NAME: systemctl --user on the agent's unit, for an agent the installed fleet
 * lists (the same error as attach and logs otherwise). Either lifecycle: stopping an always-on
 * agent is the operator's call, and status flags it until it runs again.
 */
function registerControl(verb: Verb) {
  return (program: Command, io: CliIO, exit: (code: number) => void): void => {
    program
      .command(verb)
      .description(DESCRIPTION[verb])
      .argument('<agent>', 'agent name')
      .addHelpText('after', `\nExample:\n  mosaic-gen ${verb} coder0`)
      .action(async (name: string) => {
        const fleet = await readInstalledFleet(io, verb);
        if (!fleet || !agentOf(io, fleet, name)) return exit(EXIT.ERROR);
        const unit = agentUnit(name);
        const done = await userSystemctl(fleet.runner, verb, '--', unit);
        if (done.code !== 0) {
          const why = done.stderr.trim() || `exit ${done.code}`;
          printDiagnostics(io, [commandError('systemctl --user', 'UNIT', `cannot ${verb} ${unit}: ${why}`, `see mosaic-gen logs ${name}, or systemctl --user status ${unit}`)], new Map());
          return exit(EXIT.ERROR);
        }
        return exit(EXIT.OK);
      });
  };
}

export const registerStart = registerControl('start');
export const registerStop = registerControl('stop');
export const registerRestart = registerControl('restart');
