/**
 * Every value that reaches a generated file passes through exactly one of these, chosen by the
 * syntax it lands in. Templates never print a raw value. A value a syntax cannot carry throws
 * UnrepresentableError (resolve rejects such values first, with a position; this is the backstop,
 * and it refuses by the same rules, model/value-rules, so that the two cannot disagree).
 */
import { breach, type ValueKind } from '../model/value-rules.js';

export class UnrepresentableError extends Error {
  constructor(readonly syntax: string, readonly value: string, reason: string) {
    super(`${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)} cannot be written as ${syntax}: ${reason}`);
    this.name = 'UnrepresentableError';
  }
}

/** Throws when the value breaks a rule of its kind. */
function refuse(syntax: string, kind: ValueKind, value: string): void {
  const what = breach(kind, value);
  if (what !== undefined) throw new UnrepresentableError(syntax, value, `it contains ${what}`);
}

/** One POSIX sh word: single quotes keep every character literal; a quote is closed, escaped, reopened. */
export function shWord(value: string): string {
  refuse('a shell word', 'cString', value);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * One POSIX sh word in which placeholders stand for variables the script has at run time
 * (`{session}` → "$MOSAIC_SESSION"): each literal part single-quoted, each variable double-quoted,
 * so the word stays one word whatever either holds.
 */
export function shWordWith(value: string, variables: Readonly<Record<string, string>>): string {
  refuse('a shell word', 'cString', value);
  const names = Object.keys(variables);
  if (names.length === 0) return shWord(value);
  const parts = value.split(new RegExp(`(${names.map((n) => n.replace(/[{}]/g, '\\$&')).join('|')})`));
  const out = parts.filter((part) => part !== '').map((part) => (part in variables ? `"$${variables[part]}"` : shWord(part)));
  return out.length === 0 ? "''" : out.join('');
}

/** A host path in sh: `~` and `~/…` become "$HOME"…, the rest is one literal word. */
export function shPath(value: string): string {
  if (value === '~') return '"$HOME"';
  if (value.startsWith('~/')) {
    const rest = value.slice(2);
    return rest === '' ? '"$HOME"/' : `"$HOME"/${shWord(rest)}`;
  }
  return shWord(value);
}

/**
 * One word of a systemd ExecStart= line. Double quotes group the word; inside them systemd reads
 * C escapes. `%` starts a specifier even inside quotes, so it is doubled; `$` starts a variable
 * reference, so it is doubled too.
 */
export function execWord(value: string): string {
  refuse('an ExecStart word', 'cString', value);
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '%') out += '%%';
    else if (char === '$') out += '$$';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * The executable, the first word of an ExecStart= line. systemd 252 reads it differently from the
 * other words: `%` specifiers are expanded (so `%` is doubled) but `$` is not (so `$$` would stay
 * two characters), and it refuses a control character, a quote or a backslash in it ("Executable
 * name contains special characters") and a trailing `/` (a directory). Double quotes keep blanks.
 */
export function execPath(value: string): string {
  refuse('an ExecStart executable', 'executable', value);
  return `"${value.replaceAll('%', '%%')}"`;
}

/**
 * A value in an env file that both systemd's EnvironmentFile= and POSIX sh (`set -a; . file`) read
 * to the same bytes: inside double quotes both turn \\ \" \` \$ into the character and keep every
 * other character, newlines and carriage returns included, as written (checked on systemd 252 and
 * dash). An unescaped backslash before a newline would join lines in both; escaping prevents it.
 */
export function envValue(value: string): string {
  refuse('an env file value', 'cString', value);
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/**
 * A path on one EnvironmentFile= line: `~` becomes %h, `%` is doubled, and because systemd expands
 * the path as a glob(3) pattern when the agent starts (checked on systemd 252: `a\\b` loads `ab`),
 * the pattern characters `\\ * ? [` are escaped with a backslash so the path names one file.
 */
export function unitPath(value: string): string {
  refuse('a unit file path', 'unitPath', value);
  const escaped = value.replace(/[\\*?[]/g, '\\$&').replaceAll('%', '%%');
  if (escaped === '~') return '%h';
  return escaped.startsWith('~/') ? `%h/${escaped.slice(2)}` : escaped;
}

/** Free text inside a `#` comment line: line breaks and other control characters are shown escaped. */
export function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * One Markdown table cell's value as a code span, so no character of it is read as Markdown or
 * HTML. A value that a code span cannot show as it is (a control character would end the table
 * row, a backtick the span, a `|` the cell) is shown as a JSON string with those characters
 * escaped, and so is a value starting with `"`, so that the two forms never look alike.
 */
export function markdownCode(value: string): string {
  const plain = value !== '' && !/[\u0000-\u001f\u007f-\u009f`|]|^"|^ | $/.test(value);
  const shown = plain ? value : JSON.stringify(value).replace(/[\u007f-\u009f`|]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `\`${shown}\``;
}

/** Text inside an HTML comment (`<!-- … -->`): no `--`, which could end it, and no control characters. */
export function htmlCommentText(value: string): string {
  return commentText(value).replace(/-(?=-)/g, '- ');
}

/**
 * Text inside a quoted Mermaid label (`id["…"]`): anything but letters, digits and a few
 * punctuation marks becomes a Mermaid entity code (`#34;`), so no value can close the label,
 * start markup or break the line.
 */
export function mermaidText(value: string): string {
  return value.replace(/[^A-Za-z0-9 _.,:/@+-]/gu, (c) => `#${c.codePointAt(0)};`);
}

/**
 * A Mermaid node or subgraph id. Ids take a prefix, so that no name can be a keyword (`end`,
 * `subgraph`); names follow the roster's naming rule (lowercase letters, digits, `-`), and `-`
 * becomes `_`, which such names never contain, so different names give different ids.
 */
export function mermaidId(prefix: string, name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new UnrepresentableError('a Mermaid id', name, 'only lowercase letters, digits and - can be ids');
  return `${prefix}_${name.replaceAll('-', '_')}`;
}
