import type { LimitKey } from './limits.js';
import type { RestartInput } from './restart.js';
import type { TranscriptInput } from './transcript.js';
import type { ReportInput, UpdatePolicy } from './activity.js';

/** A roster as the schema accepts it: before preset merge and defaults. Mirrors schemas/roster.schema.json. */

export const PROFILES = ['general', 'coding', 'research', 'minimal'] as const;
export type Profile = (typeof PROFILES)[number];

export const CLASSES = ['orchestrator', 'worker'] as const;
export type AgentClass = (typeof CLASSES)[number];

export const LIFECYCLES = ['always-on', 'on-demand'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export const ROLE_LIBRARY = ['orchestrator', 'enhancer', 'coder', 'code-review', 'security-review', 'research', 'board', 'operations'] as const;

/**
 * A command word or env value as written: the schema accepts numbers and booleans there, and
 * validation hands them over in their spelling (`0700` stays `0700`, `1e3` stays `1e3`).
 */
export type Scalar = string;
export type EnvInput = Record<string, Scalar>;

/** `limits:` as spelt (see model/limits.ts): sizes, percentages, counts, `infinity`. */
export type LimitsInput = Partial<Record<LimitKey, Scalar>>;

export interface FleetInput {
  session?: string;
  /** With hosts: where every agent without `host:` runs. */
  host?: string;
  linger?: boolean;
  path?: string[];
  env?: EnvInput;
  tmux?: string;
  limits?: LimitsInput;
  restart?: RestartInput;
  transcript?: TranscriptInput;
  update?: UpdatePolicy;
  resume?: boolean;
  /** Seconds between two restarts for a change. */
  restartGap?: number;
}

/** Per-host overrides of fleet settings; the session (the fleet's name) stays fleet-wide. */
export interface HostInput {
  /** The default host (as fleet.host): at most one. */
  default?: boolean;
  linger?: boolean;
  path?: string[];
  env?: EnvInput;
  tmux?: string;
}

export interface RuntimeInput {
  command: Scalar[];
  env?: EnvInput;
  report?: ReportInput;
  /** Words that resume a session, with {session}. */
  resume?: Scalar[];
}

export interface AgentInput {
  name: string;
  runtime?: string;
  class?: AgentClass;
  role?: string;
  lifecycle?: Lifecycle;
  workdir?: string;
  args?: Scalar[];
  env?: EnvInput;
  envFiles?: string[];
  /** One host, or for a pool the hosts its instances take in turn. */
  host?: string | string[];
  limits?: LimitsInput;
  /** A pool of this many agents NAME-1 … NAME-N. */
  replicas?: number;
  restart?: RestartInput;
  transcript?: TranscriptInput;
  update?: UpdatePolicy;
  resume?: boolean;
}

export interface RosterInput {
  $schema?: string;
  version: 1;
  profile?: Profile;
  transport?: 'tmux';
  fleet?: FleetInput;
  hosts?: Record<string, HostInput>;
  runtimes?: Record<string, RuntimeInput>;
  omit?: string[];
  agents: AgentInput[];
}
