import { commandError, type Diagnostic, errorIn } from '../errors.js';
import { planTransition, type TargetBuild, type Transition } from '../diff/plan-transition.js';
import { processRunner, userSystemctl, type CommandRunner } from '../host/run-command.js';
import { takeFleetLock, type FleetLock } from '../host/fleet-lock.js';
import { agentUnits, hostPaths, readInstalled, type HostPaths, type Installed } from '../state/read-installed.js';
import { compileHostBundle } from './compile-roster.js';
import { painter, useColor, type CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { planJson, renderPlan } from '../diff/render-plan.js';

export interface HostOptions {
  offline?: boolean;
  /** Take the fleet lock for the whole read-decide-act (apply, uninstall); released by the caller. */
  lock?: boolean;
  json?: boolean;
  showSecrets?: boolean;
  /** Which host of a roster with hosts to act on. */
  host?: string;
}

export interface Prepared {
  transition: Transition;
  installed: Installed;
  paths: HostPaths;
  runner: CommandRunner | null;
  build: TargetBuild | null;
  lock: FleetLock | null;
}

/**
 * build (or nothing, for uninstall) → read the host → diff. Prints diagnostics itself and
 * returns undefined on any error.
 */
export async function prepareTransition(io: CliIO, roster: string | null, options: HostOptions): Promise<Prepared | undefined> {
  let build: TargetBuild | null = null;
  if (roster !== null) {
    const output = compileHostBundle(io, roster, options.host);
    if (!output) return undefined;
    build = { manifest: output.manifest, text: new Map(output.files.map((f) => [f.path, f.text])) };
  }
  const paths = hostPaths(io.env, options.offline === true);
  if ('code' in paths) {
    printDiagnostics(io, [paths], new Map());
    return undefined;
  }
  const runner = options.offline ? null : (io.runner ?? processRunner({ ...process.env, ...io.env }));
  if (runner) {
    const mismatch = await managerMismatch(runner, paths);
    if (mismatch) {
      printDiagnostics(io, [mismatch], new Map());
      return undefined;
    }
  }
  let lock: FleetLock | null = null;
  if (options.lock) {
    const taken = takeFleetLock(paths.root, io.env);
    if ('code' in taken) {
      printDiagnostics(io, [taken], new Map());
      return undefined;
    }
    lock = taken;
  }
  const read = await readInstalled(
    paths,
    build && {
      targets: build.manifest.files.map((f) => f.target),
      units: [...agentUnits(build.manifest), ...build.manifest.enable.map((u) => u.unit)],
    },
    runner,
  );
  if (!read.ok) {
    lock?.release();
    printDiagnostics(io, [read.diagnostic], new Map());
    return undefined;
  }
  return { transition: planTransition(build, read.installed), installed: read.installed, paths, runner, build, lock };
}

/**
 * The units say %E for $XDG_CONFIG_HOME as the manager sees it: if that is not where this run
 * installs, every agent would fail to find its files. Read it from the manager and refuse.
 */
async function managerMismatch(runner: CommandRunner, paths: HostPaths): Promise<Diagnostic | null> {
  const shown = await userSystemctl(runner, 'show-environment');
  if (shown.code !== 0) return null; // readInstalled reports an unreachable manager
  const env = new Map(shown.stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
  const xdg = env.get('XDG_CONFIG_HOME');
  const home = env.get('HOME');
  const managerConfig = xdg && xdg.startsWith('/') ? xdg.replace(/(.)\/$/, '$1') : home && home.startsWith('/') ? `${home.replace(/\/$/, '')}/.config` : null;
  if (managerConfig === null || managerConfig === paths.configHome) return null;
  return commandError('systemctl --user show-environment', 'STATE', `the user manager reads its units from ${managerConfig} (%E), but this run would install under ${paths.configHome}`, 'set XDG_CONFIG_HOME (or HOME) to match the user manager, or change the manager\'s environment with systemctl --user set-environment');
}

export async function printPlan(io: CliIO, prepared: Prepared, options: HostOptions): Promise<void> {
  if (options.json) {
    io.stdout(`${JSON.stringify(planJson(prepared.transition, prepared.paths, options.showSecrets === true), null, 2)}\n`);
    return;
  }
  const { createTwoFilesPatch } = await import('diff');
  io.stdout(
    renderPlan(prepared.transition, prepared.paths, {
      showSecrets: options.showSecrets === true,
      paint: painter(useColor(io)),
      patch: (a, b, before, after) => createTwoFilesPatch(a, b, before, after, undefined, undefined, { context: 3 }),
    }),
  );
}

export function driftDiagnostic(prepared: Prepared): Diagnostic {
  return errorIn(prepared.paths.root + prepared.paths.configHome, 'DRIFT', `${prepared.transition.drift.length} installed file${prepared.transition.drift.length === 1 ? ' was' : 's were'} changed by hand: ${prepared.transition.drift.map((d) => d.target).join(', ')}`, 'put the change into the roster, or pass --force to overwrite it');
}

