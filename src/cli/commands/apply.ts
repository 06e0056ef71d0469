import type { Command } from 'commander';
import { applyOps, ApplyError, describeOp } from '../../apply/apply-ops.js';
import { EXIT, type CliIO } from '../io.js';
import { driftDiagnostic, prepareTransition, printPlan, type HostOptions, type Prepared } from '../host-transition.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { commandError } from '../../errors.js';
import { LINGER_DIR } from '../../model/artifact.js';

export interface ApplyOptions extends HostOptions {
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
}

export function registerApply(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('apply')
    .description('carry out the plan: write changed files, reload, enable/disable, restart only what changed')
    .argument('[roster]', 'roster file', 'roster.yaml')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print the commands apply would run, and change nothing')
    .option('--force', 'overwrite installed files that were changed by hand (drift)')
    .option('--offline', 'work on files and enablement links only (under $DESTDIR$XDG_CONFIG_HOME), run no systemctl or loginctl')
    .option('--host <name>', 'with a roster of hosts: the host whose part to act on (default: this machine\'s hostname)')
    .option('--show-secrets', 'show env file values in diffs instead of redacting them')
    .addHelpText('after', '\nExamples:\n  mosaic-gen apply\n  mosaic-gen apply --dry-run\n  mosaic-gen apply fleets/prod.yaml --yes')
    .action(async (roster: string, options: ApplyOptions) => exit(await carryOut(io, await prepareTransition(io, roster, { ...options, lock: !options.dryRun }), options, 'apply')));
}

/** Shared by apply and uninstall: show the plan, check drift, confirm, run the ops. */
export async function carryOut(io: CliIO, prepared: Prepared | undefined, options: ApplyOptions, verb: 'apply' | 'uninstall'): Promise<number> {
  if (!prepared) return EXIT.ERROR;
  try {
    return await carryOutLocked(io, prepared, options, verb);
  } finally {
    prepared.lock?.release();
  }
}

async function carryOutLocked(io: CliIO, prepared: Prepared, options: ApplyOptions, verb: 'apply' | 'uninstall'): Promise<number> {
  await printPlan(io, prepared, { ...options, json: false });
  const { transition } = prepared;
  if (transition.ops.length === 0) return EXIT.OK;
  if (transition.drift.length > 0 && !options.force) {
    printDiagnostics(io, [driftDiagnostic(prepared)], new Map());
    return EXIT.ERROR;
  }
  const offline = prepared.runner === null;
  if (offline && prepared.paths.root === '' && transition.ops.some((op) => op.kind === 'enable-linger' || op.kind === 'disable-linger')) {
    printDiagnostics(io, [commandError(`mosaic-gen ${verb}`, 'APPLY', `changing linger offline writes /${LINGER_DIR}, which belongs to logind on a live host`, 'set DESTDIR to the staging root, or run without --offline so loginctl does it')], new Map());
    return EXIT.ERROR;
  }
  if (options.dryRun) {
    io.stdout(`\nWould run:\n${transition.ops.map((op) => `  ${describeOp(op, prepared.paths, offline)}`).join('\n')}\n`);
    return EXIT.OK;
  }
  if (!options.yes) {
    if (!io.prompt) {
      printDiagnostics(io, [commandError(`mosaic-gen ${verb}`, 'CONFIRM', `${verb} changes this host and there is no terminal to confirm on`, 'pass --yes to go ahead without asking, or --dry-run to see the commands')], new Map());
      return EXIT.ERROR;
    }
    const answer = await io.prompt(`\nDo you want to ${verb === 'apply' ? 'apply these changes' : 'uninstall the fleet'}? Only 'yes' goes ahead: `);
    if (answer.trim() !== 'yes') {
      io.stderr(`${verb} cancelled; nothing was changed.\n`);
      return EXIT.ERROR;
    }
  }
  try {
    await applyOps(transition.ops, { paths: prepared.paths, runner: prepared.runner, text: prepared.build?.text ?? new Map(), log: (line) => io.stdout(`  ${line}\n`) });
  } catch (error) {
    const message = error instanceof ApplyError ? error.message : String(error);
    printDiagnostics(io, [commandError(`mosaic-gen ${verb}`, 'APPLY', `${message}; the steps after it were not run`, `fix the cause and run mosaic-gen ${verb} again: it continues from where it stopped`)], new Map());
    return EXIT.ERROR;
  }
  io.stdout(`${verb === 'apply' ? 'Apply' : 'Uninstall'} complete: ${transition.counts.add} added, ${transition.counts.change} changed, ${transition.counts.destroy} destroyed.\n`);
  return EXIT.OK;
}
