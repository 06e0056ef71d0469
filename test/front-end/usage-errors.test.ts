/**
 * The argument parser's errors print as every other error does: `mosaic-gen[ COMMAND]:
 * error[USAGE]: …`, a hint, and a did-you-mean where there was a choice; exit 1, ending in a
 * newline. commander printed `error: option '-p, --profile <profile>' argument 'codng' is
 * invalid…`, with no code and no suggestion (and for `init`, no newline).
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const CASES: Array<[args: string[], stderr: string]> = [
  [['init', '--profile', 'codng'], "mosaic-gen init: error[USAGE]: --profile is 'codng'; it must be one of: general, coding, research, minimal\n  hint: did you mean 'coding'?\n"],
  [['init', '--profile', 'xyzzy'], "mosaic-gen init: error[USAGE]: --profile is 'xyzzy'; it must be one of: general, coding, research, minimal\n  hint: allowed values: general, coding, research, minimal\n"],
  [['vaildate'], "mosaic-gen: error[USAGE]: unknown command 'vaildate'\n  hint: did you mean 'validate'?\n"],
  [['frobnicate'], 'mosaic-gen: error[USAGE]: unknown command \'frobnicate\'\n  hint: the commands are: init, validate, build, plan, apply, uninstall, status, attach, logs, send, start, stop, restart, add, remove, profiles, schema, completion\n'],
  [['build', '--chek'], "mosaic-gen build: error[USAGE]: unknown option '--chek'\n  hint: did you mean '--check'?\n"],
  [['validate', '--frobnicate'], "mosaic-gen validate: error[USAGE]: unknown option '--frobnicate'\n  hint: see `mosaic-gen validate --help`\n"],
  [['--bogus'], "mosaic-gen: error[USAGE]: unknown option '--bogus'\n  hint: see `mosaic-gen --help`\n"],
  [['completion', 'bsh'], "mosaic-gen completion: error[USAGE]: <shell> is 'bsh'; it must be one of: bash, zsh\n  hint: did you mean 'bash'?\n"],
  [['logs'], "mosaic-gen logs: error[USAGE]: missing required argument 'agent'\n  hint: see `mosaic-gen logs --help`\n"],
  [['validate', 'a.yaml', 'b.yaml'], "mosaic-gen validate: error[USAGE]: too many arguments for 'validate'. Expected 1 argument but got 2\n  hint: see `mosaic-gen validate --help`\n"],
];

describe('argument parser errors', () => {
  it.each(CASES)('%j', async (args, stderr) => {
    const result = await cli(args);
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });
});
