import type { Command } from 'commander';
import { removeAgent } from '../../author/remove-agent.js';
import { editRosterFile, type EditOptions } from '../edit-roster-file.js';
import type { CliIO } from '../io.js';

export function registerRemove(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('remove')
    .description("take an agent out of the fleet (a preset's agent is added to omit:)")
    .argument('<agent>', 'agent name')
    .option('--roster <file>', 'roster to edit', 'roster.yaml')
    .option('--dry-run', 'print the change as a diff; do not write')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  mosaic-gen remove coder2\n  mosaic-gen remove security-review --roster fleets/prod.yaml --dry-run')
    .action(async (name: string, options: EditOptions) => {
      exit(await editRosterFile(io, options, (text, file) => removeAgent(text, file, name)));
    });
}
