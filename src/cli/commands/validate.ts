import type { Command } from 'commander';
import { hasErrors } from '../../errors.js';
import type { Fleet } from '../../model/fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { diagnosticsJson, printDiagnostics } from '../print-diagnostics.js';
import { loadRosterArg } from '../roster-arg.js';

interface ValidateOptions {
  strict?: boolean;
  format: string;
  json?: boolean;
}

export function registerValidate(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('validate')
    .description('check a roster: YAML, schema, preset merge and fleet invariants')
    .argument('[roster]', "roster file ('-' reads standard input)", 'roster.yaml')
    .option('--strict', 'treat warnings as errors')
    .option('--format <format>', 'text or json', 'text')
    .option('--json', 'same as --format json')
    .addHelpText('after', '\nExamples:\n  mosaic-gen validate\n  mosaic-gen validate fleets/prod.yaml --strict --format json\n  generate-roster | mosaic-gen validate -')
    .action((roster: string, options: ValidateOptions) => {
      exit(validate(io, roster, options));
    });
}

function validate(io: CliIO, roster: string, options: ValidateOptions): number {
  const { fleet, diagnostics, sources, file } = loadRosterArg(io, roster);
  const failed = hasErrors(diagnostics) || (options.strict === true && diagnostics.length > 0);
  if (options.format !== 'text' && options.format !== 'json') {
    io.stderr(`error[USAGE]: --format must be text or json, not '${options.format}'\n`);
    return EXIT.ERROR;
  }
  if (options.json || options.format === 'json') {
    const result = { file, valid: !failed, diagnostics: diagnosticsJson(diagnostics, sources), ...(fleet && !failed ? { fleet: summary(fleet) } : {}) };
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    printDiagnostics(io, diagnostics, sources);
    if (fleet && !failed) io.stdout(`${file}: valid, ${describe(fleet, diagnostics.length)}\n`);
    else if (!hasErrors(diagnostics)) io.stderr(`${file}: invalid under --strict (warnings are errors)\n`);
  }
  return failed ? EXIT.ERROR : EXIT.OK;
}

function summary(fleet: Fleet) {
  return {
    profile: fleet.profile,
    session: fleet.session,
    agents: fleet.agents.map((a) => ({ name: a.name, role: a.role, class: a.class, runtime: a.runtime, lifecycle: a.lifecycle, ...(a.host !== null ? { host: a.host } : {}) })),
    ...(fleet.hosts.length > 0 ? { hosts: fleet.hosts.map((h) => ({ name: h.name, agents: fleet.agents.filter((a) => a.host === h.name).map((a) => a.name) })) } : {}),
  };
}

function describe(fleet: Fleet, warnings: number): string {
  const alwaysOn = fleet.agents.filter((a) => a.lifecycle === 'always-on').length;
  const profile = fleet.profile ? `${fleet.profile} fleet` : 'fleet';
  const agents = `${fleet.agents.length} agent${fleet.agents.length === 1 ? '' : 's'}`;
  const w = warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  const hosts = fleet.hosts.length === 0 ? '' : ` on ${fleet.hosts.length} host${fleet.hosts.length === 1 ? '' : 's'} (${fleet.hosts.map((h) => `${h.name}: ${fleet.agents.filter((a) => a.host === h.name).length}`).join(', ')})`;
  return `${profile} of ${agents}${hosts} (${alwaysOn} always-on, ${fleet.agents.length - alwaysOn} on-demand)${w}`;
}
