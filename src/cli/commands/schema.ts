import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SCHEMA_PATH } from '../../paths.js';
import { EXIT, type CliIO } from '../io.js';

export function registerSchema(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('schema')
    .description('print the roster JSON Schema (for editors and other tools)')
    .addHelpText('after', '\nExamples:\n  mosaic-gen schema > roster.schema.json\n  mosaic-gen schema | jq .properties.agents')
    .action(() => {
      io.stdout(readFileSync(SCHEMA_PATH, 'utf8'));
      exit(EXIT.OK);
    });
}
