import { constants } from 'node:os';
import type { EnginePlan } from '../diff/engine-plan.js';
import { AGENT_SCOPE_PREFIX, AGENT_TEMPLATE_UNIT, UNIT_DIR, agentOfUnit, agentUnit } from '../model/artifact.js';
import type { InstalledRecord } from '../model/installed-record.js';
import { CANNOT_RUN_STATUSES, SETTLE_SECONDS } from '../model/restart.js';
import type { Lifecycle } from '../model/roster-input.js';
import { UNKNOWN_ACTIVITY, type Activity } from '../model/activity.js';

const { signals } = constants;

/** The flags `status` raises; any of them makes the fleet unhealthy. */
export type StatusFlag = 'drift' | 'pending' | 'boot-mismatch' | 'orphan' | 'restart-pending';

/** One agent as `status --json` prints it (the documented, stable shape). */
export interface AgentStatus {
  name: string;
  lifecycle: Lifecycle | null;
  enabled: boolean;
  /** systemd's ActiveState: active, activating, deactivating, failed, inactive… */
  state: string;
  /** Why, when not simply active: SubState and Result (e.g. "auto-restart, exit-code"). */
  detail: string | null;
  /** The agent's own process (in its tmux pane), not the supervisor's. */
  pid: number | null;
  /** Seconds since the unit became active. */
  uptime: number | null;
  restarts: number;
  memory: number | null;
  /** CPU time used, in nanoseconds. */
  cpu: number | null;
  window: boolean;
  /** What the agent is doing, as its runtime's hooks or its pane's silence last said (unknown when not running). */
  activity: Activity;
  flags: StatusFlag[];
  /**
   * Why the agent makes the fleet unhealthy, in words (`failed after 5 restarts in 10 min, last
   * exit 3`), or null. A flag is its own reason and is not repeated here.
   */
  problem: string | null;
}

export interface FleetStatus {
  healthy: boolean;
  session: string;
  agents: AgentStatus[];
  /** Agents of the given roster that are not installed (apply needed). */
  notInstalled: string[];
}

/** What the manager says of one unit (`systemctl --user show`), by property name. */
export type UnitProps = ReadonlyMap<string, string>;

export interface StatusInputs {
  record: InstalledRecord;
  units: ReadonlyMap<string, UnitProps>;
  /** Agent name → the pid of the agent process in its window. */
  windows: ReadonlyMap<string, number | null>;
  /** Installed targets whose content or mode differs from the record. */
  drifted: ReadonlySet<string>;
  /** Agent instances the manager knows of (loaded or enabled), ours or not. */
  knownAgents: readonly string[];
  /** With a roster: agents whose files, units or enablement apply would change, and the roster's agents. */
  pending: ReadonlySet<string> | null;
  rosterAgents: readonly string[] | null;
  /** Each running agent's activity, and the agents whose restart for a change waits (a mark the engine left). */
  activity: ReadonlyMap<string, Activity>;
  waitingRestart: ReadonlySet<string>;
  now: number;
}

export const STATUS_PROPERTIES = [
  'Id', 'ActiveState', 'SubState', 'Result', 'MainPID', 'NRestarts', 'MemoryCurrent', 'CPUUsageNSec', 'UnitFileState', 'ActiveEnterTimestamp', 'NeedDaemonReload',
  // For health: how the last run ended, when this one started, and the start limit it ran under.
  'ExecMainCode', 'ExecMainStatus', 'ExecMainStartTimestamp', 'StartLimitBurst', 'StartLimitIntervalUSec',
];

/** Where the systemd-tracked hierarchy is mounted: cgroup v2 alone, or the hybrid layout's two. */
export const CGROUP_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'];

/**
 * The fleet's status from the engine's `--check --porcelain --status` (this host's or another's,
 * read over Ansible): null when no fleet is installed. The agent runs in its scope,
 * `mosaic-run-NAME-PANE.scope`, not in its unit's cgroup (which holds the supervisor): its pid is
 * the scope's leader, and the scope's memory and CPU are added to the unit's.
 */
export function engineFleetStatus(plan: EnginePlan, roster: { pending: ReadonlySet<string> | null; rosterAgents: readonly string[] | null }, now: number): FleetStatus | null {
  const record = plan.record;
  if (!record) return null;
  const { units, windows: panes, leaders, known, activity, pending } = plan.status;
  const windows = new Map<string, number | null>();
  for (const [name, pane] of panes) {
    const scope = `${AGENT_SCOPE_PREFIX}${name}-${pane}.scope`;
    windows.set(name, leaders.get(scope) ?? null);
    const own = units.get(agentUnit(name));
    const used = units.get(scope);
    if (!own || !used) continue;
    for (const key of ['MemoryCurrent', 'CPUUsageNSec']) {
      const [mine, its] = [Number(own.get(key)), Number(used.get(key))];
      // Not accounted: systemd prints "[not set]" or the all-ones value; fleetStatus reads that as null.
      if (Number.isSafeInteger(its)) own.set(key, String(Number.isSafeInteger(mine) ? mine + its : its));
    }
  }
  const linked = record.links.map((l) => agentOfUnit(l.unit)).filter((a): a is string => a !== undefined);
  return fleetStatus({
    record,
    units,
    windows,
    drifted: new Set(record.files.filter((f) => f.state !== 'ok').map((f) => f.target)),
    knownAgents: [...new Set([...known, ...linked])],
    pending: roster.pending,
    rosterAgents: roster.rosterAgents,
    activity,
    waitingRestart: new Set(pending.keys()),
    now,
  });
}

/** Joins the record, the manager and tmux into one row per agent. Pure. */
export function fleetStatus(inputs: StatusInputs): FleetStatus {
  const { record, units } = inputs;
  const listed = new Set(record.agents.map((a) => a.name));
  const row = (name: string, lifecycle: Lifecycle | null): AgentStatus => {
    const props = units.get(agentUnit(name)) ?? new Map<string, string>();
    const state = props.get('ActiveState') ?? 'inactive';
    const enabled = props.get('UnitFileState') === 'enabled' || props.get('UnitFileState') === 'enabled-runtime';
    const flags: StatusFlag[] = [];
    if (lifecycle === null) flags.push('orphan');
    const files = record.files.filter((f) => f.agent === name || f.target === `${UNIT_DIR}/${AGENT_TEMPLATE_UNIT}`);
    if (files.some((f) => inputs.drifted.has(f.target))) flags.push('drift');
    if (inputs.pending?.has(name)) flags.push('pending');
    if ((lifecycle === 'always-on' && !enabled) || (lifecycle === 'on-demand' && enabled)) flags.push('boot-mismatch');
    // Running a configuration older than the installed one: its unit changed without a reload, or
    // a restart for a change waits for it (update: idle or manual).
    if (state === 'active' && (props.get('NeedDaemonReload') === 'yes' || inputs.waitingRestart.has(name))) flags.push('restart-pending');
    const sub = props.get('SubState');
    const result = props.get('Result');
    const detail = [sub && sub !== state && sub !== 'running' && sub !== 'dead' ? sub : null, result && result !== 'success' ? result : null].filter(Boolean).join(', ') || null;
    const since = Number((props.get('ActiveEnterTimestamp') ?? '').replace(/^@/, ''));
    const restarts = Number(props.get('NRestarts') ?? 0) || 0;
    return {
      name,
      lifecycle,
      enabled,
      state,
      detail,
      pid: inputs.windows.get(name) ?? null,
      uptime: state === 'active' && since > 0 ? Math.max(0, Math.round(inputs.now / 1000 - since)) : null,
      restarts,
      memory: number(props.get('MemoryCurrent')),
      cpu: number(props.get('CPUUsageNSec')),
      window: inputs.windows.has(name),
      activity: state === 'active' ? inputs.activity.get(name) ?? UNKNOWN_ACTIVITY : UNKNOWN_ACTIVITY,
      flags,
      problem: problem(props, lifecycle, restarts, inputs.now),
    };
  };
  const agents = [
    ...record.agents.map((a) => row(a.name, a.lifecycle)),
    ...[...new Set(inputs.knownAgents)].filter((name) => !listed.has(name)).sort().map((name) => row(name, null)),
  ];
  const notInstalled = (inputs.rosterAgents ?? []).filter((name) => !listed.has(name));
  const healthy = notInstalled.length === 0 && agents.every((a) => a.flags.length === 0 && a.problem === null);
  return { healthy, session: record.session, agents, notInstalled };
}

/**
 * What is wrong with one agent's unit, or null. Health must not flap: between two crashes of a
 * looping agent its unit is briefly active again, so an agent systemd restarted (NRestarts, which
 * a start or restart by hand resets) counts as unhealthy until it has run for SETTLE_SECONDS.
 * A failed or looping agent is unhealthy whatever its lifecycle; an always-on one must run.
 */
function problem(props: UnitProps, lifecycle: Lifecycle | null, restarts: number, now: number): string | null {
  const state = props.get('ActiveState') ?? 'inactive';
  const sub = props.get('SubState');
  const last = lastExit(props);
  const count = `${restarts} restart${restarts === 1 ? '' : 's'}`;
  if (state === 'failed') {
    if (restarts > 0) return `failed after ${count} in ${span(props.get('StartLimitIntervalUSec'))}${last ? `, last ${last}` : ''}`;
    const status = Number(props.get('ExecMainStatus'));
    const cannotRun = props.get('ExecMainCode') === '1' && (CANNOT_RUN_STATUSES as readonly number[]).includes(status);
    return `failed${last ? `, ${last}` : ''}${cannotRun ? ` (${status === 127 ? 'command not found' : 'command not executable'}: not retried; see mosaic-gen logs)` : ''}`;
  }
  // Between two crashes the unit is in auto-restart, then activating again: both are the loop.
  if (sub === 'auto-restart' || (state === 'activating' && restarts > 0)) return `crashed, restarting (${count} so far${last ? `, last ${last}` : ''})`;
  const started = Number((props.get('ExecMainStartTimestamp') ?? '').replace(/^@/, ''));
  if (state === 'active' && restarts > 0 && started > 0 && now / 1000 - started < SETTLE_SECONDS) return `restarted by systemd ${Math.max(0, Math.round(now / 1000 - started))}s ago (${count})`;
  if (lifecycle === 'always-on' && state !== 'active') return state === 'inactive' ? 'not running' : state;
  return null;
}

/** How the main process last ended: `exit 3`, or `signal KILL` where systemd saw one. */
function lastExit(props: UnitProps): string | null {
  const code = props.get('ExecMainCode');
  const status = props.get('ExecMainStatus');
  if (!status || code === '0' || code === undefined) return null;
  // 1: exited (CLD_EXITED); 2, 3: killed, dumped core (CLD_KILLED, CLD_DUMPED), status being the signal.
  // The supervisor exits as the shell reports an agent killed by a signal: 128 + its number.
  const signal = Number(status) > 128 ? Object.entries(signals).find(([, n]) => n === Number(status) - 128)?.[0] : undefined;
  if (code === '1') return `exit ${status}${signal ? ` (${signal.replace(/^SIG/, '')})` : ''}`;
  const name = Object.entries(signals).find(([, n]) => String(n) === status)?.[0];
  return `signal ${name ? name.replace(/^SIG/, '') : status}`;
}

/** systemd's span (`10min`, `1h 30min`) as a reader writes it: `10 min`. */
function span(value: string | undefined): string {
  return value ? value.replace(/(\d)([a-zµ])/g, '$1 $2') : 'its window';
}

/** systemd prints "[not set]" or an all-ones value where a cgroup is not accounted. */
function number(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value) || value === '18446744073709551615') return null;
  return Number(value);
}
