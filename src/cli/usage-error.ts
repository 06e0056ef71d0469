import type { Command, CommanderError } from 'commander';
import { commandError, type Diagnostic } from '../errors.js';
import { didYouMean } from '../text/did-you-mean.js';

/**
 * A mistake on the command line, as commander found it, in the format of every other error:
 * `mosaic-gen[ COMMAND]: error[USAGE]: …` with a hint, and a did-you-mean where there was a
 * choice. Commander's own text is read only for the words the user gave (its error carries no
 * fields for them); the choices and names come from the command itself.
 */
export function usageDiagnostic(error: CommanderError, command: Command): Diagnostic {
  const subject = command.parent ? `mosaic-gen ${command.name()}` : 'mosaic-gen';
  const help = `see \`${subject} --help\``;
  const text = error.message.replace(/^error: /, '').split('\n')[0]!;
  const quoted = (pattern: RegExp) => pattern.exec(text)?.[1] ?? '';
  const suggest = (word: string, candidates: readonly string[], fallback: string) => {
    const match = didYouMean(word, candidates);
    return match === undefined ? fallback : `did you mean '${match}'?`;
  };
  switch (error.code) {
    case 'commander.unknownCommand': {
      const word = quoted(/unknown command '(.*)'/);
      const names = command.commands.map((c) => c.name());
      return commandError(subject, 'USAGE', `unknown command '${word}'`, suggest(word, names, `the commands are: ${names.join(', ')}`));
    }
    case 'commander.unknownOption': {
      const word = quoted(/unknown option '(.*)'/);
      const flags = [...command.options, ...(command.parent?.options ?? [])].flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
      return commandError(subject, 'USAGE', `unknown option '${word}'`, suggest(word, flags, help));
    }
    case 'commander.invalidArgument': {
      // "option '-p, --profile <profile>' argument 'codng' is invalid…", "command-argument value 'fsh' is invalid for argument 'shell'…"
      const given = quoted(/'([^']*)' is invalid/);
      const option = command.options.find((o) => text.startsWith(`option '${o.flags}'`));
      const argument = (command.registeredArguments ?? []).find((a) => text.includes(`for argument '${a.name()}'`));
      const choices = option?.argChoices ?? argument?.argChoices;
      const what = option ? `${option.long ?? option.short}` : argument ? `<${argument.name()}>` : 'a value';
      if (choices) return commandError(subject, 'USAGE', `${what} is '${given}'; it must be one of: ${choices.join(', ')}`, suggest(given, choices, `allowed values: ${choices.join(', ')}`));
      return commandError(subject, 'USAGE', text, help);
    }
    default:
      return commandError(subject, 'USAGE', text.replace(/\.$/, ''), help);
  }
}
