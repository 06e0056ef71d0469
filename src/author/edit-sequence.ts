/**
 * Splices that add or remove one item of a top-level sequence (`agents:`, `omit:`), or add a
 * top-level key. They locate places through the yaml Document (kept source tokens give the exact
 * offset of each `-` and `:`) and change only the lines of the item concerned, so that adding an
 * item and removing it again gives back the original bytes.
 */
import { Document, visit, isMap, isScalar, isSeq, type CST, type Pair, type ParsedNode, type YAMLMap, type YAMLSeq } from 'yaml';
import { endsWithNewline, eolOf, indentOf, isBlank, lineAt, lineStart, nextLineStart, previousLineStart } from './roster-lines.js';
import type { Splice } from './splice.js';

export type EditResult = { ok: true; splice: Splice } | { ok: false; reason: string };

/** How an empty sequence is written when its first item arrives. */
export type EmptyStyle = 'block' | 'flow';

const NO_FOLDING = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

export function topLevelPair(doc: Document.Parsed, key: string): Pair<ParsedNode, ParsedNode | null> | undefined {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  return contents.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair<ParsedNode, ParsedNode | null> | undefined;
}

/**
 * Where an edit puts the blank lines next to an item. The first choice keeps add-then-remove a
 * round trip; the others exist because a `|+` block scalar owns the blank lines after it, and only
 * a check of the parsed result tells which placement leaves every other value as it was.
 */
export type BlankLines = 'usual' | 'keep-with-previous' | 'none' | 'above' | 'below' | 'both';

export function appendToSequence(text: string, pair: Pair<ParsedNode, ParsedNode | null>, value: unknown, emptyStyle: EmptyStyle, blanks: BlankLines = 'usual'): EditResult {
  const seq = pair.value;
  const colon = colonEnd(pair);
  if (!isSeq(seq) || !seq.range || colon === undefined) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
  const eol = eolOf(text);
  if (seq.flow) {
    const items = seq.items as ParsedNode[];
    const last = items[items.length - 1];
    if (last?.range) return { ok: true, splice: { start: last.range[1], end: last.range[1], insert: `, ${flowText(value)}` } };
    if (items.length > 0) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
    const [open, close] = [seq.range[0], flowEnd(seq)];
    // Inside the brackets, whatever lies between them: removing the item again gives it back.
    const intoBrackets: EditResult = { ok: true, splice: { start: open + 1, end: open + 1, insert: flowText(value) } };
    if (emptyStyle === 'flow') return intoBrackets;
    const keyCol = pair.key.range![0] - lineStart(text, pair.key.range![0]);
    if (/^[ \t]*$/.test(text.slice(colon, open))) {
      return { ok: true, splice: { start: colon, end: close, insert: eol + blockItemLines(value, keyCol + 2, 2).join(eol) } };
    }
    // `[]` on a line of its own stays a flow list.
    return intoBrackets;
  }
  const dashes = dashOffsets(seq);
  if (!dashes || dashes.length === 0) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
  const lastDash = dashes[dashes.length - 1]!;
  const dashCol = lastDash - lineStart(text, lastDash);
  const separator = eol.repeat(dashes.length >= 2 ? blankLinesAfter(text, itemEnd(text, dashes[dashes.length - 2]!), lastDash) : 0);
  const lines = blockItemLines(value, dashCol, keyOffset(text, seq, dashes));
  let anchor = itemEnd(text, lastDash);
  if (blanks === 'keep-with-previous') anchor = blanksEnd(text, anchor, text.length);
  const insert = anchor === text.length && !endsWithNewline(text) ? eol + separator + lines.join(eol) : separator + lines.join(eol) + eol;
  return { ok: true, splice: { start: anchor, end: anchor, insert } };
}

export function removeFromSequence(text: string, pair: Pair<ParsedNode, ParsedNode | null>, index: number, blanks: BlankLines = 'usual'): EditResult {
  const seq = pair.value;
  const colon = colonEnd(pair);
  if (!isSeq(seq) || colon === undefined) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
  const count = seq.items.length;
  if (seq.flow) {
    const items = seq.items as ParsedNode[];
    const item = items[index]?.range;
    if (!item) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
    if (index > 0) return { ok: true, splice: { start: items[index - 1]!.range![1], end: item[1], insert: '' } };
    if (count > 1) return { ok: true, splice: { start: item[0], end: items[1]!.range![0], insert: '' } };
    return { ok: true, splice: { start: item[0], end: item[1], insert: '' } };
  }
  const dashes = dashOffsets(seq);
  const dash = dashes?.[index];
  if (!dashes || dash === undefined) return { ok: false, reason: `${keyName(pair)} is not a list mosaic-gen can edit` };
  const end = itemEnd(text, dash);
  const endWithoutEol = text.endsWith('\n', end) ? end - (text.endsWith('\r\n', end) ? 2 : 1) : end;
  if (count === 1) {
    // The last item goes: leave an empty list behind, as `key: []`.
    if (/^\s*$/.test(text.slice(colon, lineStart(text, dash)))) return { ok: true, splice: { start: colon, end: endWithoutEol, insert: ' []' } };
    return { ok: true, splice: { start: dash, end: endWithoutEol, insert: '[]' } };
  }
  // Usually the first item takes the blank lines after it (the separator before the next one),
  // any other item the blank lines directly above it (the separator from the previous one).
  const usual = index === 0 ? 'below' : 'above';
  const side = blanks === 'usual' || blanks === 'keep-with-previous' ? usual : blanks;
  let start = lineStart(text, dash);
  let stop = end;
  if (side === 'below' || side === 'both') stop = blanksEnd(text, end, dashes[index + 1] ?? text.length);
  if (side === 'above' || side === 'both') {
    const floor = index === 0 ? nextLineStart(text, colon) : itemEnd(text, dashes[index - 1]!);
    for (let above = previousLineStart(text, start); above !== undefined && above >= floor && isBlank(lineAt(text, above)); above = previousLineStart(text, above)) start = above;
  }
  if (stop === text.length && !endsWithNewline(text)) start -= text.endsWith('\r\n', start) ? 2 : 1;
  return { ok: true, splice: { start, end: stop, insert: '' } };
}

/** After the blank lines that start at `from` (not beyond `limit`). */
function blanksEnd(text: string, from: number, limit: number): number {
  let stop = from;
  while (stop < limit && stop < text.length && isBlank(lineAt(text, stop))) stop = nextLineStart(text, stop);
  return stop;
}

/** Adds `key: value` on its own line before the top-level `before:` key and the comments directly above it. */
export function insertTopLevelPair(text: string, doc: Document.Parsed, before: string, key: string, value: unknown): EditResult {
  const anchorPair = topLevelPair(doc, before);
  const contents = doc.contents;
  if (!anchorPair?.key.range || !isMap(contents) || contents.flow) return { ok: false, reason: `the roster's top level is not a block mapping mosaic-gen can edit` };
  const eol = eolOf(text);
  const keyStart = anchorPair.key.range[0];
  const keyCol = keyStart - lineStart(text, keyStart);
  let anchor = lineStart(text, keyStart);
  for (let above = previousLineStart(text, anchor); above !== undefined; above = previousLineStart(text, above)) {
    const line = lineAt(text, above);
    if (!line.trimStart().startsWith('#') || indentOf(line) !== keyCol) break;
    anchor = above;
  }
  const lineAbove = previousLineStart(text, anchor);
  const blankAbove = lineAbove !== undefined && isBlank(lineAt(text, lineAbove));
  const line = `${' '.repeat(keyCol)}${key}: ${flowText(value)}`;
  return { ok: true, splice: { start: anchor, end: anchor, insert: line + eol + (blankAbove ? eol : '') } };
}

/** Lines (without line ends) of a block-sequence item: `- key: value` at dashCol, keys at dashCol + keyOffset. */
function blockItemLines(value: unknown, dashCol: number, keyOffset: number): string[] {
  const body = writtenDocument(value).toString({ indent: 2, ...NO_FOLDING }).replace(/\n$/, '').split('\n');
  return body.map((line, i) => ' '.repeat(dashCol) + (i === 0 ? '-'.padEnd(keyOffset) : ' '.repeat(keyOffset)) + line);
}

/**
 * A value as mosaic-gen writes it. A string with a line break is double-quoted: a block scalar's
 * chomping would take in or give up the blank lines around the insertion point (changing this
 * value or a neighbour's), and inside a flow collection a block scalar is not even valid.
 */
function writtenDocument(value: unknown): Document {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && /[\n\r]/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc;
}

function flowText(value: unknown): string {
  const doc = writtenDocument(value);
  if (isMap(doc.contents) || isSeq(doc.contents)) doc.contents.flow = true;
  return doc.toString(NO_FOLDING).trimEnd();
}

/**
 * End of a block-sequence item: after its last line that is indented deeper than its `-` (its
 * fields, and comments written inside it). Blank lines count only when more of the item follows.
 */
function itemEnd(text: string, dash: number): number {
  const dashCol = dash - lineStart(text, dash);
  let end = nextLineStart(text, dash);
  for (let at = end; at < text.length; at = nextLineStart(text, at)) {
    const line = lineAt(text, at);
    if (isBlank(line)) continue;
    if (indentOf(line) <= dashCol) break;
    end = nextLineStart(text, at);
  }
  return end;
}

/** Blank lines right after an item: how this list separates its items. */
function blankLinesAfter(text: string, end: number, limit: number): number {
  let count = 0;
  for (let at = end; at < limit && at < text.length && isBlank(lineAt(text, at)); at = nextLineStart(text, at)) count++;
  return count;
}

function dashOffsets(seq: YAMLSeq): number[] | undefined {
  const token = seq.srcToken as CST.Token | undefined;
  if (token?.type !== 'block-seq') return undefined;
  // A comment after the last item, indented like the items, is an item of its own in the CST: no
  // `-`, no value. It is not an item of the list.
  const items = token.items.filter((item) => item.value !== undefined || item.start.some((t) => t.type === 'seq-item-ind'));
  const offsets = items.map((item) => item.start.find((t) => t.type === 'seq-item-ind')?.offset);
  return offsets.every((o): o is number => o !== undefined) ? offsets : undefined;
}

/** Columns from `-` to the item's first key, as the user indents (`- name` → 2, `-   name` → 4). */
function keyOffset(text: string, seq: YAMLSeq, dashes: readonly number[]): number {
  // The first item written as a block mapping shows the user's habit; `- {flow}` items do not.
  const index = seq.items.findIndex((item) => isMap(item) && !item.flow);
  const key = index < 0 ? undefined : ((seq.items[index] as YAMLMap).items[0]?.key as ParsedNode | undefined)?.range?.[0];
  const dash = dashes[index];
  const offset = key === undefined || dash === undefined || lineStart(text, key) !== lineStart(text, dash) ? 2 : key - dash;
  return offset >= 2 && offset <= 8 ? offset : 2;
}

function colonEnd(pair: Pair): number | undefined {
  const token = pair.srcToken as CST.CollectionItem | undefined;
  const indicator = token?.sep?.find((t) => t.type === 'map-value-ind');
  return indicator ? indicator.offset + 1 : undefined;
}

function flowEnd(seq: YAMLSeq): number {
  const token = seq.srcToken as CST.FlowCollection;
  const close = token.end.find((t) => t.type === 'flow-seq-end');
  return close ? close.offset + 1 : seq.range![1];
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : 'the list';
}
