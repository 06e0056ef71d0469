/**
 * Helpers shared by the host tests: build a roster into out/, run its scripts "as the user" on a
 * real systemd user manager (test/harness/user-manager.ts), take a full listing of a directory
 * tree with hashes, and poll for a state with a timeout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../support/cli.js';

export { describeHost, homeListing, listing, until } from '../support/host.js';
import type { RunResult, UserManager } from '../harness/user-manager.js';

/** Every unit a mosaic build can install: the names start with this. */
export const MOSAIC_UNIT = /^mosaic-/;

/**
 * A command that stays up and harms nothing, for every built-in runtime: `sleep` as itself, so
 * that the agent process is the sleep itself (exec'd by nothing: the launch script runs it as a child).
 */
export const HARMLESS_RUNTIMES = `runtimes:
  claude: { command: [sleep, "100000"] }
  codex: { command: [sleep, "100001"] }
  pi: { command: [sleep, "100002"] }
  opencode: { command: [sleep, "100003"] }
`;

/** Writes the roster to a fresh directory and builds it there into out/. Returns out/. */
export async function buildRoster(yaml: string, name = 'roster.yaml'): Promise<string> {
  const dir = tempDir('mosaic-host-');
  writeFileSync(join(dir, name), yaml);
  const out = join(dir, 'out');
  const r = await cli(['build', name, '-o', out], { cwd: dir });
  if (r.status !== 0) throw new Error(`mosaic-gen build failed (${r.status}):\n${r.stderr}\n--- roster ---\n${yaml}`);
  return out;
}

/** Runs `sh SCRIPT ARGS` from `cwd` (default: the manager's HOME, never the out dir). */
export async function runScript(
  m: UserManager,
  out: string,
  script: 'install.sh' | 'uninstall.sh',
  args: string[] = [],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const t0 = Date.now();
  const r = await m.run('sh', [join(out, script), ...args], { ...opts, timeoutMs: 60_000 });
  if (process.env.MOSAIC_HOST_TIMING) console.log(`${script} ${args.join(" ")}: ${Date.now() - t0} ms\n${r.stdout}`);
  return r;
}

/** Fails the test with the script's output unless it exited 0. */
export function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r;
}

/** `systemctl --user show -P PROP UNIT` for several properties at once. */
export async function unitProps(m: UserManager, unit: string, props: string[]): Promise<Record<string, string>> {
  const r = await m.systemctl('show', unit, ...props.flatMap((p) => ['-p', p]));
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Every unit the manager knows (loaded, or with a unit file) whose name starts with mosaic-. */
export async function knownMosaicUnits(m: UserManager): Promise<string[]> {
  const loaded = await m.systemctl('list-units', '--all', '--plain', '--no-legend', '--no-pager', 'mosaic-*');
  const files = await m.systemctl('list-unit-files', '--plain', '--no-legend', '--no-pager', 'mosaic-*');
  const names = new Set<string>();
  for (const line of `${loaded.stdout}\n${files.stdout}`.split('\n')) {
    const name = line.trim().split(/\s+/)[0];
    if (name && MOSAIC_UNIT.test(name)) names.add(name);
  }
  return [...names].sort();
}

/** The windows of the fleet's tmux server: name → pane pid, or undefined when no server runs. */
export async function fleetWindows(m: UserManager, session: string): Promise<Map<string, number> | undefined> {
  const r = await m.run('tmux', ['-L', session, 'list-windows', '-a', '-F', '#{window_name} #{pane_pid} #{pane_dead}']);
  if (r.code !== 0) return undefined;
  const windows = new Map<string, number>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [name, pid, dead] = line.split(' ');
    if (dead === '0') windows.set(name!, Number(pid));
  }
  return windows;
}

/** The children of a process (from /proc: tests run in the manager's pid namespace). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0').slice(0, -1);
}

export function environ(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of readFileSync(`/proc/${pid}/environ`).toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}

/** The agent process of a window: the child of the pane's `launch.sh --run` shell. */
export function agentProcess(panePid: number): number | undefined {
  return childrenOf(panePid)[0];
}

export function mkdirP(path: string): void {
  mkdirSync(path, { recursive: true });
}
