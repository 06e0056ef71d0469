import { join } from 'node:path';
import { type Diagnostic, errorIn } from '../errors.js';
import type { EnginePlan } from '../diff/engine-plan.js';
import type { InstalledRecord } from '../model/installed-record.js';
import { fleetlessScripts } from '../emit/assemble-output.js';
import { processRunner, userSystemctl, type CommandRunner } from '../host/run-command.js';
import { writePrivateBundle } from '../host/run-engine.js';
import { agentUnit, MANIFEST_TARGET } from '../model/artifact.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { VERSION } from '../version.js';
import { engineCheck } from './host-transition.js';
import type { CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

/** The installed fleet, for the commands that operate it (status, attach, logs, start/stop). */
export interface InstalledFleet {
  configHome: string;
  runner: CommandRunner;
  record: InstalledRecord;
  /** The engine's whole check, with its `status-*` records when asked for (`--status`). */
  plan: EnginePlan;
}

/**
 * The installed record as the engine reads it (its check of uninstalling, offline: files and
 * links only, nothing changed); prints what is wrong and returns undefined.
 */
export async function readInstalledFleet(io: CliIO, verb: string, extra: readonly string[] = []): Promise<InstalledFleet | undefined> {
  const bundle = writePrivateBundle(fleetlessScripts(VERSION), io.env);
  try {
    const checked = await engineCheck(io, bundle, 'uninstall.sh', 'files', verb, extra);
    if ('code' in checked) {
      printDiagnostics(io, [checked], new Map());
      return undefined;
    }
    if (!checked.record) {
      printDiagnostics(io, [errorIn(join(checked.configHome, MANIFEST_TARGET), 'STATE', 'no fleet is installed here', 'install one with mosaic-gen apply, or the bundle\'s install.sh')], new Map());
      return undefined;
    }
    return { configHome: checked.configHome, runner: io.runner ?? processRunner({ ...process.env, ...io.env }), record: checked.record, plan: checked };
  } finally {
    bundle.remove();
  }
}

/** The agent named on the command line, or an error with did-you-mean. */
export function agentOf(io: CliIO, fleet: InstalledFleet, name: string): string | undefined {
  const names = fleet.record.agents.map((a) => a.name);
  if (names.includes(name)) return name;
  const diagnostic: Diagnostic = errorIn(join(fleet.configHome, MANIFEST_TARGET), 'UNKNOWN_AGENT', `the installed fleet has no agent '${name}'`, didYouMeanHint(name, names) ?? `its agents: ${names.join(', ')}`);
  printDiagnostics(io, [diagnostic], new Map());
  return undefined;
}

/** tmux on the fleet's own server, as the units run it. */
export function fleetTmux(fleet: InstalledFleet, ...args: string[]) {
  return fleet.runner(fleet.record.tmux, ['-L', fleet.record.session, '-f', '/dev/null', ...args]);
}

/** Every window of the fleet's session: name → the pid of its pane (the supervisor's `--run` shell). */
export async function fleetWindows(fleet: InstalledFleet): Promise<Map<string, number | null>> {
  const listed = await fleetTmux(fleet, 'list-windows', '-t', fleet.record.session, '-F', '#{window_name} #{pane_pid}');
  const windows = new Map<string, number | null>();
  if (listed.code !== 0) return windows;
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [name, pid] = line.split(' ');
    windows.set(name!, Number(pid) > 0 ? Number(pid) : null);
  }
  return windows;
}

/** The unit's state as the manager has it, for the errors that name it. */
export async function agentActive(fleet: InstalledFleet, name: string): Promise<string> {
  const shown = await userSystemctl(fleet.runner, 'show', '--property=ActiveState', '--value', agentUnit(name));
  return shown.stdout.trim() || 'unknown';
}
