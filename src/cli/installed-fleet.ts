import { type Diagnostic, errorIn } from '../errors.js';
import { processRunner, userSystemctl, type CommandRunner } from '../host/run-command.js';
import { agentUnit } from '../model/artifact.js';
import type { Manifest } from '../model/manifest.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { hostPaths, readInstalled, type HostPaths, type Installed } from '../state/read-installed.js';
import type { CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

/** The installed fleet, for the commands that operate it (status, attach, logs). */
export interface InstalledFleet {
  paths: HostPaths;
  runner: CommandRunner;
  installed: Installed;
  manifest: Manifest;
}

/** Reads the installed record and the manager's view; prints what is wrong and returns undefined. */
export async function readInstalledFleet(io: CliIO): Promise<InstalledFleet | undefined> {
  const paths = hostPaths(io.env, false);
  if ('code' in paths) {
    printDiagnostics(io, [paths], new Map());
    return undefined;
  }
  const runner = io.runner ?? processRunner({ ...process.env, ...io.env });
  const read = await readInstalled(paths, null, runner);
  if (!read.ok) {
    printDiagnostics(io, [read.diagnostic], new Map());
    return undefined;
  }
  if (!read.installed.manifest) {
    printDiagnostics(io, [errorIn(paths.configHome, 'STATE', 'no fleet is installed here', 'install one with mosaic-gen apply, or the bundle\'s install.sh')], new Map());
    return undefined;
  }
  return { paths, runner, installed: read.installed, manifest: read.installed.manifest };
}

/** The agent named on the command line, or an error with did-you-mean. */
export function agentOf(io: CliIO, fleet: InstalledFleet, name: string): string | undefined {
  if (fleet.manifest.agents.some((a) => a.name === name)) return name;
  const diagnostic: Diagnostic = errorIn(fleet.paths.configHome, 'UNKNOWN_AGENT', `the installed fleet has no agent '${name}'`, didYouMeanHint(name, fleet.manifest.agents.map((a) => a.name)) ?? `its agents: ${fleet.manifest.agents.map((a) => a.name).join(', ')}`);
  printDiagnostics(io, [diagnostic], new Map());
  return undefined;
}

/** tmux on the fleet's own server, as the units run it. */
export function fleetTmux(fleet: InstalledFleet, ...args: string[]) {
  return fleet.runner(fleet.manifest.tmux, ['-L', fleet.manifest.session, '-f', '/dev/null', ...args]);
}

/** Every window of the fleet's session: name → the pid of its pane (the supervisor's `--run` shell). */
export async function fleetWindows(fleet: InstalledFleet): Promise<Map<string, number | null>> {
  const listed = await fleetTmux(fleet, 'list-windows', '-t', fleet.manifest.session, '-F', '#{window_name} #{pane_pid}');
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
