import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { userSystemctl } from '../../host/run-command.js';
import { AGENT_SCOPE_PREFIX, agentOfUnit, agentUnit } from '../../model/artifact.js';
import { STATUS_PROPERTIES, fleetStatus, type AgentStatus, type FleetStatus } from '../../state/fleet-status.js';
import { compileHostBundle } from '../compile-roster.js';
import { fleetWindows, readInstalledFleet, type InstalledFleet } from '../installed-fleet.js';
import { engineCheck } from '../host-transition.js';
import { writePrivateBundle } from '../../host/run-engine.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { activityDir, pendingRestart, readActivity } from '../../state/agent-activity.js';
import { EXIT, painter, useColor, type CliIO } from '../io.js';

interface StatusOptions {
  json?: boolean;
  roster?: string;
  watch?: boolean | string;
}

/** The exit status of an unhealthy fleet, distinct from an error (1) and from differences (2). */
export const UNHEALTHY = 3;

export function registerStatus(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('status')
    .description('one row per agent of the installed fleet: state, activity, PID, uptime, restarts, memory, window, and what is wrong')
    .option('--json', 'print one JSON document: { healthy, agents: [{ name, lifecycle, enabled, state, pid, restarts, memory, window, activity: { state, since, source }, flags }] }')
    .option('--roster <file>', 'also flag agents whose roster entry differs from what is installed (pending)')
    .option('--watch [seconds]', 'print again every few seconds (2 by default) until interrupted')
    .addHelpText('after', `\nExit status: 0 healthy (every always-on agent active, nothing flagged), ${UNHEALTHY} unhealthy, 1 error.\n\nExamples:\n  mosaic-gen status\n  mosaic-gen status --json | jq '.agents[] | select(.flags != [])'\n  mosaic-gen status --roster fleets/prod.yaml --watch`)
    .action(async (options: StatusOptions) => {
      const interval = options.watch === undefined || options.watch === false ? 0 : options.watch === true ? 2 : Number(options.watch);
      for (let frame = 0; ; frame++) {
        // Each frame after the first starts with a clear screen (a terminal) or a blank line (a
        // pipe), written before the status is read: a reader that has gone (`| head -3`) ends
        // the watch at once, quietly and with status 0, as a watch ends when interrupted.
        if (frame > 0 && io.stdout(io.isTTY ? '\u001b[H\u001b[2J' : '\n') === false) return exit(EXIT.OK);
        const status = await readStatus(io, options);
        if (!status) return exit(EXIT.ERROR);
        if (frame === 0 && interval > 0 && io.isTTY) io.stdout('\u001b[H\u001b[2J');
        const written = io.stdout(options.json ? `${JSON.stringify(statusJson(status), null, 2)}\n` : renderStatus(status, painter(useColor(io))));
        if (!(interval > 0)) return exit(status.healthy ? EXIT.OK : UNHEALTHY);
        if (written === false) return exit(EXIT.OK);
        await new Promise((resolve) => setTimeout(resolve, interval * 1000));
      }
    });
}

async function readStatus(io: CliIO, options: StatusOptions): Promise<FleetStatus | undefined> {
  const fleet = await readInstalledFleet(io, 'status');
  if (!fleet) return undefined;
  let pending: Set<string> | null = null;
  let rosterAgents: string[] | null = null;
  if (options.roster) {
    const output = compileHostBundle(io, options.roster, undefined);
    if (!output) return undefined;
    // The engine's check of installing the roster's build, files and links only: every agent
    // it would restart, stop, enable or disable.
    const bundle = writePrivateBundle(output.files, io.env);
    try {
      const checked = await engineCheck(io, bundle, 'install.sh', 'files', 'status');
      if ('code' in checked) {
        printDiagnostics(io, [checked], new Map());
        return undefined;
      }
      pending = new Set([
        ...checked.agents.filter((a) => a.change !== 'added').map((a) => a.name),
        ...[...checked.units.enable, ...checked.units.disable].map(agentOfUnit).filter((a): a is string => a !== undefined),
      ]);
    } finally {
      bundle.remove();
    }
    rosterAgents = output.manifest.agents.map((a) => a.name);
  }
  const known = await knownAgents(fleet);
  // Instances only: the manager cannot show a template, and an instance says when its template changed.
  const units = [...new Set([...fleet.record.agents.map((a) => a.name), ...known])].map(agentUnit);
  const shown = await userSystemctl(fleet.runner, 'show', '--timestamp=unix', `--property=${STATUS_PROPERTIES.join(',')}`, '--', ...units);
  const props = new Map<string, Map<string, string>>();
  for (const block of shown.stdout.split(/\n\n+/)) {
    const entries = new Map(block.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
    const id = entries.get('Id');
    if (id) props.set(id, entries);
  }
  const drifted = new Set(fleet.record.files.filter((f) => f.state !== 'ok').map((f) => f.target));
  const windows = await agentsInScopes(fleet, await fleetWindows(fleet), props);
  const dir = activityDir(io.env, fleet.record.session);
  const names = [...new Set([...fleet.record.agents.map((a) => a.name), ...known])];
  const activity = new Map(names.map((name) => [name, readActivity(dir, name)] as const));
  const waitingRestart = new Set(names.filter((name) => pendingRestart(dir, name) !== null));
  return fleetStatus({ record: fleet.record, units: props, windows, drifted, knownAgents: known, pending, rosterAgents, activity, waitingRestart, now: Date.now() });
}

/**
 * The agent runs in its scope, `mosaic-run-NAME-PANE.scope` (the supervisor names it for the
 * pane's shell), not in its unit's cgroup (which holds the supervisor). Per window: the agent's
 * own pid, the one process of the scope whose parent is outside it (the scope's first process,
 * which the launch script execs into the agent); and the scope's memory and CPU, added to the
 * unit's. A window without a scope (a supervisor from before scopes) has no pid to show.
 */
async function agentsInScopes(fleet: InstalledFleet, panes: ReadonlyMap<string, number | null>, props: Map<string, Map<string, string>>): Promise<Map<string, number | null>> {
  const agents = new Map<string, number | null>([...panes.keys()].map((name) => [name, null]));
  const scopes = new Map<string, string>();
  for (const [name, pane] of panes) if (pane !== null) scopes.set(`${AGENT_SCOPE_PREFIX}${name}-${pane}.scope`, name);
  if (scopes.size === 0) return agents;
  const usage = ['MemoryCurrent', 'CPUUsageNSec'];
  const shown = await userSystemctl(fleet.runner, 'show', `--property=Id,ControlGroup,${usage.join(',')}`, '--', ...scopes.keys());
  for (const block of shown.stdout.split(/\n\n+/)) {
    const entries = new Map(block.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
    const name = scopes.get(entries.get('Id') ?? '');
    if (name === undefined) continue;
    agents.set(name, scopeLeader(entries.get('ControlGroup') ?? ''));
    const unit = props.get(agentUnit(name));
    if (!unit) continue;
    for (const key of usage) {
      const [own, scope] = [Number(unit.get(key)), Number(entries.get(key))];
      // Not accounted: systemd prints "[not set]" or the all-ones value; fleetStatus reads that as null.
      if (Number.isSafeInteger(scope)) unit.set(key, String(Number.isSafeInteger(own) ? own + scope : scope));
    }
  }
  return agents;
}

/** Where the systemd-tracked hierarchy is mounted: cgroup v2 alone, or the hybrid layout's two. */
const CGROUP_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'];

/** The process of a cgroup whose parent is not in it: the agent, for an agent's scope. */
function scopeLeader(controlGroup: string): number | null {
  if (!controlGroup.startsWith('/')) return null;
  for (const root of CGROUP_ROOTS) {
    let procs: number[];
    try {
      procs = readFileSync(`${root}${controlGroup}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      continue;
    }
    const inScope = new Set(procs);
    return procs.find((pid) => !inScope.has(parentOf(pid))) ?? null;
  }
  return null;
}

function parentOf(pid: number): number {
  try {
    return Number(/^PPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Agent instances the manager has loaded or that are enabled by a link, whoever made them. */
async function knownAgents(fleet: InstalledFleet): Promise<string[]> {
  const listed = await userSystemctl(fleet.runner, 'list-units', '--all', '--plain', '--no-legend', agentUnit('*'));
  // Columns: UNIT LOAD ACTIVE SUB DESCRIPTION.
  const loaded = listed.stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter(([unit, , active]) => unit && agentOfUnit(unit) !== undefined && active !== 'inactive').map(([unit]) => unit!);
  const linked = fleet.record.links.map((u) => u.unit);
  return [...new Set([...loaded, ...linked])].map(agentOfUnit).filter((a): a is string => a !== undefined);
}

export function statusJson(status: FleetStatus) {
  return {
    healthy: status.healthy,
    session: status.session,
    agents: status.agents,
    ...(status.notInstalled.length ? { notInstalled: status.notInstalled } : {}),
  };
}

/** A table that fits 80 columns, then one summary line. */
export function renderStatus(status: FleetStatus, paint: ReturnType<typeof painter>): string {
  // 80 columns with a long name, PID and flag: BOOT and WIN gave way to ACTIVITY. Enablement that
  // does not match the lifecycle is flagged (boot-mismatch), and an agent without a window has
  // no PID; --json keeps both.
  const head = ['AGENT', 'LIFE', 'STATE', 'ACTIVITY', 'PID', 'UP', 'RST', 'MEM', 'FLAGS'];
  const rows = status.agents.map((a) => [
    a.name.length > 16 ? `${a.name.slice(0, 15)}…` : a.name,
    a.lifecycle === 'always-on' ? 'always' : a.lifecycle === 'on-demand' ? 'demand' : '-',
    a.detail ? `${a.state} (${a.detail})`.slice(0, 22) : a.state,
    a.activity.state,
    a.pid === null ? '-' : String(a.pid),
    duration(a.uptime),
    String(a.restarts),
    bytes(a.memory),
    a.flags.join(','),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ').trimEnd();
  const color = (a: AgentStatus, text: string) => (a.flags.length > 0 || a.problem !== null ? paint(a.state === 'failed' ? 'red' : 'yellow', text) : text);
  const out = [paint('bold', line(head)), ...rows.map((r, i) => color(status.agents[i]!, line(r)))];
  const active = status.agents.filter((a) => a.state === 'active').length;
  const flagged = status.agents.filter((a) => a.flags.length > 0).length;
  const notInstalled = status.notInstalled.length ? `; not installed: ${status.notInstalled.join(', ')} (apply needed)` : '';
  // Each agent that makes the fleet unhealthy, and why: the line a health check's log keeps.
  const why = status.agents.filter((a) => a.problem !== null || a.flags.length > 0).map((a) => `; ${a.name}: ${[...(a.problem ? [a.problem] : []), ...a.flags].join(', ')}`).join('');
  out.push('', `${status.healthy ? paint('green', 'healthy') : paint('red', 'unhealthy')}: ${active} of ${status.agents.length} agents active, ${flagged} flagged${why}${notInstalled}.`);
  return `${out.join('\n')}\n`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function bytes(value: number | null): string {
  if (value === null) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}
