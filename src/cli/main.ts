import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerBuild } from './commands/build.js';
import { registerAdd } from './commands/add.js';
import { registerApply } from './commands/apply.js';
import { registerCompletion } from './commands/completion.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerProfiles } from './commands/profiles.js';
import { registerRemove } from './commands/remove.js';
import { registerSchema } from './commands/schema.js';
import { registerUninstall } from './commands/uninstall.js';
import { registerValidate } from './commands/validate.js';
import { registerStatus } from './commands/status.js';
import { registerAttach } from './commands/attach.js';
import { registerLogs } from './commands/logs.js';
import { EXIT, type CliIO } from './io.js';

type Register = (program: Command, io: CliIO, exit: (code: number) => void) => void;

/** Every command, in the order `--help` lists them. */
const COMMANDS: Register[] = [registerInit, registerValidate, registerBuild, registerPlan, registerApply, registerUninstall, registerStatus, registerAttach, registerLogs, registerAdd, registerRemove, registerProfiles, registerSchema, registerCompletion];

export { runOnTerminal } from '../host/run-command.js';

/** Runs the CLI and returns its exit status. Never throws for a user mistake. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let status: number = EXIT.OK;
  const program = new Command('mosaic-gen')
    .description('Compile a roster of AI agents into systemd user units, env files, tmux launch scripts and an install plan.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of COMMANDS) register(program, io, (code) => (status = code));
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "fail" with status 0; usage mistakes have already been printed.
      return error.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    throw error;
  }
  return status;
}
