import type { Agent } from './fleet.js';

/**
 * What an agent's launch script needs of the host before it execs the agent: the command word
 * (looked up on PATH unless it holds a `/`), the directories the script puts before the PATH it
 * inherits from the user manager, and the workdir it changes to. The launch script is rendered
 * from this, and a check that the runtime is installed (plan, `install.sh --check`) reads the
 * same, so the two cannot disagree.
 */
export interface RuntimeCommand {
  agent: string;
  /** The program, as the launch script execs it. */
  word: string;
  /** Prepended to the inherited PATH, in order; entries keep a leading `~/` (the home directory). */
  path: readonly string[];
  /** Absolute or `~`-relative. */
  workdir: string;
}

/** Pure. `path` is the fleet's (or, in a fleet across hosts, the agent's host's) `path:`. */
export function runtimeCommand(agent: Agent, path: readonly string[]): RuntimeCommand {
  return { agent: agent.name, word: agent.command[0]!, path, workdir: agent.workdir };
}
