/**
 * Which characters can reach the generated files at all. Everything else is carried by the
 * quoting helpers in render/quote; what is refused here is what no target syntax can hold.
 */

/** NUL ends C strings (systemd, tmux, execve); a lone surrogate cannot be written as UTF-8. */
export function unrepresentable(value: string): string | undefined {
  if (value.includes('\0')) return 'a NUL character';
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) return 'an unpaired UTF-16 surrogate';
  return undefined;
}

/** A path that systemd can also read on one unit-file line. */
export function unrepresentableInUnit(value: string): string | undefined {
  const general = unrepresentable(value);
  if (general) return general;
  if (/[\n\r]/.test(value)) return 'a line break';
  if (value.endsWith('\\')) return 'a trailing backslash (systemd reads it as a line continuation)';
  if (value !== value.trim()) return 'leading or trailing whitespace (systemd strips it)';
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
