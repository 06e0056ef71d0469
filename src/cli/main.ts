import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, type CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { usageDiagnostic } from './usage-error.js';

type Register = (program: Command, io: CliIO, exit: (code: number) => void) => void;

/**
 * Every command, in the order `--help` lists them. Each is imported only when it may run: a run
 * of `validate` evaluates no template or diff code, and the bundle gives each command its own
 * file (scripts/build.mjs), so its code is not even read by the others.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  build: async () => (await import('./commands/build.js')).registerBuild,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  apply: async () => (await import('./commands/apply.js')).registerApply,
  uninstall: async () => (await import('./commands/uninstall.js')).registerUninstall,
  status: async () => (await import('./commands/status.js')).registerStatus,
  attach: async () => (await import('./commands/attach.js')).registerAttach,
  logs: async () => (await import('./commands/logs.js')).registerLogs,
  send: async () => (await import('./commands/send.js')).registerSend,
  start: async () => (await import('./commands/control.js')).registerStart,
  stop: async () => (await import('./commands/control.js')).registerStop,
  restart: async () => (await import('./commands/control.js')).registerRestart,
  add: async () => (await import('./commands/add.js')).registerAdd,
  remove: async () => (await import('./commands/remove.js')).registerRemove,
  profiles: async () => (await import('./commands/profiles.js')).registerProfiles,
  schema: async () => (await import('./commands/schema.js')).registerSchema,
  completion: async () => (await import('./commands/completion.js')).registerCompletion,
};

/**
 * The commands a run needs: the one it names, or all of them when it names none it knows (help,
 * a typo to suggest a name for), or none to print the version. The program's own options take
 * no value, so the first word that is not an option is the command.
 */
function commandsFor(argv: readonly string[]): string[] {
  const named = argv.find((arg) => !arg.startsWith('-'));
  // completion describes every command, so it needs them all.
  if (named !== undefined && named !== 'completion' && Object.hasOwn(COMMANDS, named)) return [named];
  return argv[0] === '-V' || argv[0] === '--version' ? [] : Object.keys(COMMANDS);
}

export { runOnTerminal } from '../host/run-command.js';

/** Runs the CLI and returns its exit status. Never throws for a user mistake. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let status: number = EXIT.OK;
  // The command whose arguments commander refused: it reports through that command's output.
  let refusedBy: Command | undefined;
  const output = (command: Command) => ({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => (refusedBy = command) });
  const program = new Command('mosaic-gen')
    .description('Compile a roster of AI agents into systemd user units, env files, tmux launch scripts and an install plan.')
    .version(VERSION, '-V, --version')
    .exitOverride();
  program.configureOutput(output(program));
  const registers = await Promise.all(commandsFor(argv).map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, io, (code) => (status = code));
  for (const command of program.commands) command.exitOverride().configureOutput(output(command));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "fail" with status 0; a usage mistake is printed as every error is.
      if (error.exitCode === 0) return EXIT.OK;
      printDiagnostics(io, [usageDiagnostic(error, refusedBy ?? program)], new Map());
      return EXIT.ERROR;
    }
    throw error;
  }
  return status;
}
