/**
 * Every problem mosaic-gen reports about its input is a Diagnostic: a value with a code from one
 * closed list, a source range, a message and an optional hint. Stages collect diagnostics and keep
 * going so a user sees all of a file's problems at once; only entry points decide to stop.
 * Line and column are computed from offsets only when printing.
 */

export const DIAGNOSTIC_CODES = {
  // reading the file
  NOT_FOUND: 'the roster file does not exist',
  NOT_A_FILE: 'the roster path is a directory or another non-regular file',
  UNREADABLE: 'the roster file cannot be read',
  TOO_LARGE: 'the roster file is larger than mosaic-gen accepts',
  ENCODING: 'the roster is not UTF-8 text',
  EMPTY: 'the roster file has no content',
  // YAML
  YAML_SYNTAX: 'the roster is not well-formed YAML',
  YAML_TAB: 'a tab is used for indentation',
  YAML_DUPLICATE_KEY: 'a mapping has the same key twice',
  YAML_MULTIPLE_DOCUMENTS: 'the file holds more than one YAML document',
  YAML_ALIAS: 'an alias is used in a way a roster does not allow',
  NOT_A_MAPPING: 'the roster is not a mapping at the top level',
  // schema
  VERSION: 'version is missing or not 1',
  UNKNOWN_KEY: 'a key that the roster format does not define',
  MISSING_KEY: 'a required key is absent',
  TYPE: 'a value has the wrong type',
  ENUM: 'a value is not one of the allowed ones',
  NAME: 'an agent, session, runtime or role name breaks the naming rule',
  ENV_KEY: 'an environment variable name is not a valid identifier',
  DUPLICATE_ITEM: 'a list has the same item twice',
  INVALID: 'a value breaks another rule of the roster format',
  // semantics, after the preset merge
  R5: 'the fleet does not have exactly one orchestrator',
  FLOOR: 'the fleet lacks the orchestrator + enhancer floor',
  NO_AGENTS: 'the fleet has no agents at all',
  DUPLICATE_NAME: 'two agents share a name',
  UNKNOWN_RUNTIME: 'an agent uses a runtime that is neither built in nor defined',
  UNKNOWN_HOST: 'an agent names a host that the roster\'s `hosts:` does not have, or has no host where the roster has hosts and no default host',
  POOL: 'a pool (`replicas:`) that cannot be: of the orchestrator or an enhancer, or a list of hosts without replicas',
  NO_RUNTIME: 'an agent has no runtime',
  ROLE_CLASS: "an agent's role and class contradict each other",
  UNKNOWN_OMIT: 'omit names an agent the preset does not have',
  OMIT_REDEFINED: 'an agent is both omitted and defined',
  UNREPRESENTABLE: 'a value contains characters the generated files cannot carry',
  RELATIVE_PATH: 'a path is neither absolute nor relative to ~/',
  // build and output
  OUTPUT: 'the output directory cannot be written',
  STATE: 'the installed state cannot be read',
  DRIFT: 'installed files were edited by hand since they were installed',
  LOCKED: 'another run holds the fleet lock',
  CHANGED: 'the host changed between the plan and its confirmation',
  APPLY: 'a step of apply or uninstall failed',
  UNIT: 'the user manager could not start, stop or restart an agent',
  BUSY: 'the agent is working: a message would land in the middle of its turn',
  CONFIRM: 'apply needs a confirmation that could not be asked for',
  TEMPLATE: 'a template failed to render',
  USAGE: 'the command line is wrong',
  // authoring (init, add, remove)
  EXISTS: 'the file to create exists already',
  UNKNOWN_AGENT: 'no agent of the fleet has that name',
  UNEDITABLE: 'the roster is written in a shape mosaic-gen cannot edit in place',
  WRITE: 'a file cannot be written',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  hint?: string;
  /** File the diagnostic is about, as the user named it; absent when it is about a command. */
  file?: string;
  /** The command a diagnostic about no file concerns: `mosaic-gen add`, `systemctl --user`. */
  command?: string;
  /** Offsets into the file's text, when the problem has a place. */
  range?: readonly [start: number, end: number];
}

export type Report = (diagnostic: Diagnostic) => void;

/** A problem in `file`, with a hint and a place where there are. The one way a diagnostic about a file is made. */
export function diagnosticIn(severity: Severity, file: string, code: DiagnosticCode, message: string, hint?: string, range?: readonly [number, number]): Diagnostic {
  return { severity, code, message, file, ...(hint ? { hint } : {}), ...(range ? { range } : {}) };
}

export function errorIn(file: string, code: DiagnosticCode, message: string, hint?: string, range?: readonly [number, number]): Diagnostic {
  return diagnosticIn('error', file, code, message, hint, range);
}

/** An error about a command rather than a file: a usage error, a refused or failed host step. */
export function commandError(command: string, code: DiagnosticCode, message: string, hint?: string): Diagnostic {
  return { severity: 'error', code, message, command, ...(hint ? { hint } : {}) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export interface Position {
  line: number;
  col: number;
}

/** Where each line of a file starts: yaml's LineCounter, or one made on first use (parse-roster.ts lineCounterOf). */
export interface SourceLines {
  linePos(offset: number): Position;
}

/** Source lines by file, so positions can be printed as line:col. */
export type Sources = ReadonlyMap<string, SourceLines>;

export function positionOf(diagnostic: Diagnostic, sources: Sources): Position | undefined {
  const counter = diagnostic.file === undefined ? undefined : sources.get(diagnostic.file);
  if (!diagnostic.range || !counter) return undefined;
  return counter.linePos(diagnostic.range[0]);
}

/**
 * Messages quote the user's text, which may hold line breaks and terminal controls: on a terminal
 * a carriage return or an escape sequence would rewrite the line, so they are shown escaped.
 */
const CONTROL = /[\0-\x1f\x7f-\x9f\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
function visible(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatDiagnostic(diagnostic: Diagnostic, sources: Sources): string {
  const pos = positionOf(diagnostic, sources);
  const subject = diagnostic.file ?? diagnostic.command ?? 'mosaic-gen';
  const where = pos ? `${subject}:${pos.line}:${pos.col}` : subject;
  const head = `${visible(where)}: ${diagnostic.severity}[${diagnostic.code}]: ${visible(diagnostic.message)}`;
  return diagnostic.hint ? `${head}\n  hint: ${visible(diagnostic.hint)}` : head;
}

export function diagnosticToJson(diagnostic: Diagnostic, sources: Sources) {
  const pos = positionOf(diagnostic, sources);
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
    ...(diagnostic.file !== undefined ? { file: diagnostic.file } : { command: diagnostic.command }),
    ...(pos ? { line: pos.line, col: pos.col } : {}),
  };
}
