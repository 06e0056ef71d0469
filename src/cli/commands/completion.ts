import { Argument, Option, type Command } from 'commander';
import { commandError, hasErrors } from '../../errors.js';
import { loadFleet } from '../../load/load-fleet.js';
import { VERSION } from '../../version.js';
import { completionScript, SHELLS, type Shell } from '../completion-script.js';
import { completionSpec } from '../completion-spec.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { rosterArg } from '../roster-arg.js';

export function registerCompletion(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('completion')
    .description('print a bash or zsh completion script: commands, options, profiles, agents of the roster')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(SHELLS))
    // What the scripts run to complete an agent name; not for people.
    .addOption(new Option('--agents <roster>', 'print the agents of a roster, one a line').hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n  source <(mosaic-gen completion bash)     # in ~/.bashrc\n  source <(mosaic-gen completion zsh)      # in ~/.zshrc, after compinit\n  mosaic-gen completion bash > ~/.local/share/bash-completion/completions/mosaic-gen',
    )
    .action((shell: Shell | undefined, options: { agents?: string }) => {
      if (options.agents !== undefined) return exit(printAgents(io, options.agents));
      if (shell === undefined) {
        printDiagnostics(io, [commandError('mosaic-gen completion', 'USAGE', 'which shell? bash or zsh', 'mosaic-gen completion bash')], new Map());
        return exit(EXIT.ERROR);
      }
      io.stdout(completionScript(completionSpec(program), shell, VERSION));
      exit(EXIT.OK);
    });
}

/** Silent on a roster that does not load: a completion has nothing to offer then, and must not print. */
function printAgents(io: CliIO, roster: string): number {
  const { path, file } = rosterArg(io, roster);
  const { fleet, diagnostics } = loadFleet(path, file);
  if (!fleet || hasErrors(diagnostics)) return EXIT.ERROR;
  io.stdout(fleet.agents.map((a) => `${a.name}\n`).join(''));
  return EXIT.OK;
}
