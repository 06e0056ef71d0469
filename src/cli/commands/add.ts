import type { Command } from 'commander';
import { addAgent, type NewAgent } from '../../author/add-agent.js';
import { commandError } from '../../errors.js';
import { CLASSES, LIFECYCLES, type AgentClass, type Lifecycle } from '../../model/roster-input.js';
import { editRosterFile, type EditOptions } from '../edit-roster-file.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';

interface AddOptions extends EditOptions {
  runtime?: string;
  role?: string;
  class?: AgentClass;
  lifecycle?: Lifecycle;
  workdir?: string;
  env: string[];
  host?: string;
}

export function registerAdd(program: Command, io: CliIO, exit: (code: number) => void): void {
  // createOption, not `new Option`: this module is loaded on demand and carries no copy of commander.
  const command = program.command('add');
  command
    .description('add an agent to the roster, keeping its comments and layout')
    .argument('<name>', 'agent name: lowercase letters, digits and -, starting with a letter')
    .option('--runtime <runtime>', "claude, codex, pi, opencode or one defined under runtimes: (a new agent needs one; a preset's agent has its own)")
    .option('--role <role>', 'orchestrator, enhancer, coder, code-review, security-review, research, board, operations, …')
    .addOption(command.createOption('--class <class>', 'orchestrator or worker (follows from the role)').choices(CLASSES))
    .addOption(command.createOption('--lifecycle <lifecycle>', 'always-on or on-demand').choices(LIFECYCLES))
    .option('--workdir <dir>', 'working directory: absolute or ~/…')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the agent (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--host <name>', "with hosts: in the roster, the host the agent runs on (for a preset's agent: where to place it)")
    .option('--roster <file>', 'roster to edit', 'roster.yaml')
    .option('--dry-run', 'print the change as a diff; do not write')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  mosaic-gen add coder2 --runtime codex --role coder --lifecycle on-demand\n  mosaic-gen add ops --runtime opencode --role operations --env TZ=UTC --workdir ~/ops --roster fleets/prod.yaml\n  mosaic-gen add coder3 --runtime codex --role coder --host build2\n  mosaic-gen add orchestrator --host build1   # place a preset\'s agent')
    .action(async (name: string, options: AddOptions) => {
      const env = notUtf8(name, options) ?? parseEnv(options.env);
      if (typeof env === 'string') {
        printDiagnostics(io, [commandError('mosaic-gen add', 'USAGE', env, env.includes('UTF-8') ? 'pass text in UTF-8' : 'write --env KEY=VALUE, once per variable')], new Map());
        exit(EXIT.ERROR);
        return;
      }
      const agent: NewAgent = {
        name,
        ...(options.runtime !== undefined ? { runtime: options.runtime } : {}),
        ...(options.role !== undefined ? { role: options.role } : {}),
        ...(options.class !== undefined ? { class: options.class } : {}),
        ...(options.lifecycle !== undefined ? { lifecycle: options.lifecycle } : {}),
        ...(options.workdir !== undefined ? { workdir: options.workdir } : {}),
        ...(Object.keys(env).length > 0 ? { env } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
      };
      exit(await editRosterFile(io, options, (text, file) => addAgent(text, file, agent)));
    });
}

/**
 * Node decodes the command line as UTF-8 and turns each invalid byte into U+FFFD: a value holding
 * one was not what the user typed, and would be written into the roster silently changed.
 */
function notUtf8(name: string, options: AddOptions): string | undefined {
  const given: Array<[string, string | undefined]> = [['the name', name], ['--runtime', options.runtime], ['--role', options.role], ['--workdir', options.workdir], ...options.env.map((e): [string, string] => ['--env', e])];
  const bad = given.find(([, value]) => value?.includes('\uFFFD'));
  return bad ? `${bad[0]} '${bad[1]}' is not valid UTF-8 (or holds U+FFFD, the mark of a byte that is not)` : undefined;
}

/** `KEY=VALUE` pairs; the value may itself contain `=`. A message string when one is malformed. */
function parseEnv(pairs: readonly string[]): Record<string, string> | string {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return `--env '${pair}' is not KEY=VALUE`;
    const key = pair.slice(0, equals);
    if (Object.hasOwn(env, key)) return `--env ${key} is given twice`;
    env[key] = pair.slice(equals + 1);
  }
  return env;
}
