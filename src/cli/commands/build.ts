import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { FleetOutput } from '../../emit/assemble-fleet-output.js';
import { compareOutput, GIT_MODE_BITS, writeOutput } from '../../emit/write-output.js';
import { EXIT, painter, useColor, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { compileRoster } from '../compile-roster.js';
import { commandError } from '../../errors.js';

interface BuildOptions {
  out: string;
  check?: boolean;
}

export function registerBuild(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('build')
    .description('compile a roster into systemd units, env files, launch scripts, install.sh and uninstall.sh')
    .argument('[roster]', "roster file ('-' reads standard input)", 'roster.yaml')
    .option('-o, --out <dir>', 'output directory', 'out')
    .option('--check', 'build in memory and compare with the output directory (contents, and the executable bit, the only mode git keeps): exit 0 if identical, 2 if stale (with a diff)')
    .addHelpText('after', '\nExamples:\n  mosaic-gen build\n  mosaic-gen build fleets/prod.yaml -o build/prod\n  mosaic-gen build --check   # in CI: fails when out/ is stale')
    .action(async (roster: string, options: BuildOptions) => exit(await build(io, roster, options)));
}

async function build(io: CliIO, roster: string, options: BuildOptions): Promise<number> {
  const output = compileRoster(io, roster);
  if (!output) return EXIT.ERROR;
  if (options.out === '') {
    printDiagnostics(io, [commandError('mosaic-gen build', 'USAGE', '-o was given an empty directory name', 'write -o DIR, e.g. -o out')], new Map());
    return EXIT.ERROR;
  }
  const outDir = isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out);
  const shown = relative(io.cwd, outDir) || '.';
  if (options.check) return check(io, output, outDir, shown);
  const { changes, diagnostic } = await writeOutput(outDir, output.files);
  if (diagnostic || !changes) {
    if (diagnostic) printDiagnostics(io, [diagnostic], new Map());
    return EXIT.ERROR;
  }
  for (const path of changes.kept) io.stderr(`${shown}/${path}: left in place: a previous build wrote it, but it has been changed since\n`);
  const parts = [`${changes.write.length} written`, `${changes.unchanged.length} unchanged`, ...(changes.remove.length ? [`${changes.remove.length} removed`] : [])];
  const bundles = output.bundles.map((b) => b.output.manifest);
  const agents = bundles.reduce((n, m) => n + m.agents.length, 0);
  const hosts = output.bundles[0]?.host === null ? '' : ` on ${plural(bundles.length, 'host')}`;
  io.stdout(`${shown}/: ${plural(output.files.length, 'file')} for ${plural(agents, 'agent')}${hosts} (${parts.join(', ')})\n`);
  return EXIT.OK;
}

async function check(io: CliIO, output: FleetOutput, outDir: string, shown: string): Promise<number> {
  const changes = compareOutput(outDir, output.files, GIT_MODE_BITS);
  const stale = [...changes.write.map((f) => f.path), ...changes.conflicts, ...changes.remove];
  if (stale.length === 0) {
    io.stdout(`${shown}/ is up to date\n`);
    return EXIT.OK;
  }
  const { createTwoFilesPatch } = await import('diff');
  const paint = painter(useColor(io));
  for (const file of changes.write) {
    const before = readOr(join(outDir, file.path), '');
    const patch = createTwoFilesPatch(`a/${shown}/${file.path}`, `b/${shown}/${file.path}`, before, file.text, undefined, undefined, { context: 3 });
    io.stdout(before === file.text ? `mode change ${shown}/${file.path}: ${modeOf(join(outDir, file.path))} → ${file.mode.toString(8)}\n` : colorPatch(patch, paint));
  }
  for (const path of changes.remove) io.stdout(`${paint('red', `would remove ${shown}/${path}`)}\n`);
  for (const path of changes.conflicts) io.stdout(`${paint('red', `not written by mosaic-gen: ${shown}/${path}`)}\n`);
  io.stderr(`${shown}/ is stale: ${plural(stale.length, 'file')} ${stale.length === 1 ? 'differs' : 'differ'} from a fresh build; run mosaic-gen build\n`);
  return EXIT.DIFFERENCES;
}

function colorPatch(patch: string, paint: ReturnType<typeof painter>): string {
  return patch
    .split('\n')
    .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? paint('green', line) : line.startsWith('-') && !line.startsWith('---') ? paint('red', line) : line))
    .join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function modeOf(path: string): string {
  try {
    return (statSync(path).mode & 0o7777).toString(8);
  } catch {
    return '?';
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
