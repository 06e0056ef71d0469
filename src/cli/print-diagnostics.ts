import { diagnosticToJson, formatDiagnostic, type Diagnostic, type Sources } from '../errors.js';
import { painter, useColor, type CliIO } from './io.js';

export function printDiagnostics(io: CliIO, diagnostics: readonly Diagnostic[], sources: Sources): void {
  const paint = painter(useColor(io));
  for (const diagnostic of diagnostics) {
    const text = formatDiagnostic(diagnostic, sources)
      .replace(/(error|warning)\[/, (_, severity: string) => paint(severity === 'error' ? 'red' : 'yellow', severity) + '[')
      .replace(/\n {2}hint:/, `\n  ${paint('cyan', 'hint')}:`);
    io.stderr(`${text}\n`);
  }
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[], sources: Sources) {
  return diagnostics.map((d) => diagnosticToJson(d, sources));
}
