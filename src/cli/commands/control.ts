import type { Command } from 'commander';
import { commandError } from '../../errors.js';
import { userSystemctl } from '../../host/run-command.js';
import { FLEET_TARGET, agentUnit } from '../../model/artifact.js';
import { agentOf, readInstalledFleet, type InstalledFleet } from '../installed-fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { forgetSession } from '../../state/agent-activity.js';

type Verb = 'start' | 'stop' | 'restart';

const DESCRIPTION: Record<Verb, string> = {
  start: 'start agents of the installed fleet (an on-demand one runs until stopped); a failed one is reset first',
  stop: 'stop agents of the installed fleet, and every process of their scopes',
  restart: 'restart agents of the installed fleet, each in a new scope; a failed one is reset first',
};

const ALL: Record<Verb, string> = {
  start: `the fleet target (${FLEET_TARGET}): the tmux server and every always-on agent`,
  stop: `the fleet target (${FLEET_TARGET}): every agent and the tmux server`,
  restart: 'every always-on agent, and every on-demand one that is running',
};

/** What the manager says of an agent's unit: enough to say what a verb did to it. */
interface UnitState {
  active: string;
  restarts: number;
}

/**
 * start/stop/restart NAME… or --all: systemctl --user on the agents' units, for agents the
 * installed fleet lists (the same error as attach and logs otherwise), one line per agent saying
 * what happened. Either lifecycle: stopping an always-on agent is the operator's call, and status
 * flags it until it runs again. A failed agent (its start limit hit, or a command that cannot
 * run) is reset before start and restart (`reset-failed`), as systemd would otherwise refuse the
 * start, or count it against the limit of the last loop.
 */
function registerControl(verb: Verb) {
  return (program: Command, io: CliIO, exit: (code: number) => void): void => {
    const command = program
      .command(verb)
      .description(DESCRIPTION[verb])
      .argument('[agent...]', 'agent names')
      .option('-a, --all', ALL[verb]);
    // A restarted agent resumes its last session where its runtime can; --fresh starts a new one.
    if (verb === 'restart') command.option('--fresh', 'start a new session instead of resuming the last one (forgets the recorded session)');
    command
      .addHelpText('after', `\nExamples:\n  mosaic-gen ${verb} coder0\n  mosaic-gen ${verb} coder0 coder1\n  mosaic-gen ${verb} --all${verb === 'restart' ? `\n  mosaic-gen restart coder0 --fresh` : ''}`)
      .action(async (names: string[], options: { all?: boolean; fresh?: boolean }) => {
        if ((names.length === 0) === !options.all) {
          printDiagnostics(io, [commandError(`mosaic-gen ${verb}`, 'USAGE', names.length === 0 ? 'name the agents, or give --all' : 'give agent names or --all, not both', `mosaic-gen ${verb} NAME… or mosaic-gen ${verb} --all`)], new Map());
          return exit(EXIT.ERROR);
        }
        const fleet = await readInstalledFleet(io, verb);
        if (!fleet) return exit(EXIT.ERROR);
        const agents = options.all ? fleet.record.agents.map((a) => a.name) : [...new Set(names)];
        if (!agents.every((name) => agentOf(io, fleet, name))) return exit(EXIT.ERROR);
        if (options.fresh) for (const name of agents) forgetSession(io.env, io.env.HOME ?? '', name);
        const before = await unitStates(fleet, agents);
        const failed: string[] = [];
        const systemctl = async (...args: string[]) => {
          const done = await userSystemctl(fleet.runner, ...args);
          if (done.code !== 0) failed.push(done.stderr.trim() || `systemctl --user ${args.join(' ')}: exit ${done.code}`);
          return done.code === 0;
        };
        if (verb !== 'stop') {
          const reset = agents.filter((name) => before.get(name)?.active === 'failed').map(agentUnit);
          if (reset.length > 0) await systemctl('reset-failed', '--', ...reset);
        }
        const alwaysOn = (name: string) => fleet.record.agents.find((a) => a.name === name)!.lifecycle === 'always-on';
        // --all: start and stop go through the fleet target (the tmux server with the agents), and
        // name the agents too, for systemctl to wait for each agent's job, not only the target's.
        const acted = !options.all ? agents : verb === 'stop' ? agents : agents.filter((name) => alwaysOn(name) || (verb === 'restart' && before.get(name)?.active === 'active'));
        const units = [...(options.all && verb !== 'restart' ? [FLEET_TARGET] : []), ...acted.map(agentUnit)];
        // One call for all: systemd runs the jobs side by side, and waits for them all.
        if (units.length > 0) await systemctl(verb, '--', ...units);
        const after = await unitStates(fleet, agents);
        for (const name of agents) io.stdout(`${name}: ${report(verb, before.get(name), after.get(name), acted.includes(name))}\n`);
        if (failed.length > 0) {
          printDiagnostics(io, [commandError('systemctl --user', 'UNIT', `cannot ${verb} ${failed.join('; ')}`, `see mosaic-gen status, and mosaic-gen logs NAME`)], new Map());
          return exit(EXIT.ERROR);
        }
        return exit(agents.some((name) => after.get(name)?.active === 'failed') ? EXIT.ERROR : EXIT.OK);
      });
  };
}

async function unitStates(fleet: InstalledFleet, agents: readonly string[]): Promise<Map<string, UnitState>> {
  const shown = await userSystemctl(fleet.runner, 'show', '--property=Id,ActiveState,NRestarts', '--', ...agents.map(agentUnit));
  const states = new Map<string, UnitState>();
  for (const block of shown.stdout.split(/\n\n+/)) {
    const props = new Map(block.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
    const name = agents.find((a) => agentUnit(a) === props.get('Id'));
    if (name) states.set(name, { active: props.get('ActiveState') ?? 'unknown', restarts: Number(props.get('NRestarts') ?? 0) || 0 });
  }
  return states;
}

/** One agent's line: what the verb did, from the unit's state before and after. */
function report(verb: Verb, before: UnitState | undefined, after: UnitState | undefined, acted: boolean): string {
  const was = before?.active ?? 'unknown';
  const now = after?.active ?? 'unknown';
  const reset = was === 'failed' && verb !== 'stop' ? ' (was failed: reset)' : '';
  if (now === 'failed') return `failed to ${verb}: it is failed (see mosaic-gen logs)`;
  if (verb === 'stop') return was === 'active' || was === 'activating' || was === 'reloading' ? (now === 'inactive' ? 'stopped' : now) : `not running (${was})`;
  if (!acted) return `not started (${now}): on-demand, started by name only`;
  const running = now === 'active' || now === 'activating';
  if (verb === 'start') return !running ? `not started (${now})` : was === 'active' ? 'already running' : `started${reset}`;
  return running ? (was === 'active' ? 'restarted' : reset ? `started${reset}` : `started (was ${was})`) : `not running (${now})`;
}

export const registerStart = registerControl('start');
export const registerStop = registerControl('stop');
export const registerRestart = registerControl('restart');
