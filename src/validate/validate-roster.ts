import type { ErrorObject } from 'ajv';
import { DIAGNOSTIC_CODES, errorIn, type DiagnosticCode, type Report } from '../errors.js';
import type { PathSegment, RosterSource } from '../load/parse-roster.js';
import type { RosterInput } from '../model/roster-input.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { rosterValidator, schemaDef } from './roster-schema.js';

const MAX_REPORTED = 100;

/** Checks a parsed roster against the JSON Schema; reports every violation with its position. */
export function validateRoster(source: RosterSource, report: Report): RosterInput | undefined {
  const validated = validateRosterParts(source, report);
  return validated?.complete ? validated.input : undefined;
}

/** What a roster that broke the schema lost before its other parts were checked further. */
export interface Dropped {
  /** Indexes under `agents:` of the agents that broke the schema as a whole (left in place, to be skipped). */
  agents: ReadonlySet<number>;
  /**
   * Fields that broke the schema, by agent index: removed, so the agent's other fields are still
   * checked in the same run; a rule says nothing of a field being absent when it was removed.
   */
  agentFields: ReadonlyMap<number, ReadonlySet<string>>;
  /** Runtimes whose definition broke the schema (`all` when `runtimes:` itself did). */
  runtimes: ReadonlySet<string> | 'all';
  /** `profile:` broke the schema, so the preset the agents build on is unknown. */
  profile: boolean;
}

export type ValidatedParts = { input: RosterInput; complete: true } | { input: RosterInput; complete: false; dropped: Dropped };

/**
 * Like validateRoster, but when the schema is broken it also returns the roster without the broken
 * parts (an agent, a runtime, a fleet setting, a top-level key), so the rules after the schema can
 * still report the problems of the rest in the same run.
 */
export function validateRosterParts(source: RosterSource, report: Report): ValidatedParts | undefined {
  const validate = rosterValidator();
  if (validate(source.value)) return { input: spelled(source, withAgents(source.value)), complete: true };
  const { problems, count } = problemsOf(validate.errors ?? [], MAX_REPORTED + 1);
  for (const problem of problems.slice(0, MAX_REPORTED)) {
    const { code, message, hint } = describe(problem.error);
    report(errorIn(source.file, code, message, hint, source.rangeAt(problem.path, problem.part)));
  }
  // Past a screenful, more errors help nobody: the rest are counted, not described or placed,
  // and the rules after the schema do not look for more.
  if (count > MAX_REPORTED) {
    const more = count - MAX_REPORTED;
    report(errorIn(source.file, describe(problems[MAX_REPORTED]!.error).code, `${more} more ${more === 1 ? 'problem like these is' : 'problems like these are'} not shown`, 'fix the ones above and validate again'));
    return undefined;
  }
  const rest = withoutParts(source.value, problems.map((p) => p.path));
  if (!rest) return undefined;
  const checked = rest.value as { agents?: unknown[] };
  const brokenAgents = rest.dropped.agents as Set<number>;
  const remaining = () => (checked.agents ?? []).map((_, i) => i).filter((i) => !brokenAgents.has(i));
  let kept = remaining();
  if (!validate({ ...checked, agents: checked.agents && kept.map((i) => checked.agents![i]) })) {
    // An agent without one of its broken fields may still break the schema (a field it needs):
    // that agent is skipped whole, as before; anything else left broken ends the checks here.
    for (const error of validate.errors ?? []) {
      const [top, index] = parsePointer(error.instancePath);
      if (top !== 'agents' || typeof index !== 'number') return undefined;
      brokenAgents.add(kept[index]!);
    }
    kept = remaining();
    if (!validate({ ...checked, agents: checked.agents && kept.map((i) => checked.agents![i]) })) return undefined;
  }
  return { input: spelled(source, withAgents(rest.value), brokenAgents), complete: false, dropped: rest.dropped };
}

/** With a profile, `agents:` may be left out: the preset brings them. */
function withAgents(value: unknown): RosterInput {
  const input = value as RosterInput;
  return input.agents ? input : { ...input, agents: [] };
}

/**
 * The roster without every part that holds one of these paths (broken agents stay, by index, so
 * that the others keep their positions); undefined when nothing sensible is left.
 */
function withoutParts(value: unknown, paths: readonly PathSegment[][]): { value: unknown; dropped: Dropped } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const roster = structuredClone(value) as Record<string, unknown>;
  const section = (key: string) => (roster[key] && typeof roster[key] === 'object' ? (roster[key] as Record<string, unknown>) : {});
  const brokenAgents = new Set<number>();
  const agentFields = new Map<number, Set<string>>();
  const agentList = Array.isArray(roster.agents) ? (roster.agents as unknown[]) : [];
  let runtimes: Set<string> | 'all' = new Set();
  let profile = false;
  for (const [top, second, field] of paths) {
    if (top === undefined) {
      // A required top-level key is missing: what remains can still be checked as if it were there.
      roster.version ??= 1;
      roster.agents ??= [];
    } else if (top === 'agents' && typeof second === 'number') {
      // A broken field other than the name is removed and the agent kept: its other problems are
      // reported in this run, not the next. A broken name, or an agent that is not a mapping, skips it.
      const agent = agentList[second];
      if (typeof field === 'string' && field !== 'name' && agent !== null && typeof agent === 'object' && !Array.isArray(agent)) {
        delete (agent as Record<string, unknown>)[field];
        agentFields.set(second, (agentFields.get(second) ?? new Set()).add(field));
      } else brokenAgents.add(second);
    }
    else if (top === 'runtimes' && typeof second === 'string' && runtimes !== 'all') {
      runtimes.add(second);
      delete section('runtimes')[second];
    } else if (top === 'fleet' && typeof second === 'string') delete section('fleet')[second];
    else if (top === 'version') roster.version = 1;
    else if (top === 'agents') roster.agents = [];
    else {
      if (top === 'runtimes') runtimes = 'all';
      if (top === 'profile') profile = true;
      delete roster[top];
    }
  }
  return { value: roster, dropped: { agents: brokenAgents, agentFields, runtimes, profile } };
}

/** The roster with every command word and env value as the file spells it (see Scalar); broken agents as they are. */
function spelled(source: RosterSource, input: RosterInput, brokenAgents: ReadonlySet<number> = new Set()): RosterInput {
  const words = (path: PathSegment[], list: readonly unknown[] | undefined) => list?.map((value, i) => source.scalarText([...path, i], value));
  const env = (path: PathSegment[], map: Record<string, unknown> | undefined) =>
    map && Object.fromEntries(Object.entries(map).map(([key, value]) => [key, source.scalarText([...path, key], value)]));
  const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return {
    ...input,
    ...(input.fleet ? { fleet: defined({ ...input.fleet, env: env(['fleet', 'env'], input.fleet.env), limits: env(['fleet', 'limits'], input.fleet.limits) }) } : {}),
    ...(input.runtimes
      ? { runtimes: Object.fromEntries(Object.entries(input.runtimes).map(([name, def]) => [name, defined({ ...def, command: words(['runtimes', name, 'command'], def.command)!, env: env(['runtimes', name, 'env'], def.env), resume: words(['runtimes', name, 'resume'], def.resume), ...(def.report ? { report: defined({ ...def.report, args: words(['runtimes', name, 'report', 'args'], def.report.args) }) } : {}) })])) }
      : {}),
    ...(input.hosts ? { hosts: Object.fromEntries(Object.entries(input.hosts).map(([name, host]) => [name, defined({ ...host, env: env(['hosts', name, 'env'], host.env) })])) } : {}),
    agents: input.agents.map((agent, i) => (brokenAgents.has(i) ? agent : defined({ ...agent, args: words(['agents', i, 'args'], agent.args), env: env(['agents', i, 'env'], agent.env), limits: env(['agents', i, 'limits'], agent.limits) }))),
  };
}

/** Where a schema error points: the value at a path, or the key of its last segment. */
interface Problem {
  error: ErrorObject;
  path: PathSegment[];
  part: 'key' | 'value';
}

/** What a diagnostic says of a problem: described only for the ones shown. */
interface Explained {
  code: DiagnosticCode;
  message: string;
  hint?: string;
}

/**
 * Turns ajv's errors into one problem per place, most specific first: the first `limit` of them
 * located, and how many there are (a hostile roster has hundreds of thousands).
 */
function problemsOf(errors: readonly ErrorObject[], limit: number): { problems: Problem[]; count: number } {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // propertyNames reports twice: once for the object, once (marked) for the inner rule.
    if ((error as { propertyName?: string }).propertyName !== undefined) continue;
    // if/else (agents required without a profile) reports the inner `required` too.
    if (error.keyword === 'if') continue;
    const [below, part] = placeIn(error);
    const key = `${part}${error.instancePath}${below === undefined ? '' : `/${pointerSegment(below)}`}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (problems.length < limit) problems.push({ error, path: below === undefined ? parsePointer(error.instancePath) : [...parsePointer(error.instancePath), below], part });
  }
  return { problems, count: seen.size };
}

/** Where an error points below its instance, if anywhere, and whether at a key or a value. */
function placeIn(error: ErrorObject): [below: PathSegment | undefined, part: 'key' | 'value'] {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return [String(params.additionalProperty), 'key'];
    case 'propertyNames':
      return [String(params.propertyName), 'key'];
    case 'uniqueItems':
      return [Number(params.i), 'value'];
    default:
      return [undefined, 'value'];
  }
}

function pointerSegment(segment: PathSegment): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

function describe(error: ErrorObject): Explained {
  const path = parsePointer(error.instancePath);
  const where = label(path);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object).filter((k) => k !== '$schema');
      return {
        code: 'UNKNOWN_KEY',
        message: `unknown key '${key}' in ${where}`,
        hint: didYouMeanHint(key, allowed) ?? `allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'propertyNames': {
      // The code, the noun and the rule are the key definition's own (its x-code, title, description).
      const name = String(params.propertyName);
      const ref = (parent.propertyNames as { $ref?: string } | undefined)?.$ref;
      const def = ref ? schemaDef(ref) : {};
      return { code: codeOf(def, 'NAME'), message: `'${name}' is not a valid ${def.title ?? 'key'}`, hint: firstSentence(def.description ?? 'see `mosaic-gen schema`') };
    }
    case 'required': {
      const key = String(params.missingProperty);
      if (path.length === 0 && key === 'version') {
        return { code: 'VERSION', message: 'the roster has no version', hint: 'add `version: 1` at the top' };
      }
      return { code: 'MISSING_KEY', message: `${where} has no '${key}'`, hint: `add \`${key}:\`` };
    }
    case 'const': {
      if (path.length === 1 && path[0] === 'version') {
        return { code: 'VERSION', message: `unsupported roster version ${JSON.stringify(error.data)}`, hint: 'this mosaic-gen reads `version: 1`' };
      }
      return { code: 'ENUM', message: `${where} must be ${JSON.stringify(params.allowedValue)}, not ${JSON.stringify(error.data)}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const given = String(error.data);
      return {
        code: 'ENUM',
        message: `${where} is '${given}'; it must be one of: ${allowed.join(', ')}`,
        hint: didYouMeanHint(given, allowed) ?? `allowed values: ${allowed.join(', ')}`,
      };
    }
    case 'type': {
      const expected = orList(String(params.type).split(',').map(typeName));
      // YAML reads .inf, .nan and 1e400 as numbers JSON has no room for: name them for what they are.
      if (typeof error.data === 'number' && !Number.isFinite(error.data)) {
        const what = Number.isNaN(error.data) ? 'NaN (not a number)' : error.data > 0 ? 'infinity' : 'minus infinity';
        return { code: 'TYPE', message: `${where} must be ${expected}, not ${what}`, hint: 'quote it ("…") to pass the text as written' };
      }
      return { code: 'TYPE', message: `${where} must be ${expected}, not ${typeName(jsonType(error.data))}` };
    }
    case 'pattern': {
      const description = typeof parent.description === 'string' ? parent.description : `must match ${String(params.pattern)}`;
      const code = codeOf(parent, 'INVALID');
      if (code === 'NAME') return { code, message: `'${String(error.data)}' is not a valid name for ${where}`, hint: firstSentence(description) };
      return { code, message: `${where} is not valid: '${String(error.data)}'`, hint: firstSentence(description) };
    }
    case 'uniqueItems':
      return { code: 'DUPLICATE_ITEM', message: `${where} lists item ${Number(params.j) + 1} twice (again at ${Number(params.i) + 1})`, hint: 'remove the repeated item' };
    case 'minItems':
      return { code: 'INVALID', message: `${where} must not be empty` };
    case 'minLength':
      return { code: 'INVALID', message: `${where} must not be empty` };
    default:
      return { code: 'INVALID', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** The diagnostic code a schema definition names for a value that breaks it (its x-code). */
function codeOf(def: { 'x-code'?: unknown }, otherwise: DiagnosticCode): DiagnosticCode {
  const code = def['x-code'];
  return typeof code === 'string' && Object.hasOwn(DIAGNOSTIC_CODES, code) ? (code as DiagnosticCode) : otherwise;
}

function firstSentence(text: string): string {
  return text.split('. ')[0]!.replace(/\.$/, '');
}

function orList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/** `agents[1].env.TZ`, or `the roster` for the top level. */
export function label(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the roster';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function typeName(type: string): string {
  return ({ object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', null: 'empty', integer: 'a whole number' } as Record<string, string>)[type] ?? type;
}
