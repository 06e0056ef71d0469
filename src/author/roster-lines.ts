/** Line arithmetic over roster text; offsets are UTF-16 indices, as the yaml package reports them. */

/** The file's own line ending, so inserted lines match it. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just after the line's end of line (or the end of the text on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Offset of the line's end of line itself (before `\r\n` or `\n`). */
export function lineContentEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return text.length;
  return newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
}

export function lineAt(text: string, offset: number): string {
  return text.slice(lineStart(text, offset), lineContentEnd(text, offset));
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Offset of the previous line's start, or undefined on the first line. */
export function previousLineStart(text: string, offset: number): number | undefined {
  const start = lineStart(text, offset);
  return start === 0 ? undefined : lineStart(text, start - 1);
}

export function endsWithNewline(text: string): boolean {
  return text.endsWith('\n');
}
