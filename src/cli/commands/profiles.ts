import type { Command } from 'commander';
import { listProfiles, type ProfileSummary } from '../../author/list-profiles.js';
import { commandError, hasErrors } from '../../errors.js';
import { PROFILES } from '../../model/roster-input.js';
import { didYouMeanHint } from '../../text/did-you-mean.js';
import { EXIT, painter, useColor, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';

export function registerProfiles(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('profiles')
    .description('list the profile presets and their agents')
    .argument('[profile]', `one of: ${PROFILES.join(', ')}`)
    .option('--json', 'print the presets as JSON')
    .addHelpText('after', '\nExamples:\n  mosaic-gen profiles\n  mosaic-gen profiles coding --json')
    .action((only: string | undefined, options: { json?: boolean }) => {
      exit(profiles(io, only, options.json === true));
    });
}

function profiles(io: CliIO, only: string | undefined, json: boolean): number {
  if (only !== undefined && !(PROFILES as readonly string[]).includes(only)) {
    const hint = didYouMeanHint(only, PROFILES) ?? `the profiles are: ${PROFILES.join(', ')}`;
    printDiagnostics(io, [commandError('mosaic-gen profiles', 'USAGE', `there is no profile '${only}'`, hint)], new Map());
    return EXIT.ERROR;
  }
  const { profiles: all, diagnostics, sources } = listProfiles();
  if (hasErrors(diagnostics)) {
    printDiagnostics(io, diagnostics, sources);
    return EXIT.ERROR;
  }
  const shown = all.filter((p) => only === undefined || p.name === only);
  if (json) io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
  else io.stdout(`${shown.map((p) => describe(p, painter(useColor(io)))).join('\n')}\nA preset's agents run on one host. In a roster with hosts:, place each of them with an entry\nunder agents: - { name: AGENT, host: HOST } (mosaic-gen add --host does it for new agents).\n`);
  return EXIT.OK;
}

function describe(profile: ProfileSummary, paint: ReturnType<typeof painter>): string {
  const rows = profile.agents.map((a) => [a.name, a.role ?? '-', a.runtime, a.lifecycle]);
  const header = ['AGENT', 'ROLE', 'RUNTIME', 'LIFECYCLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('')}`;
  return [
    paint('bold', profile.name),
    ...wrap(profile.description, 96).map((l) => `  ${l}`),
    paint('dim', line(header)),
    ...rows.map(line),
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(current);
  return lines;
}
