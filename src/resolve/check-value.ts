/**
 * Which characters can reach the generated files at all. Everything else is carried by the
 * quoting helpers in render/quote; what is refused here is what no target syntax can hold.
 */

/**
 * NUL ends C strings (systemd, tmux, execve); a lone surrogate cannot be written as UTF-8; and
 * systemd drops, as "not UTF-8 clean", any setting or env value holding a Unicode noncharacter
 * (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), so a secrets file named with one would silently not load.
 */
export function unrepresentable(value: string): string | undefined {
  if (value.includes('\0')) return 'a NUL character';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) return 'an unpaired UTF-16 surrogate';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe) return 'a Unicode noncharacter (systemd rejects the value as not UTF-8 clean)';
  }
  return undefined;
}

/** PATH entries are separated by `:`; an entry holding one would become two. */
export function unrepresentableInPath(value: string): string | undefined {
  return unrepresentable(value) ?? (value.includes(':') ? 'a colon (PATH would split it in two)' : undefined);
}

/** A path that systemd can also read on one unit-file line. */
export function unrepresentableInUnit(value: string): string | undefined {
  const general = unrepresentable(value);
  if (general) return general;
  if (/[\n\r]/.test(value)) return 'a line break';
  if (value.endsWith('\\')) return 'a trailing backslash (systemd reads it as a line continuation)';
  if (value !== value.trim()) return 'leading or trailing whitespace (systemd strips it)';
  if (/(^|\/)\.{1,2}(\/|$)|\/\/|.\/$/.test(value.replace(/^~\//, '/'))) return 'an empty, `.` or `..` component (systemd ignores a path that is not normalized)';
  return undefined;
}

/** Absolute, `~` or `~/…`: the only paths that mean the same from systemd, sh and tmux. */
export function isHostPath(value: string): boolean {
  return value.startsWith('/') || value === '~' || value.startsWith('~/');
}

/** A path systemd accepts as the executable of ExecStart= (checked on systemd 252). */
export function unrepresentableAsExecutable(value: string): string | undefined {
  const general = unrepresentable(value);
  if (general) return general;
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'a control character (systemd refuses it in an executable path)';
  if (/[\\"']/.test(value)) return 'a quote or backslash (systemd refuses them in an executable path)';
  if (value.endsWith('/')) return 'a trailing / (systemd takes the path for a directory)';
  return undefined;
}

/** mosaic-gen sets MOSAIC_AGENT and MOSAIC_ROLE, and its launch scripts use MOSAIC_ names of their own. */
export function isReservedEnvKey(key: string): boolean {
  return key.startsWith('MOSAIC_');
}
