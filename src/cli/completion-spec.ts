import type { Argument, Command, Option } from 'commander';
import { PROFILES } from '../model/roster-input.js';

/**
 * What the word at the cursor can be: fixed words, a file, a directory, an agent of the roster
 * (asked of mosaic-gen itself when completing), or nothing we can offer.
 */
export type ValueKind = { words: readonly string[] } | 'files' | 'dirs' | 'agents';

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** One per positional argument; a variadic last argument repeats. */
  args: Array<ValueKind | null>;
  variadic: boolean;
}

export interface OptionSpec {
  names: string[];
  description: string;
  /** What its value is; undefined for a flag that takes none, null for a value we cannot offer. */
  value: ValueKind | null | undefined;
}

export interface CompletionSpec {
  program: string;
  commands: CommandSpec[];
  options: OptionSpec[];
}

/**
 * The completion of a program, read from its commander definitions, so that a new command or
 * option completes without more code. A value is completed by its choices when it has some,
 * else by the name of its placeholder: `<agent>` an agent of the roster, `<profile>` a preset,
 * `<file>` and `[roster]` a file, `<dir>` a directory, `[command]` a command.
 */
export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  const commands = help.visibleCommands(program);
  const commandNames = commands.map((c) => c.name());
  const kindOf = (placeholder: string, choices: readonly string[] | undefined): ValueKind | null => {
    if (choices && choices.length > 0) return { words: choices };
    switch (placeholder) {
      case 'agent':
        return 'agents';
      case 'profile':
        return { words: PROFILES };
      case 'file':
      case 'roster':
        return 'files';
      case 'dir':
        return 'dirs';
      case 'command':
        return { words: commandNames };
      default:
        return null;
    }
  };
  const optionSpec = (option: Option): OptionSpec => {
    const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
    return {
      names: [option.short, option.long].filter((n): n is string => typeof n === 'string'),
      description: option.description,
      // An optional value (`--watch [seconds]`) is taken only when given: read as a flag.
      value: placeholder === undefined || !option.required ? undefined : kindOf(placeholder, option.argChoices),
    };
  };
  return {
    program: program.name(),
    options: help.visibleOptions(program).map(optionSpec),
    commands: commands.map((command) => ({
      name: command.name(),
      description: help.subcommandDescription(command),
      options: help.visibleOptions(command).map(optionSpec),
      args: command.registeredArguments.map((a: Argument) => kindOf(a.name(), a.argChoices)),
      variadic: command.registeredArguments.at(-1)?.variadic ?? false,
    })),
  };
}
