import { hasErrors, type Diagnostic } from '../errors.js';
import { assembleOutput, type BuildOutput } from '../emit/assemble-output.js';
import { UnrepresentableError } from '../render/quote.js';
import { VERSION } from '../version.js';
import type { CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { loadRosterArg } from './roster-arg.js';

/** The front end and the back end together: a roster in, the whole output in memory. */
export function compileRoster(io: CliIO, roster: string | undefined): BuildOutput | undefined {
  const { fleet, diagnostics, sources, file } = loadRosterArg(io, roster);
  printDiagnostics(io, diagnostics, sources);
  if (!fleet || hasErrors(diagnostics)) return undefined;
  try {
    return assembleOutput(fleet, VERSION);
  } catch (error) {
    const diagnostic: Diagnostic =
      error instanceof UnrepresentableError
        ? { severity: 'error', code: 'UNREPRESENTABLE', file, message: error.message }
        : { severity: 'error', code: 'TEMPLATE', file, message: `a template failed: ${(error as Error).message}` };
    printDiagnostics(io, [diagnostic], sources);
    return undefined;
  }
}
