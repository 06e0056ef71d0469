import type { Document, Node } from 'yaml';
import { errorIn, type Diagnostic, type DiagnosticCode, type Report, type SourceLines } from '../errors.js';
import { parseSimpleYaml, type Places, type SimpleYaml } from './parse-simple-yaml.js';
import { MAX_OUTSIDE_SUBSET_BYTES, MAX_ROSTER_BYTES } from './read-roster-file.js';
import { yaml } from './yaml.js';

/** A parsed roster that remembers where every value came from. */
export interface RosterSource {
  /** The file as the user named it, for messages. */
  file: string;
  text: string;
  /** Parsed by yaml on first use when the plain value came from parseSimpleYaml (positions are for diagnostics). */
  readonly doc: Document.Parsed;
  lineCounter: SourceLines;
  /** The plain data, for schema validation; undefined when the document could not be read. */
  value: unknown;
  /** Every value that is not a string is spelled in the file as String(value) spells it (see scalarText). */
  spelledAsRead: boolean;
  /**
   * For a roster in the everyday subset: where its nodes start, read again by parseSimpleYaml on
   * first use. A diagnostic needs only that, not yaml's document (14 s and 1.3 GB at 8 MiB).
   */
  readonly starts?: Starts;
}

/** A value read with places (parse-simple-yaml.ts). */
interface Starts {
  value: unknown;
  places: Places;
}

export type PathSegment = string | number;

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
 * Parses roster text into its value and a positioned document. Pure: reports problems, never
 * throws. A roster in the everyday subset of YAML gets its value from parseSimpleYaml, which
 * yaml agrees with there (the test says so), and the document only when something asks for it.
 */
export function parseRoster(file: string, text: string, report: Report): RosterSource {
  const lineCounter = lineCounterOf(text);
  const simple = parseSimpleYaml(text);
  if ('outside' in simple) {
    // yaml's Document takes about 1.8 s and 160 MB a MiB: past this size, refuse rather than
    // spend a minute and gigabytes. The everyday subset is read up to MAX_ROSTER_BYTES.
    const bytes = Buffer.byteLength(text);
    if (bytes <= MAX_OUTSIDE_SUBSET_BYTES) return parseWithYaml(file, text, lineCounter, report);
    const { line } = lineCounter.linePos(simple.outside);
    report(
      errorIn(
        file,
        'TOO_LARGE',
        `${file} is ${bytes} bytes and line ${line} is outside the everyday subset of YAML: such a roster may be at most ${MAX_OUTSIDE_SUBSET_BYTES} bytes (one in the subset, ${MAX_ROSTER_BYTES})`,
        'write it in the subset (block mappings and sequences, one-line values; no anchors, tags, tabs, block scalars or multi-line values), or split the fleet',
        [simple.outside, simple.outside],
      ),
    );
    return { file, text, lineCounter, doc: undefined as unknown as Document.Parsed, value: undefined, spelledAsRead: false };
  }
  let doc: Document.Parsed | undefined;
  let starts: Starts | undefined;
  return {
    file,
    text,
    lineCounter,
    value: simple.value,
    spelledAsRead: simple.spelledAsRead,
    get doc() {
      doc ??= yaml().parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: true });
      return doc;
    },
    get starts() {
      if (!starts) {
        const places: Places = new Map();
        // The same text, read the same way: it cannot leave the subset the second time.
        starts = { value: (parseSimpleYaml(text, places) as SimpleYaml).value, places };
      }
      return starts;
    },
  };
}

function parseWithYaml(file: string, text: string, lineCounter: SourceLines, report: Report): RosterSource {
  const { isMap, isScalar, parseDocument } = yaml();
  const source: { -readonly [K in keyof RosterSource]: RosterSource[K] } = { file, text, doc: undefined as unknown as Document.Parsed, lineCounter, value: undefined, spelledAsRead: false };
  const error = (code: DiagnosticCode, message: string, range?: readonly [number, number], hint?: string) =>
    report(errorIn(file, code, message, hint, range));

  try {
    // yaml's own uniqueKeys check compares every key with every other: minutes for a mapping of
    // 30,000 keys. duplicateKeys below does the same check with a set.
    source.doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: true });
  } catch (thrown) {
    // The parser recurses; a document nested thousands deep exhausts the stack.
    error('YAML_SYNTAX', thrown instanceof RangeError ? 'the roster nests too deeply to parse' : 'the roster cannot be parsed');
    return source;
  }
  const problems = [...source.doc.errors, ...source.doc.warnings];
  for (const problem of problems) {
    const code = YAML_CODES[problem.code] ?? 'YAML_SYNTAX';
    error(code, firstLine(problem.message), problem.pos, YAML_HINTS[code]);
  }
  const complex: Node[] = [];
  const duplicates = duplicateKeys(source.doc, complex);
  for (const key of duplicates) error('YAML_DUPLICATE_KEY', `the key '${String(key.value)}' appears twice in this mapping`, rangeOf(key), YAML_HINTS.YAML_DUPLICATE_KEY);
  for (const key of complex) error('YAML_SYNTAX', 'a mapping key must be plain text, not a list or mapping', rangeOf(key), 'write the key as a name, e.g. `env: { KEY: value }`');
  if (problems.length > 0 || duplicates.length > 0 || complex.length > 0) return source;

  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    error('EMPTY', `${file} has no content`, undefined, 'start from `mosaic-gen init --profile general`');
    return source;
  }
  if (!isMap(contents)) {
    error('NOT_A_MAPPING', `the roster must be a mapping (version:, agents:, …), not a ${kindOf(contents)}`, rangeOf(contents), 'start with `version: 1`');
    return source;
  }
  try {
    source.value = source.doc.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    error('YAML_ALIAS', thrown instanceof Error ? thrown.message : 'aliases cannot be resolved', rangeOf(contents));
  }
  return source;
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

/**
 * The node at a data path, following aliases. With part 'key', the key of the last segment instead
 * of its value, so "unknown key" points at the key.
 */
export function nodeAt(source: RosterSource, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): Node | undefined {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  let node: unknown = source.doc?.contents;
  let key: unknown;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(source.doc);
    key = undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (!pair) return node as Node;
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return node as Node | undefined;
    }
  }
  if (part === 'key' && key) return key as Node;
  if (isAlias(node)) return node as Node;
  return (node ?? undefined) as Node | undefined;
}

/** Source range of the value (or key) at path, falling back to the nearest enclosing node. */
export function rangeAt(source: RosterSource, path: readonly PathSegment[], part: 'key' | 'value' = 'value'): [number, number] | undefined {
  if (source.starts) {
    const at = startAt(source.starts, path, part);
    return [at, at];
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeAt(source, path.slice(0, depth), depth === path.length ? part : 'value');
    const range = rangeOf(node);
    if (range) return range;
  }
  return undefined;
}

/**
 * Where the node at a path starts (its key's start with part 'key'), or the deepest node on the
 * way that exists: what rangeAt finds in yaml's document, from the places the simple reader kept.
 */
function startAt({ value, places }: Starts, path: readonly PathSegment[], part: 'key' | 'value'): number {
  let node = value;
  let at = places.get(value as object)!.at;
  for (const [i, segment] of path.entries()) {
    const placed = node !== null && typeof node === 'object' ? places.get(node) : undefined;
    const start = placed?.values.get(segment);
    if (start === undefined) break;
    if (part === 'key' && i === path.length - 1 && typeof segment === 'string') return placed!.keys.get(segment) ?? start;
    at = start;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return at;
}

/** A scalar as written in the file (so `0700` stays `0700`, not 700). */
export function scalarText(source: RosterSource, path: readonly PathSegment[], value: unknown): string {
  if (typeof value === 'string') return value;
  if (source.spelledAsRead) return String(value);
  const node = nodeAt(source, path);
  const { isScalar } = yaml();
  if (isScalar(node) && typeof node.source === 'string') return node.source;
  return String(value);
}

export type { Diagnostic };
