/** The normalized fleet: every default applied, every invariant checked. What render consumes. */
import type { Limits } from './limits.js';
import type { RestartPolicy } from './restart.js';
import type { TranscriptPolicy } from './transcript.js';
import type { ActivityWiring, UpdatePolicy } from './activity.js';
import type { AgentClass, Lifecycle, Profile } from './roster-input.js';

export interface Fleet {
  /** The roster file as named on the command line (for generated-file headers). */
  roster: string;
  profile: Profile | null;
  session: string;
  linger: boolean;
  /** Directories prepended to every agent's PATH. Paths keep a leading `~/` for the target syntax to expand. */
  path: readonly string[];
  tmux: string;
  /** fleet.limits, as properties of the fleet slice. */
  limits: Limits;
  /** fleet.restart over the defaults: the template unit's crash-loop policy. */
  restart: RestartPolicy;
  /** fleet.transcript over the defaults. */
  transcript: TranscriptPolicy;
  /** Seconds between two restarts for a change. */
  restartGap: number;
  agents: readonly Agent[];
  /** The roster's `hosts:` in roster order, each with the fleet settings it overrides applied; empty without `hosts:`. */
  hosts: readonly FleetHost[];
}

/** A host of a multi-host fleet: its name (the inventory hostname) and its effective settings. */
export interface FleetHost {
  name: string;
  linger: boolean;
  path: readonly string[];
  tmux: string;
}

export interface Agent {
  name: string;
  role: string | null;
  class: AgentClass;
  lifecycle: Lifecycle;
  runtime: string;
  /** Program and arguments: the runtime's command followed by the agent's args. */
  command: readonly string[];
  /** The agent's own arguments: the tail of command. */
  args: readonly string[];
  /** Absolute or `~`-relative. */
  workdir: string;
  /** Fleet env, then runtime env, then the agent's own; sorted by key. */
  env: ReadonlyArray<readonly [key: string, value: string]>;
  envFiles: readonly string[];
  /** The host it runs on; null in a roster without `hosts:`. */
  host: string | null;
  /** k for NAME-k, an instance of a pool (`replicas:`), given to it as MOSAIC_REPLICA; null for an agent that is not in a pool. */
  replica: number | null;
  /** The agent's limits, as properties of its scope. */
  limits: Limits;
  /** Its `restart:` over the fleet's. */
  restart: RestartPolicy;
  /** Its `transcript:` over the fleet's. */
  transcript: TranscriptPolicy;
  /** How its runtime reports what it does. */
  activity: ActivityWiring;
  /** The runtime's words that resume a session ({session}); empty: every start is a new session. */
  resume: readonly string[];
  /** When a change restarts it. */
  update: UpdatePolicy;
}
