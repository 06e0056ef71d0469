import { mkdirSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { initRoster } from '../../author/init-roster.js';
import { listProfiles } from '../../author/list-profiles.js';
import { loadFleetFromText } from '../../load/load-fleet.js';
import { writeFileAtomic } from '../../host/write-file-atomic.js';
import { commandError, type Diagnostic, errorIn, hasErrors } from '../../errors.js';
import { PROFILES, type Profile } from '../../model/roster-input.js';
import { SCHEMA_PATH } from '../../paths.js';
import { EXIT, painter, useColor, type CliIO } from '../io.js';
import { diagnosticsJson, printDiagnostics } from '../print-diagnostics.js';
import { rosterArg } from '../roster-arg.js';

interface InitOptions {
  profile: Profile;
  output: string;
  force?: boolean;
  json?: boolean;
}

export function registerInit(program: Command, io: CliIO, exit: (code: number) => void): void {
  // createOption, not `new Option`: this module is loaded on demand and carries no copy of commander.
  const command = program.command('init');
  command
    .description('write a starter roster for a profile, with comments that explain each field')
    .addOption(command.createOption('-p, --profile <profile>', 'preset to start from').choices(PROFILES).default('general'))
    .option('-o, --output <file>', 'file to write, or - for standard output', 'roster.yaml')
    .option('-f, --force', 'replace the file if it exists')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  mosaic-gen init --profile coding\n  mosaic-gen init --profile research -o fleets/research.yaml\n  mosaic-gen init --profile minimal -o -')
    .action((options: InitOptions) => {
      exit(init(io, options));
    });
}

function init(io: CliIO, options: InitOptions): number {
  if (options.output === '') {
    printDiagnostics(io, [commandError('mosaic-gen init', 'USAGE', '-o was given an empty file name', 'write -o FILE, or -o - for standard output')], new Map());
    return EXIT.ERROR;
  }
  const toStdout = options.output === '-';
  const { path, file } = rosterArg(io, toStdout ? 'roster.yaml' : options.output);
  const fail = (diagnostic: Diagnostic) => {
    if (options.json) io.stdout(`${JSON.stringify({ file, ok: false, written: false, diagnostics: diagnosticsJson([diagnostic], new Map()) }, null, 2)}\n`);
    else printDiagnostics(io, [diagnostic], new Map());
    return EXIT.ERROR;
  };
  const { profiles, diagnostics, sources } = listProfiles();
  const preset = profiles.find((p) => p.name === options.profile);
  if (!preset || hasErrors(diagnostics)) {
    printDiagnostics(io, diagnostics, sources);
    return EXIT.ERROR;
  }
  const text = initRoster(preset, schemaRef(dirname(path)));
  // A starter that does not validate is a bug in mosaic-gen, not the user's problem to debug.
  const check = loadFleetFromText(text, file);
  if (!check.fleet) throw new Error(`init --profile ${options.profile} produced an invalid roster:\n${check.diagnostics.map((d) => d.message).join('\n')}`);
  if (toStdout) {
    io.stdout(text);
    return EXIT.OK;
  }
  try {
    // `-o fleets/research.yaml` in a fresh checkout: the directory is part of what was asked for.
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, text, { overwrite: options.force === true, mode: 'keep', durable: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return fail(errorIn(file, 'EXISTS', `${file} exists already`, 'pass --force to replace it, or -o to write another file'));
    return fail(errorIn(file, 'WRITE', `cannot write ${file} (${code ?? 'unknown error'})`, 'check that its directory can be created and written'));
  }
  const agents = `${check.fleet.agents.length} agent${check.fleet.agents.length === 1 ? '' : 's'}`;
  if (options.json) {
    io.stdout(`${JSON.stringify({ file, ok: true, written: true, profile: preset.name, agents: check.fleet.agents.map((a) => a.name), diagnostics: [] }, null, 2)}\n`);
  } else {
    const paint = painter(useColor(io));
    io.stdout(`${file}: ${paint('green', `wrote a ${preset.name} roster`)} (${agents} from the preset: ${check.fleet.agents.map((a) => a.name).join(', ')})\n`);
    io.stdout(`next: mosaic-gen validate${file === 'roster.yaml' ? '' : ` ${file}`}\n`);
  }
  return EXIT.OK;
}

/** The schema as the editor should find it from the roster's directory: the installed copy. */
function schemaRef(fromDir: string): string {
  const ref = relative(fromDir, SCHEMA_PATH).split(sep).join('/');
  return ref.startsWith('.') || ref.startsWith('/') ? ref : `./${ref}`;
}
