/**
 * What an agent is doing, and what follows from it: the activity its runtime reports, the
 * session it can resume, and when a change of its configuration may restart it. Said once here
 * for the templates (reporter, supervisor, launch script), the engine and the CLI.
 *
 * The fleet's runtime directory, $XDG_RUNTIME_DIR/mosaic-fleet/SESSION/ (0700: the supervisor
 * makes it), holds per agent, under agents/:
 *   NAME            "STATE SINCE SOURCE": working|idle|blocked|unknown, epoch seconds, hooks|silence
 *   NAME.pending    a restart waits for the agent to turn idle ("idle"), or for a person ("manual")
 *   NAME.queue.*    messages to type when it next turns idle (send --queue), oldest name first
 * and last-restart, the time of the fleet's latest restart for a change (restarts are spaced).
 * The latest session id of each agent outlives reboots: $XDG_STATE_HOME/mosaic/NAME.session.
 */

export const ACTIVITY_STATES = ['working', 'idle', 'blocked', 'unknown'] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];
export type ActivitySource = 'hooks' | 'silence';

/** What an agent does, since when (epoch seconds), and who said so; unknown when nothing did. */
export interface Activity {
  state: ActivityState;
  since: number | null;
  source: ActivitySource | null;
}

export const UNKNOWN_ACTIVITY: Activity = { state: 'unknown', since: null, source: null };

/** An activity file's line, "STATE SINCE SOURCE", as the reporter and the supervisor write it. */
export function parseActivity(text: string): Activity {
  const [state, since, source] = text.trim().split(' ');
  if (!(ACTIVITY_STATES as readonly string[]).includes(state ?? '')) return UNKNOWN_ACTIVITY;
  return { state: state as ActivityState, since: /^\d+$/.test(since ?? '') ? Number(since) : null, source: source === 'hooks' || source === 'silence' ? source : null };
}

export const UPDATE_POLICIES = ['idle', 'now', 'manual'] as const;
export type UpdatePolicy = (typeof UPDATE_POLICIES)[number];

/** How an agent's runtime tells the reporter what it does. */
export type ActivityWiring =
  /** Words added to its command line (hooks set per process); the runtime runs the reporter. */
  | { kind: 'hooks'; words: readonly string[] }
  /** No hooks: the supervisor reads the pane, idle after this many seconds without output. */
  | { kind: 'silence'; seconds: number }
  /** Neither: activity is unknown, and a change restarts the agent at once. */
  | { kind: 'none' };

/** Placeholders in a runtime's words: the reporter's path and the session to resume. */
export const REPORT_PLACEHOLDER = '{report}';
export const SESSION_PLACEHOLDER = '{session}';

/** Idle after this much pane silence, where a runtime has no hooks and its roster entry says no other. */
export const DEFAULT_SILENCE_SECONDS = 15;
export const SILENCE_BOUNDS = { min: 1, max: 86_400 } as const;

/** Restarts for a change are this many seconds apart: a fleet restarted together comes back in turn. */
export const DEFAULT_RESTART_GAP = 3;
export const RESTART_GAP_MAX = 600;

/** The runtime directory of a fleet, below $XDG_RUNTIME_DIR, and its agents' files there. */
export const RUNTIME_DIR = 'mosaic-fleet';
export const ACTIVITY_SUBDIR = 'agents';
export const PENDING_SUFFIX = '.pending';
export const QUEUE_INFIX = '.queue.';
export const LAST_RESTART = 'last-restart';
/** The latest session of an agent, beside its transcript ($XDG_STATE_HOME/mosaic/). */
export const SESSION_SUFFIX = '.session';

/** A session id the reporter records: what runtimes print (uuids, ULIDs), and nothing a shell reads twice. */
export const SESSION_ID_ERE = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

/** How long `send --verify` waits for the agent to take the message. */
export const VERIFY_SECONDS = 5;

/** A runtime's `report:` as the roster spells it: one key of the three (a rule checks that). */
export interface ReportInput {
  hooks?: 'claude' | 'codex';
  args?: string[];
  silence?: number;
}

/** The reporter as a hook command runs it: through the shell the runtime starts hooks with. */
function hook(state: ActivityState | 'session'): string {
  return `sh "$MOSAIC_REPORT" ${state}`;
}

/**
 * Claude Code: hooks for one process through `--settings` (a JSON string). SessionStart brings
 * the session id on stdin (on start, resume, /clear and compaction: the latest wins); a prompt
 * or a tool use is work; Stop ends a turn; a permission prompt waits for a person.
 */
function claudeSettings(): string {
  const on = (state: ActivityState | 'session', matcher?: string) => ({ ...(matcher ? { matcher } : {}), hooks: [{ type: 'command', command: hook(state) }] });
  return JSON.stringify({
    hooks: {
      SessionStart: [on('session')],
      UserPromptSubmit: [on('working')],
      PreToolUse: [on('working', '*')],
      Stop: [on('idle')],
      Notification: [on('blocked', 'permission_prompt'), on('idle', 'idle_prompt')],
    },
  });
}

/**
 * Codex: per-run config overrides (`-c key=TOML`): its hooks (the shape of Claude Code's) and
 * `notify`, which runs a program with a JSON argument when a turn completes.
 */
function codexOverrides(): string[] {
  const table = (state: ActivityState | 'session') => `[{hooks=[{type="command",command=${JSON.stringify(hook(state))}}]}]`;
  return [
    '-c', `hooks.SessionStart=${table('session')}`,
    '-c', `hooks.UserPromptSubmit=${table('working')}`,
    '-c', `hooks.PreToolUse=${table('working')}`,
    '-c', `hooks.Stop=${table('idle')}`,
    '-c', `notify=["sh","-c",${JSON.stringify(`${hook('idle')} </dev/null`)},"mosaic-notify"]`,
  ];
}

/** Each built-in runtime's activity wiring and resume words. */
export const BUILTIN_WIRING: Readonly<Record<string, { report: ActivityWiring; resume: readonly string[] }>> = {
  claude: { report: { kind: 'hooks', words: ['--settings', claudeSettings()] }, resume: ['--resume', SESSION_PLACEHOLDER] },
  codex: { report: { kind: 'hooks', words: codexOverrides() }, resume: ['resume', SESSION_PLACEHOLDER] },
  opencode: { report: { kind: 'silence', seconds: DEFAULT_SILENCE_SECONDS }, resume: ['--session', SESSION_PLACEHOLDER] },
  pi: { report: { kind: 'silence', seconds: DEFAULT_SILENCE_SECONDS }, resume: ['--session', SESSION_PLACEHOLDER] },
};

/** A runtime's `report:` as wiring (values already checked by the rules). */
export function reportWiring(report: ReportInput | undefined): ActivityWiring {
  if (report === undefined) return { kind: 'none' };
  if (report.hooks !== undefined) return BUILTIN_WIRING[report.hooks]!.report;
  if (report.silence !== undefined) return { kind: 'silence', seconds: report.silence };
  return { kind: 'hooks', words: report.args ?? [] };
}
