import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandError, errorIn, type Diagnostic } from '../errors.js';
import { fleetlessScripts, type BuildOutput } from '../emit/assemble-output.js';
import { EnginePlanError, parseEnginePlan, type EnginePlan } from '../diff/engine-plan.js';
import { planJson, renderPlan, type ShownFile } from '../diff/render-plan.js';
import { runEngine, writePrivateBundle, type EngineScript, type EngineWhere, type PrivateBundle } from '../host/run-engine.js';
import { sha256 } from '../plan/build-manifest.js';
import { VERSION } from '../version.js';
import { compileHostBundle } from './compile-roster.js';
import { painter, useColor, type CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

export interface HostOptions {
  offline?: boolean;
  json?: boolean;
  showSecrets?: boolean;
  /** Which host of a roster with hosts to act on. */
  host?: string;
}

/** A plan the engine made, with the bundle it made it from (kept until `dispose`). */
export interface Prepared {
  plan: EnginePlan;
  build: BuildOutput | null;
  bundle: PrivateBundle;
  script: EngineScript;
  offline: boolean;
  dispose: () => void;
}

/**
 * The build (or no fleet, for uninstall) written as a private bundle, and its engine's check of
 * this host. Prints diagnostics itself and returns undefined on any error. The caller disposes.
 */
export async function prepareTransition(io: CliIO, roster: string | null, options: HostOptions, verb: string, extra: readonly string[] = []): Promise<Prepared | undefined> {
  let build: BuildOutput | null = null;
  if (roster !== null) {
    const output = compileHostBundle(io, roster, options.host);
    if (!output) return undefined;
    build = output;
  }
  const bundle = writePrivateBundle(build ? build.files : fleetlessScripts(VERSION), io.env);
  const script: EngineScript = build ? 'install.sh' : 'uninstall.sh';
  const offline = options.offline === true;
  const checked = await engineCheck(io, bundle, script, offline ? 'offline' : 'online', verb, extra);
  if ('code' in checked) {
    bundle.remove();
    printDiagnostics(io, [checked], new Map());
    return undefined;
  }
  return { plan: checked, build, bundle, script, offline, dispose: bundle.remove };
}

/** The engine's porcelain check of a bundle, or what stopped it. */
export async function engineCheck(io: CliIO, bundle: PrivateBundle, script: EngineScript, where: EngineWhere, verb: string, extra: readonly string[] = []): Promise<EnginePlan | Diagnostic> {
  const result = await runEngine(bundle, script, ['--check', '--porcelain', ...extra], io.env, where, io.runner);
  if (result.code !== 0 && result.code !== 2) return engineError(verb, 'STATE', result.stderr, result.code);
  try {
    return parseEnginePlan(result.stdout);
  } catch (error) {
    if (!(error instanceof EnginePlanError)) throw error;
    return commandError(`mosaic-gen ${verb}`, 'STATE', `the engine's check cannot be read: ${error.message}`, 'this is a bug of mosaic-gen; please report it with the output of install.sh --check --porcelain');
  }
}

/** An engine's own error line ("install.sh: error: …") as a diagnostic of the command. */
export function engineError(verb: string, code: 'STATE' | 'APPLY' | 'CHANGED', stderr: string, exit: number, hint?: string): Diagnostic {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const main = lines.find((line) => / error: /.test(line)) ?? lines[0] ?? `the engine exited with status ${exit}`;
  const message = [main.replace(/^[a-z.]+: error: /, ''), ...lines.filter((line) => line !== main).map((line) => line.replace(/^[a-z.]+: /, ''))].join('\n  ');
  return commandError(`mosaic-gen ${verb}`, /holds the fleet lock/.test(main) ? 'LOCKED' : code, message, hint);
}

/** Each changed file with its text on the host and in the build, for the diffs a reader sees. */
export function shownFiles(prepared: Prepared): ShownFile[] {
  const text = new Map((prepared.build?.files ?? []).map((f) => [f.path, f.text]));
  const recorded = new Map((prepared.plan.record?.files ?? []).map((f) => [f.target, f.state]));
  return prepared.plan.files.map((file) => {
    const before = /^[0-9a-f]{64}$/.test(file.disk) ? readInstalledText(join(prepared.plan.root + prepared.plan.configHome, file.target), file.disk) : null;
    return { ...file, before, after: file.source === null ? null : (text.get(file.source) ?? null), beforeIsOurs: recorded.get(file.target) === 'ok' };
  });
}

/**
 * The text of an installed file the engine hashed: read without following a link at its name
 * (the engine found no link on the way), and only if it is still what the engine saw.
 */
function readInstalledText(path: string, sha: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return null;
    const text = readFileSync(fd, 'utf8');
    return sha256(text) === sha ? text : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function printPlan(io: CliIO, prepared: Prepared, options: HostOptions): Promise<void> {
  const files = shownFiles(prepared);
  if (options.json) {
    io.stdout(`${JSON.stringify(planJson(prepared.plan, files, options.showSecrets === true), null, 2)}\n`);
    return;
  }
  const { createTwoFilesPatch } = await import('diff');
  io.stdout(
    renderPlan(prepared.plan, files, {
      showSecrets: options.showSecrets === true,
      paint: painter(useColor(io)),
      patch: (a, b, before, after) => createTwoFilesPatch(a, b, before, after, undefined, undefined, { context: 3 }),
    }),
  );
}

export function driftDiagnostic(prepared: Prepared): Diagnostic {
  const { drift } = prepared.plan;
  return errorIn(join(prepared.plan.root + prepared.plan.configHome, drift[0]!.target), 'DRIFT', `${drift.length} installed file${drift.length === 1 ? ' was' : 's were'} changed by hand: ${drift.map((d) => d.target).join(', ')}`, 'put the change into the roster, or pass --force to overwrite it');
}
