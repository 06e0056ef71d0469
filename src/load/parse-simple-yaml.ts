/**
 * The fast path of the roster reader (parse-roster.ts): the data of a roster written in the
 * common forms of YAML, in one pass over its lines, or undefined when the text uses anything
 * else (then yaml's full parser reads it). Nothing outside src/load knows this reader exists.
 *
 * Why: yaml composes a positioned document of every node, which cost about 0.6 ms and 6 KB per
 * agent of a typical roster, most of a large build's time and memory; positions are needed only
 * when a diagnostic points somewhere, and then this reader reads the text again, noting where
 * each node starts (Places). At 8 MiB, yaml's document took 14 s and 1.3 GB for that.
 *
 * What it reads: printable text; block mappings and sequences (`- key: value` items included);
 * one-line plain, single- and double-quoted values; one-line flow sequences and mappings;
 * comments and blank lines. Plain scalars resolve as yaml's core schema does (its
 * tests and resolvers, repeated here; infinities and NaN are declined). Anything unusual is
 * declined rather than guessed: anchors, tags, block scalars, multi-line values, duplicate keys,
 * documents markers. test/load/parse-simple-yaml.test.ts holds it to yaml's own value on the fuzz
 * corpus and on every fixture roster.
 */

export type SimpleValue = null | boolean | number | string | SimpleValue[] | { [key: string]: SimpleValue };
type SimpleMap = { [key: string]: SimpleValue };

/** Declines the text: thrown inside, caught once at the top. */
class Declined {}
const DECLINED = new Declined();

/** Printable characters, none of which yaml reads as a line break or byte order mark. */
const PRINTABLE = /^[\n\x20-\x7e\u00a0-\u2027\u202a-\ufefe\uff00-\ufffd]*$/;
/** A plain key; YAML limits an implicit key to 1024 characters. */
const KEY = /^[A-Za-z_$][A-Za-z0-9_$-]{0,999}/;
const MAX_KEY = 1000;
/** Characters that cannot start a plain scalar (or start something else). */
const INDICATORS = new Set([...'?:,[]{}#&*!|>\'"%@`']);
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
/** yaml's core schema (YAML 1.2): what a plain scalar that matches each test means. */
const NUMBERS: Array<[RegExp, (text: string) => number]> = [
  [/^0o[0-7]+$/, (text) => parseInt(text.substring(2), 8)],
  [/^[-+]?[0-9]+$/, (text) => parseInt(text, 10)],
  [/^0x[0-9a-fA-F]+$/, (text) => parseInt(text.substring(2), 16)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
];
const NUMERIC_START = new Set([...'0123456789+-.']);
/** Infinities and NaN: left to yaml. */
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

interface Line {
  indent: number;
  text: string;
  /** Where the line starts in the text. */
  start: number;
}

/**
 * Whether every value that is not a string reads back as the file spells it (`512`, `true`, but
 * not `0700`, `1.0`, `~` or an empty value). Command words and env values are kept as spelled
 * (parse-roster.ts scalarText); when this holds, that needs no positioned document.
 */
interface Spelling {
  exact: boolean;
  /**
   * How the scalar read last is spelled, when String(value) spells it otherwise; the collection
   * that holds it takes it (take) for its places.
   */
  respelled?: string;
}

/** The spelling of the scalar just read, if it was respelled, for the entry that holds it; cleared for the next. */
function take(spelling: Spelling): string | undefined {
  const respelled = spelling.respelled;
  spelling.respelled = undefined;
  return respelled;
}

function noteSpelling(placed: Placed | undefined, segment: string | number, spelling: Spelling): void {
  const respelled = take(spelling);
  if (placed && respelled !== undefined) placed.spelled.set(segment, respelled);
}

export interface SimpleYaml {
  value: SimpleMap;
  /** Spelling.exact of the whole text. */
  spelledAsRead: boolean;
}

/**
 * Where a collection of the value and each of its entries start in the text: the offsets yaml's
 * nodes start at (keys by the key's first character, an empty value just after its `:` or `-`
 * and the spaces after them), so that a diagnostic points where it would with yaml's document.
 */
export interface Placed {
  at: number;
  /** A mapping's keys. */
  keys: Map<string, number>;
  /** Each entry's value: by key in a mapping, by index in a sequence. */
  values: Map<string | number, number>;
  /** How an entry that is a scalar but not a string is spelled, where String(value) spells it otherwise (`0700`, `~`, empty). */
  spelled: Map<string | number, string>;
}

/** The place of every collection of a value read with places, by the collection itself. */
export type Places = Map<object, Placed>;

/**
 * With `places`, also records where each collection and entry starts and how respelled scalars
 * are spelled (asked only for a diagnostic or a spelling: it costs a second pass).
 */
export function parseSimpleYaml(text: string, places?: Places): SimpleYaml | undefined {
  if (!PRINTABLE.test(text)) return undefined;
  const lines: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const lineStart = start;
    start += raw.length + 1;
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length || raw[indent] === '#') continue;
    if (indent === 0 && (raw[0] === '%' || /^(?:---|\.\.\.)(?: |$)/.test(raw))) return undefined;
    lines.push({ indent, text: raw.slice(indent), start: lineStart });
  }
  if (lines.length === 0) return undefined;
  if (lines[0]!.indent !== 0 || isSequenceItem(lines[0]!.text)) return undefined;
  const spelling: Spelling = { exact: true };
  const reader = new BlockReader(lines, spelling, places);
  try {
    const value = reader.map(0);
    return reader.done() ? { value, spelledAsRead: spelling.exact } : undefined;
  } catch (thrown) {
    if (thrown === DECLINED) return undefined;
    throw thrown;
  }
}

/** A mapping key: plain (a name) or quoted, and the index after it. */
function blockKey(text: string): [string, number] {
  if (text[0] === '"' || text[0] === "'") {
    const [key, end] = quoted(text, 0);
    return end > MAX_KEY ? decline() : [key, end];
  }
  const key = KEY.exec(text)?.[0];
  if (key === undefined || typeof plainScalar(key) !== 'string') decline();
  return [key, key.length];
}

/** Whether the text after `- ` starts a mapping entry (`key: …`). */
function startsEntry(text: string): boolean {
  if (text[0] === '"' || text[0] === "'") {
    try {
      const [, end] = quoted(text, 0);
      return text[end] === ':' && (end + 1 === text.length || text[end + 1] === ' ');
    } catch (thrown) {
      if (thrown === DECLINED) return false;
      throw thrown;
    }
  }
  const key = KEY.exec(text)?.[0];
  return key !== undefined && text[key.length] === ':' && (key.length + 1 === text.length || text[key.length + 1] === ' ');
}

function isSequenceItem(text: string): boolean {
  return text[0] === '-' && (text.length === 1 || text[1] === ' ');
}

function decline(): never {
  throw DECLINED;
}

class BlockReader {
  private next = 0;
  constructor(
    private readonly lines: Line[],
    private readonly spelling: Spelling,
    private readonly places: Places | undefined,
  ) {}

  done(): boolean {
    return this.next === this.lines.length;
  }

  private peek(): Line | undefined {
    return this.lines[this.next];
  }

  map(indent: number): SimpleMap {
    const map: SimpleMap = {};
    const placed = place(this.places, map, startOf(this.peek()));
    for (let line = this.peek(); line && line.indent === indent && !isSequenceItem(line.text); line = this.peek()) {
      const [key, end] = blockKey(line.text);
      if (line.text[end] !== ':' || key === '__proto__' || Object.hasOwn(map, key)) decline();
      const rest = line.text.slice(end + 1);
      if (rest !== '' && rest[0] !== ' ') decline();
      this.next++;
      const [value, at] = this.valueAfter(rest, indent, startOf(line) + end + 1);
      map[key] = value;
      noteSpelling(placed, key, this.spelling);
      placed?.keys.set(key, startOf(line));
      placed?.values.set(key, at);
    }
    this.endOfBlock(indent);
    return map;
  }

  private sequence(indent: number): SimpleValue[] {
    const items: SimpleValue[] = [];
    const placed = place(this.places, items, startOf(this.peek()));
    for (let line = this.peek(); line && line.indent === indent && isSequenceItem(line.text); line = this.peek()) {
      let column = 1;
      while (line.text[column] === ' ') column++;
      const rest = line.text.slice(column);
      // Where the item starts: after `-` and its spaces, or on the line below a bare `-`.
      let at = startOf(line) + column;
      if (rest === '' || rest[0] === '#') {
        this.next++;
        const below = this.peek();
        if (below && below.indent > indent) {
          at = startOf(below);
          items.push(this.node(below.indent));
        } else items.push(this.empty());
      } else if (isSequenceItem(rest) || rest[0] === '?') {
        decline();
      } else if (startsEntry(rest)) {
        // `- key: value`: a mapping whose keys line up under the first one.
        this.lines[this.next] = { indent: indent + column, text: rest, start: line.start };
        items.push(this.map(indent + column));
      } else {
        this.next++;
        items.push(this.inline(rest, at));
      }
      noteSpelling(placed, items.length - 1, this.spelling);
      placed?.values.set(items.length - 1, at);
      this.endOfBlock(indent);
    }
    return items;
  }

  /** The block below a key or a bare `-`: a sequence, a mapping, or a one-line value on a line of its own. */
  private node(indent: number): SimpleValue {
    const line = this.peek()!;
    if (isSequenceItem(line.text)) return this.sequence(indent);
    if (startsEntry(line.text)) return this.map(indent);
    this.next++;
    const value = this.inline(line.text, startOf(line));
    this.endOfBlock(indent);
    return value;
  }

  /**
   * The value after `key:` (whose text starts at `at`), and where it starts: on the same line, or
   * the block below (a sequence may sit at the key's own indent). An empty value starts where
   * yaml places it: after the `:` and its spaces.
   */
  private valueAfter(rest: string, indent: number, at: number): [SimpleValue, number] {
    const value = rest.trimStart();
    const valueAt = at + rest.length - value.length;
    if (value !== '' && value[0] !== '#') return [this.inline(value, valueAt), valueAt];
    const below = this.peek();
    if (below && below.indent > indent) return [this.node(below.indent), startOf(below)];
    if (below && below.indent === indent && isSequenceItem(below.text)) return [this.sequence(indent), startOf(below)];
    return [this.empty(), valueAt];
  }

  private inline(text: string, at: number): SimpleValue {
    return inlineValue(text, this.spelling, this.places && { places: this.places, at });
  }

  /** An empty value is null, spelled as nothing. */
  private empty(): null {
    this.spelling.exact = false;
    this.spelling.respelled = '';
    return null;
  }

  /** A block ends where a line comes back to an outer indent; a line between the two is not ours to read. */
  private endOfBlock(indent: number): void {
    const line = this.peek();
    if (line && line.indent > indent) decline();
  }
}

/** Where a line's text starts in the whole text. */
function startOf(line: Line | undefined): number {
  return line ? line.start + line.indent : 0;
}

function place(places: Places | undefined, collection: object, at: number): Placed | undefined {
  if (!places) return undefined;
  const placed: Placed = { at, keys: new Map(), values: new Map(), spelled: new Map() };
  places.set(collection, placed);
  return placed;
}

/** Places being recorded, and where the line text a flow collection is read from starts. */
interface Placing {
  places: Places;
  at: number;
}

/** A one-line value after `key: ` or `- `, with an optional comment after it. */
function inlineValue(text: string, spelling: Spelling, placing?: Placing): SimpleValue {
  const first = text[0]!;
  let value: SimpleValue;
  let end: number;
  if (first === '"' || first === "'") [value, end] = quoted(text, 0);
  else if (first === '[' || first === '{') [value, end] = flowCollection(text, spelling, 0, 0, placing);
  else {
    const comment = text.indexOf(' #');
    const plain = (comment < 0 ? text : text.slice(0, comment)).trimEnd();
    if (plain.includes(': ') || plain.endsWith(':') || !startsPlain(plain)) decline();
    return plainValue(plain, spelling);
  }
  if (!/^ *(?: #.*)?$/.test(text.slice(end))) decline();
  return value;
}

function startsPlain(text: string): boolean {
  return text !== '' && !INDICATORS.has(text[0]!) && !(text[0] === '-' && (text.length === 1 || text[1] === ' '));
}

/** A plain scalar as a value, noting a spelling that does not read back. */
function plainValue(text: string, spelling: Spelling): SimpleValue {
  const value = plainScalar(text);
  if (typeof value !== 'string' && String(value) !== text) {
    spelling.exact = false;
    spelling.respelled = text;
  }
  return value;
}

function plainScalar(text: string): SimpleValue {
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  // Every number and special float starts with a digit, a sign or a dot; most values (names,
  // runtimes, paths) do not, and skip the six tests (each regular expression is compiled on
  // its first use, a cost every run pays).
  if (!NUMERIC_START.has(text[0]!)) return text;
  if (SPECIAL_FLOAT.test(text)) decline();
  for (const [test, resolve] of NUMBERS) if (test.test(text)) return resolve(text);
  return text;
}

/** What ends a run of plain characters in a quoted scalar (sticky state: lastIndex is set before each use). */
const DOUBLE_QUOTED_SPECIAL = /["\\]/g;
const SINGLE_QUOTED_SPECIAL = /'/g;

/** A quoted scalar starting at `start`, on this line: its value and the index after the closing quote. */
function quoted(text: string, start: number): [string, number] {
  const quote = text[start]!;
  const special = quote === '"' ? DOUBLE_QUOTED_SPECIAL : SINGLE_QUOTED_SPECIAL;
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    // Plain characters up to the next quote or escape are taken as one slice: one character at a
    // time, a 7 MiB string became millions of string pieces (half a gigabyte).
    special.lastIndex = i;
    const next = special.exec(text)?.index ?? text.length;
    if (next > i) {
      value += text.slice(i, next);
      i = next - 1;
      continue;
    }
    const c = text[i]!;
    if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        value += "'";
        i++;
        continue;
      }
      return [value, i + 1];
    }
    if (c === '\\' && quote === '"') {
      const code = text[++i];
      if (code === undefined) decline();
      const length = HEX_LENGTH[code];
      if (length !== undefined) {
        const hex = text.slice(i + 1, i + 1 + length);
        const point = /^[0-9a-fA-F]+$/.test(hex) && hex.length === length ? parseInt(hex, 16) : NaN;
        if (!(point <= 0x10ffff)) decline();
        value += String.fromCodePoint(point);
        i += length;
      } else if (Object.hasOwn(ESCAPES, code)) value += ESCAPES[code];
      else decline();
    }
  }
  return decline();
}

/** Flow collections nest at most this deep here; deeper ones are yaml's (which reports a stack overflow as such). */
const MAX_FLOW_DEPTH = 16;

/** `[a, "b", [c]]` or `{ K: v, L: "w", M: [x] }` starting at `start`, closed on the same line: its value and the index after it. */
function flowCollection(text: string, spelling: Spelling, start: number, depth: number, placing?: Placing): [SimpleValue, number] {
  if (depth > MAX_FLOW_DEPTH) decline();
  const close = text[start] === '[' ? ']' : '}';
  const list: SimpleValue[] = [];
  const map: SimpleMap = {};
  const placed = placing && place(placing.places, close === ']' ? list : map, placing.at + start);
  let i = skipSpaces(text, start + 1);
  if (text[i] === close) return [close === ']' ? list : map, i + 1];
  for (;;) {
    if (close === ']') {
      placed?.values.set(list.length, placing!.at + i);
      const [item, after] = flowValue(text, spelling, i, depth, placing);
      list.push(item);
      noteSpelling(placed, list.length - 1, spelling);
      i = after;
    } else {
      const key = KEY.exec(text.slice(i, i + MAX_KEY + 1))?.[0];
      if (key === undefined || text[i + key.length] !== ':' || text[i + key.length + 1] !== ' ' || typeof plainScalar(key) !== 'string' || key === '__proto__' || Object.hasOwn(map, key)) decline();
      const valueAt = skipSpaces(text, i + key.length + 1);
      placed?.keys.set(key, placing!.at + i);
      placed?.values.set(key, placing!.at + valueAt);
      const [value, after] = flowValue(text, spelling, valueAt, depth, placing);
      map[key] = value;
      noteSpelling(placed, key, spelling);
      i = after;
    }
    i = skipSpaces(text, i);
    if (text[i] === close) return [close === ']' ? list : map, i + 1];
    if (text[i] !== ',') decline();
    i = skipSpaces(text, i + 1);
    if (text[i] === close || text[i] === ',') decline();
  }
}

function flowValue(text: string, spelling: Spelling, start: number, depth: number, placing: Placing | undefined): [SimpleValue, number] {
  return text[start] === '[' || text[start] === '{' ? flowCollection(text, spelling, start, depth + 1, placing) : flowScalar(text, spelling, start);
}

/** A quoted or plain scalar inside a flow collection: plain ones only of characters with no meaning there. */
function flowScalar(text: string, spelling: Spelling, start: number): [SimpleValue, number] {
  if (text[start] === '"' || text[start] === "'") return quoted(text, start);
  let end = start;
  while (end < text.length && /[A-Za-z0-9_./~$=^+%@-]/.test(text[end]!)) end++;
  const plain = text.slice(start, end);
  if (!startsPlain(plain)) decline();
  return [plainValue(plain, spelling), end];
}

function skipSpaces(text: string, i: number): number {
  while (text[i] === ' ') i++;
  return i;
}
