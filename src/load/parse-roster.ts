import type { Document, Node } from 'yaml';
import { errorIn, type Diagnostic, type DiagnosticCode, type Report, type SourceLines } from '../errors.js';
import { parseSimpleYaml, type Placed, type Places } from './parse-simple-yaml.js';
import { yaml } from './yaml.js';

export type PathSegment = string | number;

/**
 * How a text was read: the one thing that differs between the two readers (parseRoster). Both
 * answer with the same position model, Places, built only when a position or a spelling is asked.
 */
interface Reading {
  /** Every value that is not a string is spelled in the file as String(value) spells it. */
  spelledAsRead: boolean;
  /**
   * Where each collection and entry of the value starts, and the spelling of each respelled
   * scalar: by the collections of `value`, an equal value read again with places.
   */
  placed(): { value: unknown; places: Places };
}

/**
 * A parsed roster: its value, where any path of it is, and how a scalar is spelled. Every stage
 * after parsing asks these questions here and nowhere else; which reader read the text is not
 * theirs to know.
 */
export class RosterSource {
  constructor(
    /** The file as the user named it, for messages. */
    readonly file: string,
    readonly text: string,
    readonly lineCounter: SourceLines,
    /** The plain data, for schema validation; undefined when the text could not be read as a roster. */
    readonly value: unknown,
    private readonly reading?: Reading,
  ) {}

  /**
   * Where the value (or with part 'key', the key of the last segment) at a path starts, or the
   * deepest node on the way that exists: "unknown key" points at the key, a missing one at its mapping.
   */
  rangeAt(path: readonly PathSegment[], part: 'key' | 'value' = 'value'): [number, number] | undefined {
    if (!this.reading || this.value === null || typeof this.value !== 'object') return undefined;
    const { value, places } = this.reading.placed();
    let node = value;
    let at = places.get(value as object)!.at;
    for (const [i, segment] of path.entries()) {
      const placed = node !== null && typeof node === 'object' ? places.get(node) : undefined;
      const start = placed?.values.get(segment);
      if (start === undefined) break;
      if (part === 'key' && i === path.length - 1 && typeof segment === 'string') {
        const key = placed!.keys.get(segment) ?? start;
        return [key, key];
      }
      at = start;
      node = (node as Record<PathSegment, unknown>)[segment];
    }
    return [at, at];
  }

  /** A scalar as written in the file (so `0700` stays `0700`, not 700); `value` is the one at path. */
  scalarText(path: readonly PathSegment[], value: unknown): string {
    if (typeof value === 'string') return value;
    if (!this.reading || this.reading.spelledAsRead || path.length === 0) return String(value);
    const { value: root, places } = this.reading.placed();
    let node = root;
    for (const segment of path.slice(0, -1)) {
      if (node === null || typeof node !== 'object') return String(value);
      node = (node as Record<PathSegment, unknown>)[segment];
    }
    const placed = node !== null && typeof node === 'object' ? places.get(node) : undefined;
    return placed?.spelled.get(path[path.length - 1]!) ?? String(value);
  }
}

const YAML_CODES: Record<string, DiagnosticCode> = {
  TAB_AS_INDENT: 'YAML_TAB',
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  MULTIPLE_DOCS: 'YAML_MULTIPLE_DOCUMENTS',
  BAD_ALIAS: 'YAML_ALIAS',
  ALIAS_PROPS: 'YAML_ALIAS',
};

const YAML_HINTS: Partial<Record<DiagnosticCode, string>> = {
  YAML_TAB: 'indent with spaces; YAML does not allow tabs there',
  YAML_DUPLICATE_KEY: 'remove or rename one of the two keys',
  YAML_MULTIPLE_DOCUMENTS: 'a roster is one document: remove the `---` or `...` separators',
};

/**
 * Line starts from the text itself, not from the parser: when yaml recovers from broken flow
 * collections it skips some line breaks, and positions after them pointed past their line's end.
 * Counted when a position is first asked for: a run without a message needs none (nor yaml).
 */
export function lineCounterOf(text: string): SourceLines {
  let counter: SourceLines | undefined;
  const count = () => {
    const lines = new (yaml().LineCounter)();
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return lines;
  };
  return { linePos: (offset) => (counter ??= count()).linePos(offset) };
}

/**
 * Parses roster text into a RosterSource. Pure: reports problems, never throws. Most rosters are
 * read by the one-pass reader (parse-simple-yaml.ts), which yaml agrees with wherever it reads a
 * text (test/load/parse-simple-yaml.test.ts says so) and which costs a tenth of yaml's document;
 * a text it declines (anchors, block scalars, a syntax error…) is read by yaml.
 */
export function parseRoster(file: string, text: string, report: Report): RosterSource {
  const lineCounter = lineCounterOf(text);
  const simple = parseSimpleYaml(text);
  if (!simple) return parseWithYaml(file, text, lineCounter, report);
  let placed: { value: unknown; places: Places } | undefined;
  return new RosterSource(file, text, lineCounter, simple.value, {
    spelledAsRead: simple.spelledAsRead,
    placed() {
      if (!placed) {
        const places: Places = new Map();
        // The same text, read the same way, this time noting where each node starts.
        placed = { value: parseSimpleYaml(text, places)!.value, places };
      }
      return placed;
    },
  });
}

/** Reads a text with yaml's document, as parseRoster does for one the one-pass reader declines (exported for the differential test). */
export function parseWithYaml(file: string, text: string, lineCounter: SourceLines, report: Report): RosterSource {
  const { isMap, isScalar, parseDocument } = yaml();
  const unread = () => new RosterSource(file, text, lineCounter, undefined);
  const error = (code: DiagnosticCode, message: string, range?: readonly [number, number], hint?: string) =>
    report(errorIn(file, code, message, hint, range));

  let doc: Document.Parsed;
  try {
    // yaml's own uniqueKeys check compares every key with every other: minutes for a mapping of
    // 30,000 keys. duplicateKeys below does the same check with a set.
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: true });
  } catch (thrown) {
    // The parser recurses; a document nested thousands deep exhausts the stack.
    error('YAML_SYNTAX', thrown instanceof RangeError ? 'the roster nests too deeply to parse' : 'the roster cannot be parsed');
    return unread();
  }
  const problems = [...doc.errors, ...doc.warnings];
  const said = new Set<string>();
  for (const problem of problems) {
    const code = YAML_CODES[problem.code] ?? 'YAML_SYNTAX';
    const { message, range, hint } = overIndented(text, problem) ?? { message: firstLine(problem.message), range: problem.pos, hint: YAML_HINTS[code] };
    // yaml reports one indentation mistake as two or three errors; once explained, they are one.
    const id = `${code}:${range[0]}:${message}`;
    if (said.has(id)) continue;
    said.add(id);
    error(code, message, range, hint);
  }
  const complex: Node[] = [];
  const duplicates = duplicateKeys(doc, complex);
  for (const key of duplicates) error('YAML_DUPLICATE_KEY', `the key '${String(key.value)}' appears twice in this mapping`, rangeOf(key), YAML_HINTS.YAML_DUPLICATE_KEY);
  for (const key of complex) error('YAML_SYNTAX', 'a mapping key must be plain text, not a list or mapping', rangeOf(key), 'write the key as a name, e.g. `env: { KEY: value }`');
  if (problems.length > 0 || duplicates.length > 0 || complex.length > 0) return unread();

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    error('EMPTY', `${file} has no content`, undefined, 'start from `mosaic-gen init --profile general`');
    return unread();
  }
  if (!isMap(contents)) {
    error('NOT_A_MAPPING', `the roster must be a mapping (version:, agents:, …), not a ${kindOf(contents)}`, rangeOf(contents), 'start with `version: 1`');
    return unread();
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    error('YAML_ALIAS', thrown instanceof Error ? thrown.message : 'aliases cannot be resolved', rangeOf(contents));
    return unread();
  }
  let places: Places | undefined;
  return new RosterSource(file, text, lineCounter, value, {
    spelledAsRead: !hasRespelledScalar(doc),
    placed: () => ({ value, places: (places ??= placesOfDocument(doc, value)) }),
  });
}

/** Whether a scalar that is not a string is spelled otherwise than String(value) (`0700`, `~`, an empty value). */
function hasRespelledScalar(doc: Document.Parsed): boolean {
  const { visit } = yaml();
  let found = false;
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' || node.source === String(node.value)) return undefined;
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * The places of yaml's document, in the model the one-pass reader records (parse-simple-yaml.ts
 * Places): each collection of the value by the value itself. An alias's collection is the
 * anchor's (toJS shares it), so a path through an alias is placed inside the anchored node.
 */
function placesOfDocument(doc: Document.Parsed, root: unknown): Places {
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  const places: Places = new Map();
  const enter = (entry: Placed, segment: PathSegment, node: unknown, value: unknown) => {
    if (node === null || typeof node !== 'object') return;
    const start = (node as Node).range?.[0];
    if (start !== undefined) entry.values.set(segment, start);
    if (isScalar(node) && typeof node.value !== 'string' && typeof node.source === 'string' && node.source !== String(node.value)) entry.spelled.set(segment, node.source);
    if (!isAlias(node)) walk(node as Node, value);
  };
  const walk = (node: Node, value: unknown) => {
    if (value === null || typeof value !== 'object' || places.has(value)) return;
    const placed: Placed = { at: node.range?.[0] ?? 0, keys: new Map(), values: new Map(), spelled: new Map() };
    if (isMap(node)) {
      places.set(value, placed);
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (pair.key.range) placed.keys.set(key, pair.key.range[0]);
        enter(placed, key, pair.value, (value as Record<string, unknown>)[key]);
      }
    } else if (isSeq(node)) {
      places.set(value, placed);
      node.items.forEach((item, i) => enter(placed, i, item, (value as unknown[])[i]));
    }
  };
  walk(doc.contents as Node, root);
  return places;
}

/** Every key that repeats an earlier key of the same mapping (scalar keys, compared by value). */
function duplicateKeys(doc: Document.Parsed, complex: Node[]): Array<Node & { value: unknown }> {
  const { isScalar, visit } = yaml();
  const repeated: Array<Node & { value: unknown }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) {
          if (pair.key !== null) complex.push(pair.key as Node);
          continue;
        }
        const id = `${typeof pair.key.value}:${String(pair.key.value)}`;
        if (seen.has(id)) repeated.push(pair.key);
        seen.add(id);
      }
    },
  });
  return repeated;
}

/** yaml's errors for a key indented deeper than the key before it, which ends in a one-line value. */
const INDENT_ERRORS = new Set(['BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);
/** A block mapping entry: its indent, an optional `- `, the key, and what follows the colon. */
const ENTRY = /^( *)(- +)?([^\s#:'"{}[\],&*!|>%@`-][^:#]*?|"[^"]*"|'[^']*'):(?: +(.*))?$/;

/**
 * In words a person uses, the mistake behind yaml's errors for an over-indented key: yaml reads
 * `workdir: x` indented below `runtime: pi` as the rest of a multi-line value `pi workdir: x`
 * and says "Nested mappings are not allowed in compact mappings" at the line before.
 */
function overIndented(text: string, problem: { code: string; pos: [number, number] }): { message: string; range: [number, number]; hint: string } | undefined {
  if (!INDENT_ERRORS.has(problem.code)) return undefined;
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  // The key yaml stumbled on is on the line of the error or on the next (below a one-line value).
  let start = lineStart(problem.pos[0]);
  for (let looked = 0; looked < 3 && start < text.length; looked++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    const entry = ENTRY.exec(line);
    if (entry && line.trim() !== '') {
      const before = previousEntry(text, start);
      const column = entry[1]!.length + (entry[2]?.length ?? 0);
      if (before && column > before.column && before.valueOnLine) {
        const key = entry[3]!;
        return {
          message: `\`${key}:\` is indented more than the keys before it`,
          range: [start + column, start + column],
          hint: `line it up with \`${before.key}:\` on line ${before.line} (column ${before.column + 1})`,
        };
      }
    }
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}

/** The mapping entry on the nearest line above `start` that is not blank or a comment. */
function previousEntry(text: string, start: number): { key: string; column: number; line: number; valueOnLine: boolean } | undefined {
  let end = start - 1;
  while (end > 0) {
    const from = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(from, end);
    end = from - 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const entry = ENTRY.exec(line);
    if (!entry) return undefined;
    const lineNumber = text.slice(0, from).split('\n').length;
    return { key: entry[3]!, column: entry[1]!.length + (entry[2]?.length ?? 0), line: lineNumber, valueOnLine: (entry[4] ?? '').trim() !== '' && !entry[4]!.trim().startsWith('#') };
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function kindOf(node: Node): string {
  const { isScalar, isSeq } = yaml();
  if (isSeq(node)) return 'list';
  if (isScalar(node)) return typeof node.value === 'string' ? 'string' : String(typeof node.value);
  return 'value';
}

function rangeOf(node: Node | null | undefined): [number, number] | undefined {
  return node?.range ? [node.range[0], node.range[1]] : undefined;
}

export type { Diagnostic };
