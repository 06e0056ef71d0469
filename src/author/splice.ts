/**
 * Edits are splices of the original text, never a re-serialization of the whole document: every
 * byte outside the splice stays as the user wrote it (comments, quoting, blank lines, key order).
 */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

export function applySplice(text: string, splice: Splice): string {
  return text.slice(0, splice.start) + splice.insert + text.slice(splice.end);
}

/**
 * Maps an offset in the edited text back to the original, through splices in the order they were
 * applied. Undefined when the offset lies in inserted text, which the original does not have.
 */
export function offsetBefore(offset: number, splices: readonly Splice[]): number | undefined {
  let at = offset;
  for (let i = splices.length - 1; i >= 0; i--) {
    const { start, end, insert } = splices[i]!;
    if (at < start) continue;
    if (at < start + insert.length) return undefined;
    at = at - insert.length + (end - start);
  }
  return at;
}
