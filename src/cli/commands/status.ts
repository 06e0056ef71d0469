import type { Command } from 'commander';
import { agentOfUnit } from '../../model/artifact.js';
import { engineFleetStatus, type AgentStatus, type FleetStatus } from '../../state/fleet-status.js';
import { compileHostBundle } from '../compile-roster.js';
import { readInstalledFleet } from '../installed-fleet.js';
import { engineCheck } from '../host-transition.js';
import { writePrivateBundle } from '../../host/run-engine.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { EXIT, painter, useColor, type CliIO } from '../io.js';
import { commandError } from '../../errors.js';
import { readHostsStatus, type HostStatus } from '../hosts-status.js';

interface StatusOptions {
  json?: boolean;
  roster?: string;
  watch?: boolean | string;
  inventory?: string;
  limit?: string;
  hostTimeout?: string;
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
    .option('-i, --inventory <inventory>', 'every host of an Ansible inventory, through ansible: one table with a HOST column, one verdict')
    .option('--limit <pattern>', 'with -i: only the hosts that match (as ansible --limit)')
    .option('--host-timeout <seconds>', 'with -i: how long a host may take to answer before its row says it did not', '60')
    .addHelpText('after', `\nExit status: 0 healthy (every always-on agent active, nothing flagged; with -i, on every host, each reached), ${UNHEALTHY} unhealthy, 1 error.\n\nExamples:\n  mosaic-gen status\n  mosaic-gen status --json | jq '.agents[] | select(.flags != [])'\n  mosaic-gen status --roster fleets/prod.yaml --watch\n  mosaic-gen status -i inventory --limit 'web*'`)
    .action(async (options: StatusOptions) => {
      if (options.inventory !== undefined && options.roster !== undefined) {
        printDiagnostics(io, [commandError('mosaic-gen status', 'USAGE', '--roster is for this host\'s fleet; it does not go with -i', 'run status --roster on the host, or status -i INVENTORY for every host')], new Map());
        return exit(EXIT.ERROR);
      }
      if (options.limit !== undefined && options.inventory === undefined) {
        printDiagnostics(io, [commandError('mosaic-gen status', 'USAGE', '--limit narrows the hosts of -i INVENTORY', 'pass -i INVENTORY too, or leave --limit out for this host')], new Map());
        return exit(EXIT.ERROR);
      }
      if (!/^[1-9][0-9]{0,5}$/.test(options.hostTimeout ?? '60')) {
        printDiagnostics(io, [commandError('mosaic-gen status', 'USAGE', `--host-timeout takes whole seconds, not '${options.hostTimeout}'`, 'for example --host-timeout 120')], new Map());
        return exit(EXIT.ERROR);
      }
      const interval = options.watch === undefined || options.watch === false ? 0 : options.watch === true ? 2 : Number(options.watch);
      for (let frame = 0; ; frame++) {
        // Each frame after the first starts with a clear screen (a terminal) or a blank line (a
        // pipe), written before the status is read: a reader that has gone (`| head -3`) ends
        // the watch at once, quietly and with status 0, as a watch ends when interrupted.
        if (frame > 0 && io.stdout(io.isTTY ? '\u001b[H\u001b[2J' : '\n') === false) return exit(EXIT.OK);
        const shown = await readFrame(io, options);
        if (!shown) return exit(EXIT.ERROR);
        if (frame === 0 && interval > 0 && io.isTTY) io.stdout('\u001b[H\u001b[2J');
        const written = io.stdout(options.json ? `${JSON.stringify(shown.json, null, 2)}\n` : shown.text(painter(useColor(io))));
        if (!(interval > 0)) return exit(shown.healthy ? EXIT.OK : UNHEALTHY);
        if (written === false) return exit(EXIT.OK);
        await new Promise((resolve) => setTimeout(resolve, interval * 1000));
      }
    });
}

/** One frame of status: this host's fleet, or every host's of an inventory. */
async function readFrame(io: CliIO, options: StatusOptions): Promise<{ healthy: boolean; json: unknown; text: (paint: ReturnType<typeof painter>) => string } | undefined> {
  if (options.inventory !== undefined) {
    const hosts = await readHostsStatus(io, options.inventory, options.limit, Number(options.hostTimeout ?? 60));
    if (!hosts) return undefined;
    return { healthy: hostsHealthy(hosts), json: hostsStatusJson(hosts), text: (paint) => renderHostsStatus(hosts, paint) };
  }
  const status = await readStatus(io, options);
  if (!status) return undefined;
  return { healthy: status.healthy, json: statusJson(status), text: (paint) => renderStatus(status, paint) };
}

async function readStatus(io: CliIO, options: StatusOptions): Promise<FleetStatus | undefined> {
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
  // The engine reads the record, the manager and tmux, as it does on every host for status -i.
  const fleet = await readInstalledFleet(io, 'status', ['--status']);
  if (!fleet) return undefined;
  return engineFleetStatus(fleet.plan, { pending, rosterAgents }, Date.now()) ?? undefined;
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
  return renderTable([{ host: null, status, problem: null }], paint);
}

/** The status of every host of an inventory: one table with a HOST column, one summary line. */
export function renderHostsStatus(hosts: readonly HostStatus[], paint: ReturnType<typeof painter>): string {
  return renderTable(hosts, paint);
}

/** Healthy when every host could be read and every fleet read is healthy. */
export function hostsHealthy(hosts: readonly HostStatus[]): boolean {
  return hosts.every((h) => h.problem === null && (h.status === null || h.status.healthy));
}

export function hostsStatusJson(hosts: readonly HostStatus[]) {
  return {
    healthy: hostsHealthy(hosts),
    hosts: hosts.map((h) => ({ host: h.host, reachable: !h.problem?.startsWith('unreachable'), session: h.status?.session ?? null, installed: h.status !== null, problem: h.problem, ...(h.note ? { note: h.note } : {}), ...(h.status?.notInstalled.length ? { notInstalled: h.status.notInstalled } : {}) })),
    agents: hosts.flatMap((h) => (h.status?.agents ?? []).map((a) => ({ host: h.host, ...a }))),
  };
}

/** Rows of agents, a HOST column first when the rows are of hosts; a host that could not be read is a row of its own. */
function renderTable(hosts: readonly (Omit<HostStatus, 'host'> & { host: string | null })[], paint: ReturnType<typeof painter>): string {
  const withHost = hosts.some((h) => h.host !== null);
  // 80 columns with a long name, PID and flag: BOOT and WIN gave way to ACTIVITY. Enablement that
  // does not match the lifecycle is flagged (boot-mismatch), and an agent without a window has
  // no PID; --json keeps both.
  const head = [...(withHost ? ['HOST'] : []), 'AGENT', 'LIFE', 'STATE', 'ACTIVITY', 'PID', 'UP', 'RST', 'MEM', 'FLAGS'];
  const short = (text: string) => (text.length > 16 ? `${text.slice(0, 15)}…` : text);
  const rows: { cells: string[]; agent: AgentStatus | null }[] = [];
  for (const h of hosts) {
    const host = withHost ? [short(h.host ?? '')] : [];
    if (h.status === null) {
      const [state, ...why] = (h.problem ?? h.note ?? 'no fleet installed').split(': ');
      rows.push({ cells: [...host, '-', '-', state!, '-', '-', '-', '-', '-', why.join(': ').slice(0, 60)], agent: null });
      continue;
    }
    for (const a of h.status.agents) {
      rows.push({
        cells: [
          ...host,
          short(a.name),
          a.lifecycle === 'always-on' ? 'always' : a.lifecycle === 'on-demand' ? 'demand' : '-',
          a.detail ? `${a.state} (${a.detail})`.slice(0, 22) : a.state,
          a.activity.state,
          a.pid === null ? '-' : String(a.pid),
          duration(a.uptime),
          String(a.restarts),
          bytes(a.memory),
          a.flags.join(','),
        ],
        agent: a,
      });
    }
  }
  for (const r of rows) r.cells = r.cells.map(shown);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ').trimEnd();
  const color = (a: AgentStatus | null, text: string) => (a === null ? paint('red', text) : a.flags.length > 0 || a.problem !== null ? paint(a.state === 'failed' ? 'red' : 'yellow', text) : text);
  const out = [paint('bold', line(head)), ...rows.map((r) => color(r.agent, line(r.cells)))];
  const agents = hosts.flatMap((h) => (h.status?.agents ?? []).map((a) => ({ a, at: withHost ? `${h.host} ` : '' })));
  const active = agents.filter(({ a }) => a.state === 'active').length;
  const flagged = agents.filter(({ a }) => a.flags.length > 0).length;
  const notInstalled = hosts.map((h) => (h.status?.notInstalled.length ? `; not installed: ${h.status.notInstalled.join(', ')} (apply needed)` : '')).join('');
  // Each agent (and host) that makes the fleet unhealthy, and why: the line a health check's log keeps.
  const why = [
    ...hosts.filter((h) => h.problem !== null).map((h) => `; ${h.host}: ${h.problem}`),
    ...agents.filter(({ a }) => a.problem !== null || a.flags.length > 0).map(({ a, at }) => `; ${at}${a.name}: ${[...(a.problem ? [a.problem] : []), ...a.flags].join(', ')}`),
  ].join('');
  const on = withHost ? ` on ${hosts.length} host${hosts.length === 1 ? '' : 's'}` : '';
  const healthy = hostsHealthy(hosts as HostStatus[]);
  out.push('', `${healthy ? paint('green', 'healthy') : paint('red', 'unhealthy')}: ${active} of ${agents.length} agents active${on}, ${flagged} flagged${shown(why)}${shown(notInstalled)}.`);
  return `${out.join('\n')}\n`;
}

/**
 * Text from a host (its record, its manager's words, what it printed) without control
 * characters: a hostile or broken host must not clear the operator's screen or draw a verdict
 * of its own. The JSON output escapes them anyway.
 */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
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
