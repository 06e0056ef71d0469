/**
 * The crash-loop policy of an agent, in systemd's own keys (systemd 252: StartLimitIntervalSec=
 * and StartLimitBurst= in [Unit], RestartSec= and RestartPreventExitStatus= in [Service]).
 * An agent that keeps failing is started at most `limit` times within `window`, `delay` apart;
 * then systemd leaves its unit failed until someone starts it again.
 */

/** `restart:` as the roster spells it (fleet-wide, or per agent over the fleet's). */
export interface RestartInput {
  limit?: number;
  window?: string | number;
  delay?: string | number;
}

/** Resolved: a count, and two time spans in systemd's syntax without spaces (`10min`, `1h30min`). */
export interface RestartPolicy {
  limit: number;
  window: string;
  delay: string;
}

/**
 * Suited to an AI agent: a runtime that crashes five times in ten minutes is broken (a bad key,
 * a model outage), and retrying faster only burns quota; five seconds lets a rate limit pass.
 */
export const DEFAULT_RESTART: RestartPolicy = { limit: 5, window: '10min', delay: '5s' };

/**
 * Exit statuses that mean the agent cannot run at all, never retried: 126 (the command is not
 * executable) and 127 (not found), as POSIX shells report them.
 */
export const CANNOT_RUN_STATUSES = [126, 127] as const;

/** How long after a restart by systemd an active agent still counts as unhealthy. */
export const SETTLE_SECONDS = 60;
