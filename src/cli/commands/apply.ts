import type { Command } from 'commander';
import { EXIT, type CliIO } from '../io.js';
import { driftDiagnostic, engineError, prepareTransition, printPlan, type HostOptions, type Prepared } from '../host-transition.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { commandError } from '../../errors.js';
import { runEngine } from '../../host/run-engine.js';

export interface ApplyOptions extends HostOptions {
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  now?: boolean;
  wait?: string;
}

/** The engine's exit status when the host no longer has the plan it was given (--expect). */
const PLAN_CHANGED = 4;

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
    .option('--show-secrets', 'show every env file value in diffs, secrets and hand-written lines included')
    .option('--now', 'restart every changed agent at once, whatever its update policy and whatever it is doing')
    .option('--wait <duration>', 'return only when every restart that waits for an idle agent is done (30s, 2min, 1h); exit 2 when the time runs out')
    .addHelpText('after', '\nExamples:\n  mosaic-gen apply\n  mosaic-gen apply --dry-run\n  mosaic-gen apply fleets/prod.yaml --yes\n  mosaic-gen apply --yes --wait 10min')
    .action(async (roster: string, options: ApplyOptions) => {
      // --now changes the plan (restarts instead of restarts when idle): the check must have it too.
      const now = options.now ? ['--now'] : [];
      exit(await carryOut(io, await prepareTransition(io, roster, options, 'apply', now), options, 'apply', [...now, ...(options.wait ? [`--wait=${options.wait}`] : [])]));
    });
}

/** Shared by apply and uninstall: show the plan, check drift, confirm, have the engine run it. */
export async function carryOut(io: CliIO, prepared: Prepared | undefined, options: ApplyOptions, verb: 'apply' | 'uninstall', extra: readonly string[] = []): Promise<number> {
  if (!prepared) return EXIT.ERROR;
  try {
    return await carryOutPrepared(io, prepared, options, verb, extra);
  } finally {
    prepared.dispose();
  }
}

async function carryOutPrepared(io: CliIO, prepared: Prepared, options: ApplyOptions, verb: 'apply' | 'uninstall', extra: readonly string[]): Promise<number> {
  await printPlan(io, prepared, { ...options, json: false });
  const { plan } = prepared;
  if (plan.ops.length === 0) return EXIT.OK;
  if (plan.drift.length > 0 && !options.force) {
    printDiagnostics(io, [driftDiagnostic(prepared)], new Map());
    return EXIT.ERROR;
  }
  if (options.dryRun) {
    io.stdout(`\nWould run:\n${plan.commands.map((line) => `  ${line}\n`).join('')}`);
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
  // The engine decides again under the fleet lock, and acts only on the plan shown here.
  const args = [...(options.force ? ['--force'] : []), ...extra, `--expect=${plan.digest}`];
  const result = await runEngine(prepared.bundle, prepared.script, args, io.env, prepared.offline ? 'offline' : 'online', io.runner);
  const said = result.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^[a-z.]+: /, ''));
  io.stdout(said.filter((line) => !/^(changed|ok): /.test(line)).map((line) => `  ${line}\n`).join(''));
  if (result.code === PLAN_CHANGED) {
    printDiagnostics(io, [engineError(verb, 'CHANGED', result.stderr, result.code, `run mosaic-gen ${verb} again to see the plan for the host as it is now`)], new Map());
    return EXIT.ERROR;
  }
  if (result.code === EXIT.DIFFERENCES && options.wait) {
    // Applied; what timed out is the wait for agents still working.
    printDiagnostics(io, [engineError(verb, 'APPLY', result.stderr, result.code, 'they restart on their own once idle (mosaic-gen status shows restart-pending until then), or now with mosaic-gen restart NAME')], new Map());
    return EXIT.DIFFERENCES;
  }
  if (result.code !== 0) {
    printDiagnostics(io, [engineError(verb, 'APPLY', result.stderr, result.code, `fix the cause and run mosaic-gen ${verb} again: it continues from where it stopped`)], new Map());
    return EXIT.ERROR;
  }
  io.stdout(`${verb === 'apply' ? 'Apply' : 'Uninstall'} complete: ${plan.counts.add} added, ${plan.counts.change} changed, ${plan.counts.destroy} destroyed.\n`);
  return EXIT.OK;
}
