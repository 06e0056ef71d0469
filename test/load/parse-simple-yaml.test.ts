/**
 * parseSimpleYaml either declines a text or gives exactly the value yaml gives, on a text yaml
 * reads without an error or a warning: on the fuzz corpus (valid rosters in every writing style,
 * and mutated ones), every fixture and preset roster, and a table of edge cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';
import { parseRoster, parseWithYaml, type PathSegment } from '../../src/load/parse-roster.js';
import { parseSimpleYaml } from '../../src/load/parse-simple-yaml.js';
import { mutatedRoster, RUNS, rosterText, SEED, validRoster, yamlStyle } from '../fuzz/arbitraries.js';

const REPO = join(import.meta.dirname, '..', '..');

/** The data with every string's characters outside printable ASCII replaced, and no long strings. */
function tame(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/[^\x20-\x7e]/g, 'x').slice(0, 40);
  if (Array.isArray(value)) return value.map(tame);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [tame(k), tame(v)]));
  return value;
}

/**
 * Whether the two readers agree on a text; returns whether the one-pass one took it. Agreeing
 * includes spelling: when the one-pass reader says every value that is not a string reads back
 * as written, yaml's source text of each such scalar is String(value), and a RosterSource from
 * either reader gives each scalar's source text. And places: a diagnostic at any path points,
 * from either reader, where yaml's document has that node (yamlStart).
 */
function agree(text: string): boolean {
  const simple = parseSimpleYaml(text);
  if (!simple) return false;
  const doc = parseDocument(text, { prettyErrors: false, strict: true });
  expect([...doc.errors, ...doc.warnings].map((e) => e.message), `yaml refuses what parseSimpleYaml took:\n${text}`).toEqual([]);
  expect(simple.value, `the values differ for:\n${text}`).toStrictEqual(doc.toJS());
  expect(simple.spelledAsRead, `the spelling flag is wrong for:\n${text}`).toBe(respelledScalars(doc).length === 0);
  const read = parseRoster('roster.yaml', text, () => {});
  const byYaml = parseWithYaml('roster.yaml', text, read.lineCounter, () => {});
  for (const [path, part] of pathsOf(doc.contents as Node)) {
    const expected = yamlStart(doc, path, part);
    expect(read.rangeAt(path, part)?.[0], `${part} at /${path.join('/')} is placed elsewhere than yaml places it in:\n${text}`).toBe(expected);
    expect(byYaml.rangeAt(path, part)?.[0], `yaml's reader places ${part} at /${path.join('/')} elsewhere in:\n${text}`).toBe(expected);
  }
  for (const [path, node] of scalarsOf(doc.contents as Node)) {
    const spelled = typeof node.value === 'string' ? node.value : node.source;
    expect(read.scalarText(path, node.value), `the spelling of /${path.join('/')} in:\n${text}`).toBe(spelled);
    expect(byYaml.scalarText(path, node.value), `yaml's reader spells /${path.join('/')} otherwise in:\n${text}`).toBe(spelled);
  }
  return true;
}

/** Where yaml's document starts the node at a path (its key with part 'key'), or the deepest node on the way: the oracle of places. */
function yamlStart(doc: Document.Parsed, path: readonly PathSegment[], part: 'key' | 'value'): number | undefined {
  const nodeAt = (steps: readonly PathSegment[], which: 'key' | 'value'): Node | undefined => {
    let node: unknown = doc.contents;
    let key: unknown;
    for (const segment of steps) {
      if (isAlias(node)) node = node.resolve(doc);
      key = undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? item.key.value : item.key) === segment);
        if (!pair) return node as Node;
        key = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
      else return node as Node | undefined;
    }
    if (which === 'key' && key) return key as Node;
    return (node ?? undefined) as Node | undefined;
  };
  for (let depth = path.length; depth >= 0; depth--) {
    const range = nodeAt(path.slice(0, depth), depth === path.length ? part : 'value')?.range;
    if (range) return range[0];
  }
  return undefined;
}

/** Every scalar value of a document (not keys, not through aliases), by path. */
function scalarsOf(node: Node, path: PathSegment[] = []): Array<[PathSegment[], { value: unknown; source?: unknown }]> {
  if (isScalar(node)) return path.length === 0 ? [] : [[path, node]];
  if (isMap(node)) return node.items.flatMap((pair) => (pair.value ? scalarsOf(pair.value as Node, [...path, String((pair.key as { value: unknown }).value)]) : []));
  if (isSeq(node)) return node.items.flatMap((item, i) => scalarsOf(item as Node, [...path, i]));
  return [];
}

/** Every key and value of a document, and paths that miss: a key or index not there, a step below a scalar. */
function pathsOf(node: Node, path: PathSegment[] = []): Array<[PathSegment[], 'key' | 'value']> {
  const found: Array<[PathSegment[], 'key' | 'value']> = [[path, 'value'], [[...path, 'missing', 0], 'value']];
  if (isMap(node)) {
    found.push([[...path, 'missing'], 'key']);
    for (const pair of node.items) {
      const key = (pair.key as { value: string }).value;
      found.push([[...path, key], 'key'], [[...path, key, 'below'], 'key'], ...pathsOf(pair.value as Node, [...path, key]));
    }
  } else if (isSeq(node)) {
    found.push([[...path, node.items.length], 'value'], [[...path, '0'], 'key']);
    node.items.forEach((item, i) => found.push([[...path, i], 'key'], ...pathsOf(item as Node, [...path, i])));
  }
  return found;
}

/** yaml's scalars that are not strings and whose source is not String(value). */
function respelledScalars(doc: Document.Parsed): string[] {
  const found: string[] = [];
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string' && node.source !== String(node.value)) found.push(String(node.source));
    },
  });
  return found;
}

/** A document of the subset as a tree: its texts are written by subsetText. */
type SubsetNode = { scalar: string } | { map: Array<[string, SubsetNode]> } | { seq: SubsetNode[] };
const subsetTree: fc.Arbitrary<SubsetNode> = fc.letrec<{ node: SubsetNode; map: SubsetNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ scalar: fc.constantFrom('', 'a', 'pi', '~/p x', '42', '0700', 'true', 'null', '-7', '"q: r"', "'it''s'", '[a, b]', '[ x , "y" ]', '{ a: 1, b: [c] }', '{}', '[]', '{  k: v  }') }),
    tie('map'),
    fc.record({ seq: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
  map: fc.record({ map: fc.uniqueArray(fc.tuple(fc.constantFrom('name', 'runtime', 'env', 'args', 'k', "'q k'", 'v2'), tie('node')), { minLength: 1, maxLength: 4, selector: ([key]) => key }) }),
})).map;

/** Writes a tree in block style, with spaces, comments and blank lines as `choices` pick them. */
function subsetText(tree: SubsetNode, choices: number[]): string {
  let next = 0;
  const pick = <T>(options: readonly T[]): T => options[choices[next++ % choices.length]! % options.length]!;
  const lines: string[] = [];
  const gap = () => pick([' ', ' ', '  ', '   ']);
  const after = () => pick(['', '', '', ' # c', '   #x', '  ']);
  const between = (indent: number) => pick([null, null, null, null, '', `${' '.repeat(indent)}# between`])?.toString();
  // A value after `head` (`key:` or `-`): on the same line, or the block below.
  const value = (head: string, node: SubsetNode, indent: number) => {
    if ('scalar' in node) lines.push(node.scalar === '' ? `${head}${after()}` : `${head}${gap()}${node.scalar}${after()}`);
    else if ('map' in node) {
      lines.push(`${head}${after()}`);
      block(node, indent + pick([1, 2, 4]));
    } else {
      lines.push(`${head}${after()}`);
      block(node, head.trimStart().startsWith('-') ? indent + 2 : indent + pick([0, 2]));
    }
  };
  const block = (node: SubsetNode, indent: number) => {
    const pad = ' '.repeat(indent);
    if ('map' in node) {
      for (const [key, child] of node.map) {
        const extra = between(indent);
        if (extra !== undefined) lines.push(extra);
        value(`${pad}${key}:`, child, indent);
      }
    } else if ('seq' in node) {
      for (const item of node.seq) {
        if ('map' in item) {
          // `- key: value`, the other keys lined up under the first.
          const space = gap();
          const [key, first] = item.map[0]!;
          const rest = item.map.slice(1);
          value(`${pad}-${space}${key}:`, first, indent + 1 + space.length);
          block({ map: rest }, indent + 1 + space.length);
        } else value(`${pad}-`, item, indent);
      }
    }
  };
  block('map' in tree ? tree : { map: [['k', tree]] }, 0);
  return `${lines.join('\n')}\n`;
}

const rosterFiles = [
  join(REPO, 'roster.yaml'),
  ...readdirSync(join(REPO, 'test', 'fixtures', 'rosters')).map((f) => join(REPO, 'test', 'fixtures', 'rosters', f)),
  ...readdirSync(join(REPO, 'templates', 'presets')).map((f) => join(REPO, 'templates', 'presets', f)),
];

describe('parseSimpleYaml', () => {
  it('agrees with yaml on every valid roster of the fuzz corpus, in every writing style', () => {
    let taken = 0;
    fc.assert(
      fc.property(validRoster, yamlStyle, (roster, style) => {
        if (agree(rosterText(roster, style))) taken++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Most of this corpus is hostile text (control characters, byte order marks, block scalars),
    // declined on purpose: that some is taken shows the property ran on both paths.
    expect(taken).toBeGreaterThan(0);
  });

  it('agrees with yaml on the same rosters with their strings tamed to printable ASCII, and takes most of them', () => {
    let taken = 0;
    fc.assert(
      fc.property(validRoster, yamlStyle, (roster, style) => {
        const text = new Document(tame(roster)).toString(style);
        if (agree(text)) taken++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(taken).toBeGreaterThan(RUNS / 4);
  });

  it('agrees with yaml, places included, on texts of the subset written with every spacing, comment and empty value', () => {
    let taken = 0;
    fc.assert(
      fc.property(subsetTree, fc.array(fc.nat(9), { minLength: 32, maxLength: 32 }), (tree, choices) => {
        if (agree(subsetText(tree, choices))) taken++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(taken).toBeGreaterThan(RUNS / 2);
  });

  it('agrees with yaml on every mutated roster it takes', () => {
    fc.assert(
      fc.property(mutatedRoster, ({ bytes }) => {
        agree(bytes.toString('utf8'));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it.each(rosterFiles)('agrees with yaml on %s', (file) => {
    agree(readFileSync(file, 'utf8'));
  });

  it("takes the repository's roster.yaml (limits in flow maps: 400%), so its build reads no Document", () => {
    expect(agree(readFileSync(join(REPO, 'roster.yaml'), 'utf8'))).toBe(true);
  });

  it('takes a roster written as README and the benchmark write them', () => {
    const text = [
      'version: 1',
      'transport: tmux',
      'fleet:',
      '  session: bench',
      '  path: [~/.local/bin]',
      '  env: { LOG_LEVEL: info }',
      'agents:',
      '  - { name: orchestrator, runtime: pi, class: orchestrator }',
      '  - name: agent-00005   # a comment',
      '    runtime: codex',
      '    lifecycle: on-demand',
      '    workdir: ~/src/app-5',
      '    args: [--model, o4]',
      '    env: { TZ: UTC, TICKET: "T-5" }',
      "    envFiles: ['~/.config/mosaic/secrets/agent-00005.env']",
      '',
    ].join('\n');
    expect(agree(text)).toBe(true);
    const taken = parseSimpleYaml(text);
    expect(taken?.value.agents).toEqual([
      { name: 'orchestrator', runtime: 'pi', class: 'orchestrator' },
      { name: 'agent-00005', runtime: 'codex', lifecycle: 'on-demand', workdir: '~/src/app-5', args: ['--model', 'o4'], env: { TZ: 'UTC', TICKET: 'T-5' }, envFiles: ['~/.config/mosaic/secrets/agent-00005.env'] },
    ]);
  });

  const EDGES: Array<[string, 'taken' | 'declined']> = [
    ['a: 1\nb: -7\nc: 0\n', 'taken'],
    // Where empty values and flow entries are placed: after the indicator and its spaces, at a comment.
    ['a:   \nb: # c\nc:\n  - # c\n  -   \n  - k:\n    j: 1\n  -  k: [ x , { y: 1,  z: [] } ]\n  -\n    - w\n', 'taken'],
    ["'q k': 1\n\"r\": {  }\nl:\n- 1\n# c\nm:\n\n  n: 1\n", 'taken'],
    ['a: 0700\nb: 1.5\nc: -0\nd: 0o17\ne: 0x1F\nf: -2.5e-3\ng: +.5\nh: 1.\ni: 99999999999999999999\nj: ./x\nk: .5x\nl: 1_000\n', 'taken'],
    ['a: .inf\n', 'declined'],
    ['a: .NaN\n', 'declined'],
    ['a: ~\nb: null\nc:\nd: True\ne: FALSE\n', 'taken'],
    ['a: ~/x\nb: x # c\nc: "q" # c\nd: \'it\'\'s\'\n', 'taken'],
    ['a: "\\t\\x41\\u00e9\\U0001F4A5\\\\\\"/"\n', 'taken'],
    ['a: "\\q"\n', 'declined'],
    ['a: x:y\nb: x#y\nc: [a, b]\nd: {}\ne: []\n', 'taken'],
    ['a: x: y\n', 'declined'],
    ['a: x:\n', 'declined'],
    ['a:\n- x\n- y\nb: 1\n', 'taken'],
    ['a:\n  - name: x\n    args:\n    - 1\n    -\n  - z\n', 'taken'],
    ['a:\n  b: 1\n c: 2\n', 'declined'],
    ['a: x\n  y\n', 'declined'],
    ['a:\n  x\n  y\n', 'declined'],
    ['a:\n  {}\nb:\n  - \n    [x]\nc:\n  "q"\n', 'taken'],
    ['a: &x 1\nb: *x\n', 'declined'],
    ['a: !!str 1\n', 'declined'],
    ['a: |\n  x\n', 'declined'],
    ['a: [a, [b, {}], { K: [c, { L: d }] }]\n', 'taken'],
    [`a: ${'['.repeat(20)}${']'.repeat(20)}\n`, 'declined'],
    ['a: [a, [b]\n', 'declined'],
    ['a: [a, ]\n', 'declined'],
    ['a: {K: v}\n', 'taken'],
    ['a: { cpu: 400%, m: a@b, q: 50%x }\nb: [x%, y@]\n', 'taken'],
    ['a: [@x]\n', 'declined'],
    ['a: { p: %x }\n', 'declined'],
    ['"a": 1\n\'b c\': "é💥"\n- x\n', 'declined'],
    ['"a": 1\n\'b c\': "é💥"\nd:\n  - "k": v\n', 'taken'],
    ['a: "\\u2028"\n', 'taken'],
    ['a: "\\ufeff"\n', 'taken'],
    ['a: { K: v, K: w }\n', 'declined'],
    ['a: 1\na: 2\n', 'declined'],
    ['__proto__: 1\n', 'declined'],
    ['a: "x\n  y"\n', 'declined'],
    ['--- \na: 1\n', 'declined'],
    ['a: 1\n...\n', 'declined'],
    ['a: b\r\n', 'declined'],
    ['a:\tb\n', 'declined'],
    ['a: é\n', 'taken'],
    ['- a\n', 'declined'],
    ['a\n', 'declined'],
    ['a: "x"y\n', 'declined'],
    ['a: - b\n', 'declined'],
    ['a: [-, b]\n', 'declined'],
    ['a: [--x, "b,c", \'d\']\n', 'taken'],
    ['true: 1\n', 'declined'],
    [`${'k'.repeat(1100)}: 1\n`, 'declined'],
    [`"${'k'.repeat(1100)}": 1\n`, 'declined'],
    [`a: { ${'k'.repeat(1100)}: 1 }\n`, 'declined'],
    ['a: @x\n', 'declined'],
    ['# only a comment\n', 'declined'],
    ['', 'declined'],
  ];
  it.each(EDGES)('%j is %s, and when taken agrees with yaml', (text, expected) => {
    expect(agree(text) ? 'taken' : 'declined').toBe(expected);
  });
});

describe('places of a roster read by the one-pass reader', () => {
  it('point a diagnostic where yaml would', () => {
    const text = 'version: 1\nagents:\n  - name: a\n    nme: pi\n  - { name: b, args: [x, 7] }\n';
    const source = parseRoster('roster.yaml', text, () => {});
    const at = (path: PathSegment[], part: 'key' | 'value' = 'value') => text.slice(source.rangeAt(path, part)![0]).split('\n')[0];
    expect(at(['agents', 0, 'nme'], 'key')).toBe('nme: pi');
    expect(at(['agents', 1, 'args', 1])).toBe('7] }');
    expect(at(['agents', 1, 'runtime'])).toBe('{ name: b, args: [x, 7] }');
    expect(at(['agents', 2])).toBe('- name: a');
  });
});
