import { hostname } from 'node:os';
import { errorIn, hasErrors } from '../errors.js';
import { assembleFleetOutput, type FleetOutput } from '../emit/assemble-fleet-output.js';
import { assembleOutput, type BuildOutput } from '../emit/assemble-output.js';
import type { Fleet } from '../model/fleet.js';
import { UnrepresentableError } from '../render/quote.js';
import { fleetOnHost } from '../resolve/resolve-hosts.js';
import { VERSION } from '../version.js';
import type { CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { loadRosterArg } from './roster-arg.js';

/** The front end and the back end together: a roster in, the whole output (every host's bundle, the playbooks) in memory. */
export function compileRoster(io: CliIO, roster: string | undefined): FleetOutput | undefined {
  return compile(io, roster, (fleet) => assembleFleetOutput(fleet, VERSION));
}

/**
 * The bundle for this machine: the roster's one bundle, or with hosts that of `host` (default:
 * this machine's hostname, when it is one of the roster's hosts, or the only host).
 */
export function compileHostBundle(io: CliIO, roster: string | undefined, host: string | undefined): BuildOutput | undefined {
  return compile(io, roster, (fleet, file) => {
    const chosen = chooseHost(fleet, host, io.hostname?.() ?? hostname());
    if (typeof chosen === 'object') {
      printDiagnostics(io, [errorIn(file, 'USAGE', chosen.message, chosen.hint)], new Map());
      return undefined;
    }
    return assembleOutput(chosen === '' ? fleet : fleetOnHost(fleet, chosen), VERSION);
  });
}

/** '' for a roster without hosts; else the host to act on, or why there is none. */
function chooseHost(fleet: Fleet, host: string | undefined, machine: string): string | { message: string; hint: string } {
  const names = fleet.hosts.map((h) => h.name);
  if (names.length === 0) {
    return host === undefined ? '' : { message: `--host ${host}: the roster has no hosts`, hint: 'drop --host: the roster\'s one bundle is for every host' };
  }
  const listed = `the roster's hosts: ${names.join(', ')}`;
  if (host !== undefined) return names.includes(host) ? host : { message: `--host ${host} is not one of the roster's hosts`, hint: listed };
  const mine = names.find((n) => n === machine || n === machine.split('.')[0]);
  if (mine !== undefined) return mine;
  if (names.length === 1) return names[0]!;
  return { message: `this machine (${machine}) is not one of the roster's hosts; say which part of the fleet to act on`, hint: `pass --host NAME; ${listed}` };
}

function compile<T>(io: CliIO, roster: string | undefined, assemble: (fleet: Fleet, file: string) => T | undefined): T | undefined {
  const { fleet, diagnostics, sources, file } = loadRosterArg(io, roster);
  printDiagnostics(io, diagnostics, sources);
  if (!fleet || hasErrors(diagnostics)) return undefined;
  try {
    return assemble(fleet, file);
  } catch (error) {
    const diagnostic =
      error instanceof UnrepresentableError ? errorIn(file, 'UNREPRESENTABLE', error.message) : errorIn(file, 'TEMPLATE', `a template failed: ${(error as Error).message}`);
    printDiagnostics(io, [diagnostic], sources);
    return undefined;
  }
}
