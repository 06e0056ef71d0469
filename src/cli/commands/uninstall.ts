import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, type CliIO } from '../io.js';
import { prepareTransition } from '../host-transition.js';
import { carryOut, type ApplyOptions } from './apply.js';
import { MANIFEST_TARGET } from '../../model/artifact.js';

export function registerUninstall(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('uninstall')
    .description('remove the installed fleet, using only the installed record (the roster may be gone)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print the commands uninstall would run, and change nothing')
    .option('--force', 'also remove installed files that were changed by hand')
    .option('--offline', 'work on files and enablement links only (under $DESTDIR$XDG_CONFIG_HOME)')
    .option('--purge', "also remove the agents' transcripts ($XDG_STATE_HOME/mosaic), which uninstall keeps otherwise")
    .addHelpText('after', '\nExamples:\n  mosaic-gen uninstall --dry-run\n  mosaic-gen uninstall --yes')
    .action(async (options: ApplyOptions & { purge?: boolean }) => {
      const prepared = await prepareTransition(io, null, options, 'uninstall', options.purge ? ['--purge'] : []);
      if (prepared && !prepared.plan.record && prepared.plan.ops.length === 0) {
        prepared.dispose();
        io.stdout(`Nothing is installed: no manifest at ${join(prepared.plan.root + prepared.plan.configHome, MANIFEST_TARGET)}\n`);
        return exit(EXIT.OK);
      }
      exit(await carryOut(io, prepared, options, 'uninstall', options.purge ? ['--purge'] : []));
    });
}
