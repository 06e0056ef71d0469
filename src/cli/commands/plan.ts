import type { Command } from 'commander';
import { EXIT, type CliIO } from '../io.js';
import { prepareTransition, printPlan, type HostOptions } from '../host-transition.js';

interface PlanOptions extends HostOptions {
  detailedExitcode?: boolean;
}

export function registerPlan(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('plan')
    .description('show what apply would change on this host: files, units, linger, and drift')
    .argument('[roster]', 'roster file', 'roster.yaml')
    .option('--offline', 'read files only (under $DESTDIR$XDG_CONFIG_HOME); ask no user manager')
    .option('--host <name>', 'with a roster of hosts: the host whose part to act on (default: this machine\'s hostname)')
    .option('--json', 'print the plan as one JSON document')
    .option('--show-secrets', 'show every env file value in diffs, secrets and hand-written lines included')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .addHelpText('after', '\nExamples:\n  mosaic-gen plan\n  mosaic-gen plan fleets/prod.yaml --json\n  mosaic-gen plan --detailed-exitcode || echo "changes pending"')
    .action(async (roster: string, options: PlanOptions) => {
      const prepared = await prepareTransition(io, roster, options, 'plan');
      if (!prepared) return exit(EXIT.ERROR);
      try {
        await printPlan(io, prepared, options);
        exit(options.detailedExitcode && prepared.plan.ops.length > 0 ? EXIT.DIFFERENCES : EXIT.OK);
      } finally {
        prepared.dispose();
      }
    });
}
