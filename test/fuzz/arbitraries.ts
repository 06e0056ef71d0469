/**
 * Generators for the property tests: valid rosters (any shape the format allows, every invariant
 * kept), and mutations of them (deleted, duplicated, retyped and misspelt keys, random bytes, deep
 * nesting, very long strings).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Document, parse, type ToStringOptions } from 'yaml';
import { PROFILES, ROLE_LIBRARY, type Profile } from '../../src/model/roster-input.js';
import { unrepresentable, unrepresentableAsExecutable } from '../../src/model/value-rules.js';
import { REPO } from '../support/cli.js';

/** Cases per property: small in the default run, FUZZ_RUNS (npm run fuzz: 10,000) otherwise. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** Up to 150 ms a case (a 10,000-case run takes minutes); never below the suite's own minute. */
export const FUZZ_TIMEOUT = Math.max(60_000, RUNS * 150);
/** A fixed seed unless FUZZ_SEED is given, so a default run is reproducible. */
export const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_240_601;

export const BUILTIN_RUNTIME_NAMES = ['claude', 'codex', 'opencode', 'pi'];

interface PresetAgent {
  name: string;
  role?: string;
  class?: string;
}
export const PRESET_AGENTS: Record<Profile, PresetAgent[]> = Object.fromEntries(
  PROFILES.map((p) => [p, (parse(readFileSync(join(REPO, 'templates', 'presets', `${p}.yaml`), 'utf8')) as { agents: PresetAgent[] }).agents]),
) as Record<Profile, PresetAgent[]>;

// ---------------------------------------------------------------- values

/** Characters that mean something to sh, systemd, env files, tmux or YAML. */
const NASTY = ['\'', '"', '$', '`', '\\', '%', ';', '&', '|', '#', '(', ')', '{', '}', '*', '?', '[', ']', '~', '!', '<', '>', '=', ':', ',', '-', '@', ' ', '\t', '\n', '\r', '\x01', '\x1b', '\x7f', 'é', '💥', '\u2028', '\ufeff', 'a', 'Z', '0'];

/** No NUL, and no Unicode noncharacter (systemd drops such values as not UTF-8 clean): what any value may hold. */
const noNul = (s: string) => unrepresentable(s) === undefined;

/** Any text a value may carry: no NUL (and no lone surrogate: fast-check never makes one). */
export const text: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }).filter(noNul), weight: 6 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 24 }), weight: 8 },
  { arbitrary: fc.constantFrom('$(touch /tmp/pwned)', '`id`', "'; rm -rf ~ #", '%i%h%%', '${HOME}', '$$', '\\', 'a\\\n', '  padded  ', '-x', '--', ''), weight: 4 },
  { arbitrary: fc.string({ unit: fc.constantFrom('x', '%', '$', '\'', '\n'), minLength: 1000, maxLength: 3000 }), weight: 1 },
);

/** A scalar as YAML can write it: text, a whole or a finite decimal number, a boolean. */
export const scalar: fc.Arbitrary<string | number | boolean> = fc.oneof(
  { arbitrary: text, weight: 6 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
);

export const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/);
export const envKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/);
export const env = fc.dictionary(envKey.filter((k) => !k.startsWith('MOSAIC_')), scalar, { maxKeys: 5 });

/** Absolute, `~` or `~/…` (what a host path may be). */
export const hostPath = fc.tuple(fc.constantFrom('/', '~/', '~'), text).map(([prefix, rest]) => (prefix === '~' ? '~' : `${prefix}${rest}`));

/** A path that can also stand on one unit-file line: no line break, no trailing backslash, no surrounding space. */
export const unitPath = hostPath.filter(
  (p) => !/[\n\r]/.test(p) && !p.endsWith('\\') && p === p.trim() && !/(^|\/)\.{1,2}(\/|$)|\/\/|.\/$/.test(p.replace(/^~\//, '/')),
);

// ---------------------------------------------------------------- rosters

export type Roster = Record<string, unknown> & { agents: Array<Record<string, unknown>> };

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/** Drops undefined fields, so the YAML holds only what was chosen. */
function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Fields any agent may set, whatever its class. */
const agentFields = (runtimes: readonly string[], needsRuntime: boolean) =>
  fc
    .record({
      runtime: needsRuntime ? fc.constantFrom(...runtimes) : optional(fc.constantFrom(...runtimes)),
      lifecycle: optional(fc.constantFrom('always-on', 'on-demand')),
      workdir: optional(hostPath),
      args: optional(fc.array(scalar, { maxLength: 4 })),
      env: optional(env),
      envFiles: optional(fc.uniqueArray(unitPath, { maxLength: 3 })),
    })
    .map(defined);

const workerRole = fc.oneof(fc.constantFrom(...ROLE_LIBRARY.filter((r) => r !== 'orchestrator')), name.filter((n) => n !== 'orchestrator'));

/** A worker: `class: worker` and/or a non-orchestrator role, or neither. */
const workerIdentity = fc
  .record({ class: optional(fc.constant('worker')), role: optional(workerRole) })
  .map(defined);

/** The orchestrator: class, role or both say so. */
const orchestratorIdentity = fc.constantFrom<Record<string, string>>({ class: 'orchestrator' }, { role: 'orchestrator' }, { class: 'orchestrator', role: 'orchestrator' });

const fleetSettings = fc
  .record({
    session: optional(name),
    linger: optional(fc.boolean()),
    path: optional(fc.array(hostPath.filter((p) => !p.includes(':')), { maxLength: 3 })),
    env: optional(env),
    // What systemd 252 accepts as an executable path, by the rules resolve checks it with
    // (test/hostile/unrepresentable.test.ts covers the rest).
    tmux: optional(text.map((t) => `/${t}`).filter((t) => unrepresentableAsExecutable(t) === undefined)),
  })
  .map(defined);

const runtimeDefs = fc.dictionary(
  name,
  fc.record({ command: fc.array(scalar, { minLength: 1, maxLength: 3 }), env: optional(env) }).map(defined),
  { maxKeys: 3 },
);

/** A roster the tool must accept: schema-valid, every fleet invariant kept. */
export const validRoster: fc.Arbitrary<Roster> = fc
  .record({
    profile: optional(fc.constantFrom(...PROFILES)),
    fleet: optional(fleetSettings),
    runtimes: optional(runtimeDefs),
    transport: optional(fc.constant('tmux')),
    schema: optional(fc.constant('./schemas/roster.schema.json')),
  })
  .chain(({ profile, fleet, runtimes, transport, schema }) => {
    const runtimeNames = [...new Set([...BUILTIN_RUNTIME_NAMES, ...Object.keys(runtimes ?? {})])];
    const preset = profile ? PRESET_AGENTS[profile] : [];
    const presetNames = preset.map((a) => a.name);
    const floorNames = profile === 'minimal' ? [] : ['orchestrator', 'enhancer'];
    const freshName = name.filter((n) => !presetNames.includes(n));
    const extraWorkers = fc.uniqueArray(fc.tuple(freshName, workerIdentity, agentFields(runtimeNames, true)), { selector: ([n]) => n, maxLength: 5 });
    // Preset agents keep their identity; the roster may override any other field.
    const overrides = fc.subarray(presetNames).chain((names) => fc.tuple(...names.map((n) => agentFields(runtimeNames, false).map((f) => ({ name: n, ...f })))));
    const omit = fc.subarray(presetNames.filter((n) => !floorNames.includes(n)));
    // Without a preset the roster brings its own orchestrator; minimal may add one or not.
    const ownOrchestrator =
      profile === undefined ? fc.tuple(freshName, orchestratorIdentity, agentFields(runtimeNames, true)).map((t) => [t])
      : profile === 'minimal' ? fc.option(fc.tuple(freshName, orchestratorIdentity, agentFields(runtimeNames, true)), { nil: undefined }).map((t) => (t ? [t] : []))
      : fc.constant([]);
    return fc.record({ overrides, omit, extraWorkers, ownOrchestrator, shuffleSeed: fc.nat() }).map(({ overrides, omit, extraWorkers, ownOrchestrator, shuffleSeed }) => {
      const overridden = overrides.filter((o) => !omit.includes(o.name));
      const own = [...ownOrchestrator, ...extraWorkers].filter(([n], i, all) => all.findIndex(([m]) => m === n) === i);
      const agents: Array<Record<string, unknown>> = [...overridden, ...own.map(([n, identity, fields]) => ({ name: n, ...identity, ...fields }))];
      // Rotating keeps the merge order rule (preset first) honest: roster order must not matter.
      const rotated = agents.length ? [...agents.slice(shuffleSeed % agents.length), ...agents.slice(0, shuffleSeed % agents.length)] : agents;
      const total = presetNames.length - omit.length + own.length;
      if (total === 0) rotated.push({ name: 'solo', runtime: 'pi' });
      return defined({
        ...(schema ? { $schema: schema } : {}),
        version: 1,
        profile,
        transport,
        fleet,
        runtimes,
        omit: omit.length ? omit : undefined,
        agents: rotated,
      }) as Roster;
    });
  });

/** YAML writing choices, so the parser sees many shapes of the same data. */
export const yamlStyle: fc.Arbitrary<ToStringOptions> = fc.record({
  lineWidth: fc.constantFrom(0, 20, 80),
  // Not 4: yaml 2.8 then writes a too-small indentation indicator for a block scalar that starts with spaces.
  indent: fc.constant(2),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  collectionStyle: fc.constantFrom('any', 'block', 'flow'),
}) as fc.Arbitrary<ToStringOptions>;

/** Equal as data (fast-check's records have no prototype, so compare as JSON). */
const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Counts rosters that yaml could not write back faithfully in the chosen style (see rosterText). */
export const yamlFallbacks = { count: 0 };

/**
 * The roster as YAML in the given style. yaml 2.8 writes some whitespace-only strings as block
 * scalars that read back differently (e.g. ' ' as `|-` + a blank line, read back as ''): that is
 * the test's writer failing, not the tool, so such a roster is written double-quoted instead.
 */
export function rosterText(roster: Roster, style: ToStringOptions = {}): string {
  const text = new Document(roster).toString(style);
  if (sameData(parse(text), roster)) return text;
  yamlFallbacks.count++;
  const quoted = new Document(roster).toString({ ...style, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
  if (!sameData(parse(quoted), roster)) throw new Error(`yaml cannot write this roster faithfully:\n${quoted}`);
  return quoted;
}

// ---------------------------------------------------------------- mutations

type Path = Array<string | number>;

/** Every path to a value in the data, root excluded. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  return node;
}

const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  text,
  fc.constant([]),
  fc.constant({}),
  fc.array(text, { maxLength: 2 }),
  fc.dictionary(text, text, { maxKeys: 2 }),
  fc.constantFrom('orchestrator', 'worker', 'enhancer', 'on-demand', 'claude', '1', 'version', '~/x', '/x', 'x'),
);

/** A change to the data: delete, retype, misspell or add a key, or empty/duplicate a list item. */
const dataMutation = fc.record({ pick: fc.nat(), kind: fc.constantFrom('delete', 'retype', 'misspell', 'add-key', 'duplicate-item'), value: replacement, spelling: fc.tuple(fc.nat(), fc.constantFrom('drop', 'swap', 'insert', 'case')), key: text });

type DataMutation = typeof dataMutation extends fc.Arbitrary<infer T> ? T : never;

/** Keys of the roster format by where they sit, so a misspelling of one is a user's typo. */
const FORMAT_KEYS: Array<[(path: Path) => boolean, readonly string[]]> = [
  [(p) => p.length === 1, ['version', 'profile', 'transport', 'fleet', 'runtimes', 'omit', 'agents']],
  [(p) => p.length === 2 && p[0] === 'fleet', ['session', 'linger', 'path', 'env', 'tmux']],
  [(p) => p.length === 3 && p[0] === 'runtimes', ['command', 'env']],
  [(p) => p.length === 3 && p[0] === 'agents', ['name', 'runtime', 'class', 'role', 'lifecycle', 'workdir', 'args', 'env', 'envFiles']],
];

/** A key of the format, misspelt into a key it does not define: what a user sees must name both. */
export interface Typo {
  key: string;
  misspelt: string;
}

function mutateData(roster: Roster, m: DataMutation): { data: unknown; typo?: Typo } {
  const data = clone(roster) as Record<string, unknown>;
  const paths = pathsOf(data);
  const path = paths[m.pick % paths.length]!;
  const parent = parentOf(data, path);
  const last = path[path.length - 1]!;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'retype':
      parent[last] = m.value;
      break;
    case 'misspell': {
      if (typeof last !== 'string') break;
      const [at, how] = m.spelling;
      const i = at % (last.length + 1);
      const misspelt =
        how === 'drop' ? last.slice(0, i) + last.slice(i + 1)
        : how === 'swap' ? last.slice(0, i) + (last[i + 1] ?? '') + (last[i] ?? '') + last.slice(i + 2)
        : how === 'insert' ? `${last.slice(0, i)}x${last.slice(i)}`
        : last.toUpperCase();
      const entries = Object.entries(parent).map(([k, v]) => [k === last ? misspelt : k, v] as const);
      for (const k of Object.keys(parent)) delete parent[k];
      for (const [k, v] of entries) parent[k] = v;
      const keys = FORMAT_KEYS.find(([at]) => at(path))?.[1];
      if (keys?.includes(last) && !keys.includes(misspelt) && misspelt !== '') return { data, typo: { key: last, misspelt } };
      break;
    }
    case 'add-key': {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[m.key] = m.value;
      else parent[m.key] = m.value;
      break;
    }
    case 'duplicate-item':
      if (Array.isArray(parent)) parent.splice(last as number, 0, clone(parent[last as number]));
      else parent[last] = [parent[last], parent[last]];
      break;
  }
  return { data };
}

const nested = (depth: number, open: string, close: string, leaf = '1') => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

/** A change to the text: bytes, lines, nesting, long strings, YAML features a roster does not use. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('insert-bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete-range' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.constantFrom(' ', '\t', '  ', '') }),
  fc.record({ kind: fc.constant('insert-text' as const), at: fc.nat(), text: fc.constantFrom(':', '- ', '{', '[', '"', "'", '&a ', '*a', '!!binary ', '? ', '---\n', '...\n', '%YAML 1.1\n', '<<: *a\n', '#', '|', '>', '\r', '\ufeff', '\u2028', '\x85', '\\') }),
  fc.record({ kind: fc.constant('deep-nesting' as const), at: fc.nat(), depth: fc.constantFrom(50, 1_000, 20_000), style: fc.constantFrom('[', '{', '- ') }),
  fc.record({ kind: fc.constant('long-string' as const), at: fc.nat(), length: fc.constantFrom(10_000, 200_000), quote: fc.constantFrom('', '"', "'") }),
  fc.record({ kind: fc.constant('alias-bomb' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function mutateText(bytes: Buffer, m: TextMutation): Buffer {
  const text = bytes.toString('utf8');
  const at = m.at % (bytes.length + 1);
  const splice = (insert: string | Uint8Array, remove = 0) => Buffer.concat([bytes.subarray(0, at), Buffer.from(insert), bytes.subarray(at + remove)]);
  const lines = text.split('\n');
  const line = m.at % lines.length;
  const starts = lineStarts(text);
  switch (m.kind) {
    case 'insert-bytes':
      return splice(m.bytes);
    case 'delete-range':
      return splice('', m.length);
    case 'duplicate-line':
      lines.splice(line, 0, lines[line]!);
      return Buffer.from(lines.join('\n'));
    case 'swap-lines': {
      const other = m.with % lines.length;
      [lines[line], lines[other]] = [lines[other]!, lines[line]!];
      return Buffer.from(lines.join('\n'));
    }
    case 'indent':
      lines[line] = `${m.by}${lines[line]!.replace(/^ +/, m.by === '' ? '' : '$&')}`;
      return Buffer.from(lines.join('\n'));
    case 'insert-text':
      return splice(m.text);
    case 'deep-nesting': {
      const value = m.style === '[' ? nested(m.depth, '[', ']') : m.style === '{' ? nested(m.depth, '{a: ', '}') : Array.from({ length: Math.min(m.depth, 2_000) }, (_, i) => `${' '.repeat(2 * i)}- `).join('\n') + '1';
      // Replace the value after a key on a random line, or append as a new key.
      const start = starts[line]!;
      const colon = text.indexOf(': ', start);
      const end = text.indexOf('\n', start);
      if (colon >= 0 && (end < 0 || colon < end)) return Buffer.from(`${text.slice(0, colon + 2)}${value}${end < 0 ? '' : text.slice(end)}`);
      return Buffer.from(`${text}\nnested: ${value}\n`);
    }
    case 'long-string': {
      const body = 'x'.repeat(m.length);
      const start = starts[line]!;
      const colon = text.indexOf(': ', start);
      const end = text.indexOf('\n', start);
      const value = `${m.quote}${body}${m.quote}`;
      if (colon >= 0 && (end < 0 || colon < end)) return Buffer.from(`${text.slice(0, colon + 2)}${value}${end < 0 ? '' : text.slice(end)}`);
      return Buffer.from(`${text}\n${body}: ${value}\n`);
    }
    case 'alias-bomb': {
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      return Buffer.from(`${text}\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    }
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

export interface MutatedRoster {
  bytes: Buffer;
  /** Set when the only change is a misspelt key of the format. */
  typo?: Typo;
  /** What was done, for the failure message. */
  steps: string[];
}

/** A valid roster, written in some style, then changed one to three times. */
export const mutatedRoster: fc.Arbitrary<MutatedRoster> = fc
  .tuple(validRoster, yamlStyle, fc.option(dataMutation, { nil: undefined }), fc.array(textMutation, { minLength: 0, maxLength: 2 }))
  .filter(([, , data, texts]) => data !== undefined || texts.length > 0)
  .map(([roster, style, data, texts]) => {
    const steps: string[] = [];
    let doc: unknown = roster;
    let typo: Typo | undefined;
    if (data) {
      ({ data: doc, typo } = mutateData(roster, data));
      steps.push(`data ${data.kind} #${data.pick}`);
    }
    let bytes: Buffer = Buffer.from(new Document(doc).toString(style));
    for (const m of texts) {
      bytes = mutateText(bytes, m);
      steps.push(`text ${m.kind}`);
    }
    return { bytes, steps, ...(typo && texts.length === 0 ? { typo } : {}) };
  });
