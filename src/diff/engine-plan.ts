import type { FileState, InstalledRecord } from '../model/installed-record.js';
import type { Lifecycle } from '../model/roster-input.js';
import { parseActivity, type Activity } from '../model/activity.js';

/**
 * The engine's machine-readable check (`install.sh --check --porcelain`), as data. The engine
 * decides; this only reads what it printed. One record a line, the kind first (README, "Reading
 * the engine's check").
 */
export type FileChangeKind = 'create' | 'update' | 'delete';
export type DriftKind = 'edited' | 'missing' | 'not-a-file' | 'unmanaged';
export interface FileChange {
  change: FileChangeKind;
  target: string;
  mode: string;
  agent: string | null;
  /** Where the new content is in the bundle (null for deletes). */
  source: string | null;
  /** What is at the target now: its sha256, 'absent' or 'foreign'. */
  disk: string;
}

export interface UnitChanges {
  stop: string[];
  disable: string[];
  enable: string[];
  restart: string[];
  /** Changed agents restarted once idle (update: idle): at once if idle when the run gets there. */
  'restart-when-idle': string[];
  /** Changed agents left running (update: manual), restart-pending until restarted by hand. */
  hold: string[];
  start: string[];
}

export interface EnginePlan {
  configHome: string;
  /** The staging root offline, '' on the live host. */
  root: string;
  user: string;
  /** null when nothing is installed (no record). */
  record: InstalledRecord | null;
  /** A run stopped half-way: the next one finishes it. */
  interrupted: boolean;
  agents: { name: string; change: 'added' | 'removed' | 'changed' }[];
  files: FileChange[];
  drift: { target: string; kind: DriftKind }[];
  units: UnitChanges;
  daemonReload: boolean;
  linger: 'on' | 'off' | null;
  /** The ops in the order the engine runs them, and each as the command it amounts to. */
  ops: string[];
  commands: string[];
  counts: { add: number; change: number; destroy: number };
  /** What `--expect=` takes: the engine refuses to act on a host whose plan is another. */
  /** What would stop an agent of the build on this host (a command not found, a missing workdir). */
  warnings: string[];
  digest: string;
  /** With --status: what the engine read of each agent's unit, window and process. */
  status: EngineStatus;
}

/** The `status-*` records: the manager's and tmux's own words, for src/state to judge. */
export interface EngineStatus {
  /** Agent instances the manager has loaded and not inactive, ours or not. */
  known: string[];
  /** Unit (agent instance or agent scope) → property → value, as `systemctl show` gave them. */
  units: Map<string, Map<string, string>>;
  /** Window name → the pid of its pane. */
  windows: Map<string, number>;
  /** Agent scope → its leading process (the agent). */
  leaders: Map<string, number>;
  /** Agent → what its runtime (or its pane) last said it does. */
  activity: Map<string, Activity>;
  /** Agent → why its restart for a change waits ("idle", "manual"). */
  pending: Map<string, string>;
}

export class EnginePlanError extends Error {}

/** Reads a porcelain check; throws EnginePlanError on anything it does not know. */
export function parseEnginePlan(text: string): EnginePlan {
  const plan: EnginePlan = {
    configHome: '',
    root: '',
    user: '',
    record: null,
    interrupted: false,
    agents: [],
    files: [],
    drift: [],
    units: { stop: [], disable: [], enable: [], restart: [], 'restart-when-idle': [], hold: [], start: [] },
    daemonReload: false,
    linger: null,
    ops: [],
    commands: [],
    counts: { add: 0, change: 0, destroy: 0 },
    warnings: [],
    digest: '',
    status: { known: [], units: new Map(), windows: new Map(), leaders: new Map(), activity: new Map(), pending: new Map() },
  };
  const record: InstalledRecord = { session: '', tmux: '', agents: [], files: [], links: [] };
  let installed = false;
  const lines = text.split('\n');
  if (lines[0] !== 'check 1') throw new EnginePlanError(`not a check of this version: ${JSON.stringify(lines[0] ?? '')}`);
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    const f = rest.split(' ');
    switch (kind) {
      case 'config':
        plan.configHome = rest;
        break;
      case 'root':
        plan.root = rest;
        break;
      case 'user':
        plan.user = rest;
        break;
      case 'installed':
        installed = f[0] === 'yes';
        plan.interrupted = f[1] === 'interrupted';
        break;
      case 'session':
        record.session = rest;
        break;
      case 'tmux':
        record.tmux = JSON.parse(`"${rest}"`) as string;
        break;
      case 'installed-agent':
        record.agents.push({ name: f[0]!, lifecycle: f[1] as Lifecycle });
        break;
      case 'file':
        record.files.push({ target: f[0]!, agent: dash(f[1]!), state: f[2] as FileState });
        break;
      case 'link':
        record.links.push({ wantedBy: f[0]!, unit: f[1]!, file: f[2]! });
        break;
      case 'agent':
        plan.agents.push({ name: f[0]!, change: f[1] as 'added' | 'removed' | 'changed' });
        break;
      case 'change':
        plan.files.push({ change: f[0] as FileChangeKind, target: f[1]!, mode: f[2]!, agent: dash(f[3]!), source: dash(f[4]!), disk: f[5]! });
        break;
      case 'drift':
        plan.drift.push({ target: f[0]!, kind: f[1] as DriftKind });
        break;
      case 'unit':
        if (!Object.hasOwn(plan.units, f[0]!)) throw new EnginePlanError(`unknown unit change ${JSON.stringify(f[0])}`);
        plan.units[f[0] as keyof UnitChanges].push(f[1]!);
        break;
      case 'reload':
        plan.daemonReload = true;
        break;
      case 'linger':
        plan.linger = f[0] as 'on' | 'off';
        break;
      case 'op':
        plan.ops.push(rest);
        break;
      case 'run':
        plan.commands.push(rest);
        break;
      case 'summary':
        plan.counts = { add: Number(f[0]), change: Number(f[1]), destroy: Number(f[2]) };
        break;
      case 'warning':
        plan.warnings.push(rest);
        break;
      case 'digest':
        plan.digest = rest;
        break;
      case 'status-known':
        plan.status.known.push(rest);
        break;
      case 'status-unit': {
        const property = f.slice(1).join(' ');
        const units = plan.status.units;
        if (!units.has(f[0]!)) units.set(f[0]!, new Map());
        units.get(f[0]!)!.set(property.slice(0, property.indexOf('=')), property.slice(property.indexOf('=') + 1));
        break;
      }
      case 'status-window':
        plan.status.windows.set(f[0]!, Number(f[1]));
        break;
      case 'status-leader':
        plan.status.leaders.set(f[0]!, Number(f[1]));
        break;
      case 'status-activity':
        plan.status.activity.set(f[0]!, parseActivity(f.slice(1).join(' ')));
        break;
      case 'status-pending':
        plan.status.pending.set(f[0]!, f[1] ?? 'idle');
        break;
      default:
        throw new EnginePlanError(`unknown record ${JSON.stringify(kind)}`);
    }
  }
  if (!plan.digest || !plan.configHome) throw new EnginePlanError('the check ended early');
  if (installed) plan.record = record;
  return plan;
}

function dash(value: string): string | null {
  return value === '-' ? null : value;
}
