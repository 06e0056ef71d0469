/**
 * Which values can reach the generated files at all, said once for both sides: resolve checks a
 * roster against these rules (reporting the value's position), and the quoting helpers of
 * render/quote refuse, as a backstop, exactly what the same rules refuse for their syntax.
 * Everything else is carried by the quoting; what a rule refuses is what no target syntax can hold.
 */

/** One thing a value must not hold: `what` completes "… contains", in a check's message and the backstop's. */
interface ValueRule {
  readonly what: string;
  readonly breaks: (value: string) => boolean;
}

/**
 * NUL ends C strings (systemd, tmux, execve); a lone surrogate cannot be written as UTF-8; and
 * systemd drops, as "not UTF-8 clean", any setting or env value holding a Unicode noncharacter
 * (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), so a secrets file named with one would silently not load.
 */
const NUL: ValueRule = { what: 'a NUL character', breaks: (value) => value.includes('\0') };
const ANY_VALUE: readonly ValueRule[] = [
  NUL,
  { what: 'an unpaired UTF-16 surrogate', breaks: (value) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value) },
  {
    what: 'a Unicode noncharacter (systemd rejects the value as not UTF-8 clean)',
    breaks: (value) => [...value].some((char) => {
      const code = char.codePointAt(0)!;
      return (code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe;
    }),
  },
];

/** The rules of each kind of value, by where it lands. */
export const VALUE_RULES = {
  /** Any value: an argument, an env value, a workdir. */
  any: ANY_VALUE,
  /** Only a NUL: what every quoting helper refuses whatever the value is (names and texts the roster checks elsewhere). */
  cString: [NUL],
  /** PATH entries are separated by `:`; an entry holding one would become two. */
  pathEntry: [...ANY_VALUE, { what: 'a colon (PATH would split it in two)', breaks: (value) => value.includes(':') }],
  /** A path that systemd can also read on one unit-file line (EnvironmentFile=). */
  unitPath: [
    ...ANY_VALUE,
    { what: 'a line break', breaks: (value) => /[\n\r]/.test(value) },
    { what: 'a trailing backslash (systemd reads it as a line continuation)', breaks: (value) => value.endsWith('\\') },
    { what: 'leading or trailing whitespace (systemd strips it)', breaks: (value) => value !== value.trim() },
    {
      what: 'an empty, `.` or `..` component (systemd ignores a path that is not normalized)',
      breaks: (value) => /(^|\/)\.{1,2}(\/|$)|\/\/|.\/$/.test(value.replace(/^~\//, '/')),
    },
  ],
  /** A path systemd accepts as the executable of ExecStart= (checked on systemd 252). */
  executable: [
    ...ANY_VALUE,
    { what: 'a control character (systemd refuses it in an executable path)', breaks: (value) => /[\u0000-\u001f\u007f]/.test(value) },
    { what: 'a quote or backslash (systemd refuses them in an executable path)', breaks: (value) => /[\\"']/.test(value) },
    { what: 'a trailing / (systemd takes the path for a directory)', breaks: (value) => value.endsWith('/') },
  ],
} as const satisfies Record<string, readonly ValueRule[]>;

export type ValueKind = keyof typeof VALUE_RULES;

/** What the value holds that its kind cannot carry (the first rule it breaks), or undefined. */
export function breach(kind: ValueKind, value: string): string | undefined {
  return VALUE_RULES[kind].find((rule) => rule.breaks(value))?.what;
}

export const unrepresentable = (value: string): string | undefined => breach('any', value);
export const unrepresentableInPath = (value: string): string | undefined => breach('pathEntry', value);
export const unrepresentableInUnit = (value: string): string | undefined => breach('unitPath', value);
export const unrepresentableAsExecutable = (value: string): string | undefined => breach('executable', value);

/** Absolute, `~` or `~/…`: the only paths that mean the same from systemd, sh and tmux. */
export function isHostPath(value: string): boolean {
  return value.startsWith('/') || value === '~' || value.startsWith('~/');
}

/** mosaic-gen sets MOSAIC_AGENT and MOSAIC_ROLE, and its launch scripts use MOSAIC_ names of their own. */
export function isReservedEnvKey(key: string): boolean {
  return key.startsWith('MOSAIC_');
}
