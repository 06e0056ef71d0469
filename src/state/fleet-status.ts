import { AGENT_TEMPLATE_UNIT, UNIT_DIR, agentUnit } from '../model/artifact.js';
import type { InstalledRecord } from '../model/installed-record.js';
import type { Lifecycle } from '../model/roster-input.js';

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
  flags: StatusFlag[];
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
  now: number;
}

export const STATUS_PROPERTIES = ['Id', 'ActiveState', 'SubState', 'Result', 'MainPID', 'NRestarts', 'MemoryCurrent', 'CPUUsageNSec', 'UnitFileState', 'ActiveEnterTimestamp', 'NeedDaemonReload'];

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
    if (state === 'active' && props.get('NeedDaemonReload') === 'yes') flags.push('restart-pending');
    const sub = props.get('SubState');
    const result = props.get('Result');
    const detail = [sub && sub !== state && sub !== 'running' && sub !== 'dead' ? sub : null, result && result !== 'success' ? result : null].filter(Boolean).join(', ') || null;
    const since = Number((props.get('ActiveEnterTimestamp') ?? '').replace(/^@/, ''));
    return {
      name,
      lifecycle,
      enabled,
      state,
      detail,
      pid: inputs.windows.get(name) ?? null,
      uptime: state === 'active' && since > 0 ? Math.max(0, Math.round(inputs.now / 1000 - since)) : null,
      restarts: Number(props.get('NRestarts') ?? 0) || 0,
      memory: number(props.get('MemoryCurrent')),
      cpu: number(props.get('CPUUsageNSec')),
      window: inputs.windows.has(name),
      flags,
    };
  };
  const agents = [
    ...record.agents.map((a) => row(a.name, a.lifecycle)),
    ...[...new Set(inputs.knownAgents)].filter((name) => !listed.has(name)).sort().map((name) => row(name, null)),
  ];
  const notInstalled = (inputs.rosterAgents ?? []).filter((name) => !listed.has(name));
  const healthy = notInstalled.length === 0 && agents.every((a) => a.flags.length === 0 && (a.lifecycle !== 'always-on' || a.state === 'active'));
  return { healthy, session: record.session, agents, notInstalled };
}

/** systemd prints "[not set]" or an all-ones value where a cgroup is not accounted. */
function number(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value) || value === '18446744073709551615') return null;
  return Number(value);
}
