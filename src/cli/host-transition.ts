import type { Diagnostic } from '../errors.js';
import { planTransition, type TargetBuild, type Transition } from '../diff/plan-transition.js';
import { processRunner, type CommandRunner } from '../host/run-command.js';
import { agentUnits, hostPaths, readInstalled, type HostPaths, type Installed } from '../state/read-installed.js';
import { compileRoster } from './compile-roster.js';
import { painter, useColor, type CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';
import { planJson, renderPlan } from '../diff/render-plan.js';

export interface HostOptions {
  offline?: boolean;
  json?: boolean;
  showSecrets?: boolean;
}

export interface Prepared {
  transition: Transition;
  installed: Installed;
  paths: HostPaths;
  runner: CommandRunner | null;
  build: TargetBuild | null;
}

/**
 * build (or nothing, for uninstall) → read the host → diff. Prints diagnostics itself and
 * returns undefined on any error.
 */
export async function prepareTransition(io: CliIO, roster: string | null, options: HostOptions): Promise<Prepared | undefined> {
  let build: TargetBuild | null = null;
  if (roster !== null) {
    const output = compileRoster(io, roster);
    if (!output) return undefined;
    build = { manifest: output.manifest, text: new Map(output.files.map((f) => [f.path, f.text])) };
  }
  const paths = hostPaths(io.env, options.offline === true);
  const runner = options.offline ? null : (io.runner ?? processRunner({ ...process.env, ...io.env }));
  const read = await readInstalled(
    paths,
    build && {
      targets: build.manifest.files.map((f) => f.target),
      units: [...agentUnits(build.manifest), ...build.manifest.enable.map((u) => u.unit)],
    },
    runner,
  );
  if (!read.ok) {
    printDiagnostics(io, [read.diagnostic], new Map());
    return undefined;
  }
  return { transition: planTransition(build, read.installed), installed: read.installed, paths, runner, build };
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
  return {
    severity: 'error',
    code: 'DRIFT',
    file: prepared.paths.root + prepared.paths.configHome,
    message: `${prepared.transition.drift.length} installed file${prepared.transition.drift.length === 1 ? ' was' : 's were'} changed by hand: ${prepared.transition.drift.map((d) => d.target).join(', ')}`,
    hint: 'put the change into the roster, or pass --force to overwrite it',
  };
}

