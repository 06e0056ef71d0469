import { createHmac, randomBytes } from 'node:crypto';
import type { EnginePlan, FileChange } from './engine-plan.js';

type Paint = (color: 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', text: string) => string;
type Patch = (oldName: string, newName: string, before: string, after: string) => string;

/** A changed file with its text on the host (null when absent or unreadable) and in the build. */
export interface ShownFile extends FileChange {
  before: string | null;
  after: string | null;
  /** The text on the host is what mosaic-gen installed (the record's), not a hand edit. */
  beforeIsOurs: boolean;
}

export interface RenderOptions {
  showSecrets: boolean;
  paint: Paint;
  patch: Patch;
}

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;
const COLOR = { create: 'green', update: 'yellow', delete: 'red' } as const;

/** The plan as a reader sees it: files with diffs, units, linger, drift, one summary line. */
export function renderPlan(plan: EnginePlan, files: readonly ShownFile[], options: RenderOptions): string {
  const { paint } = options;
  const lines: string[] = [];
  if (files.length > 0) {
    lines.push(paint('bold', `Files under ${plan.root}${plan.configHome}:`));
    for (const file of files) {
      lines.push(`  ${paint(COLOR[file.change], `${SYMBOL[file.change]} ${file.target}`)}${file.change === 'delete' ? '' : paint('dim', ` (${file.mode})`)}`);
      if (file.change === 'update') lines.push(...indent(diffOf(file, options)));
    }
    lines.push('');
  }
  const { units } = plan;
  const unitLines = [
    ...units.stop.map((u) => `  ${paint('red', 'stop')}     ${u}`),
    ...units.disable.map((u) => `  ${paint('red', 'disable')}  ${u}`),
    ...(plan.daemonReload ? ['  daemon-reload'] : []),
    ...units.enable.map((u) => `  ${paint('green', 'enable')}   ${u}`),
    ...units.restart.map((u) => `  ${paint('yellow', 'restart')}  ${u}`),
    ...units['restart-when-idle'].map((u) => `  ${paint('yellow', 'restart')}  ${u} (when idle: waits while it works)`),
    ...units.hold.map((u) => `  ${paint('dim', 'hold')}     ${u} (update manual: restart by hand)`),
    ...units.start.map((u) => `  ${paint('green', 'start')}    ${u}`),
  ];
  if (unitLines.length > 0) lines.push(paint('bold', 'Units:'), ...unitLines, '');
  if (plan.linger) lines.push(paint('bold', 'Linger:'), `  ${lingerWord(plan)} linger for ${plan.user}`, '');
  if (plan.drift.length > 0) {
    lines.push(paint('bold', 'Drift (changed on the host since install; apply overwrites it only with --force):'));
    for (const d of plan.drift) lines.push(`  ${paint('red', '!')} ${d.target}: ${DRIFT_TEXT[d.kind]}`);
    lines.push('');
  }
  if (plan.warnings.length > 0) {
    lines.push(paint('bold', 'Warnings (what would stop an agent on this host):'));
    for (const w of plan.warnings) lines.push(`  ${paint('yellow', '?')} ${w}`);
    lines.push('');
  }
  lines.push(summary(plan));
  return `${lines.join('\n')}\n`;
}

const DRIFT_TEXT = {
  edited: 'edited by hand',
  missing: 'deleted by hand',
  'not-a-file': 'replaced by something that is not a regular file',
  unmanaged: 'exists, but was not installed by mosaic-gen',
} as const;

function lingerWord(plan: EnginePlan): 'enable' | 'disable' | null {
  return plan.linger === 'on' ? 'enable' : plan.linger === 'off' ? 'disable' : null;
}

export function summary(plan: EnginePlan): string {
  const { add, change, destroy } = plan.counts;
  if (plan.ops.length === 0) return 'No changes. The installed fleet matches the build.';
  return `Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`;
}

/** The same plan for machines; env file contents are redacted like the text form. */
export function planJson(plan: EnginePlan, files: readonly ShownFile[], showSecrets: boolean) {
  return {
    configHome: plan.configHome,
    ...(plan.root ? { root: plan.root } : {}),
    changes: plan.ops.length > 0,
    counts: plan.counts,
    files: files.map((f) => ({
      change: f.change,
      target: f.target,
      mode: f.mode,
      agent: f.agent,
      ...(f.change === 'update' ? { before: shownBefore(f, showSecrets), after: shownAfter(f, showSecrets) } : {}),
    })),
    units: plan.units,
    daemonReload: plan.daemonReload,
    linger: lingerWord(plan),
    drift: plan.drift,
    warnings: plan.warnings,
  };
}

function diffOf(file: ShownFile, options: RenderOptions): string[] {
  const before = shownBefore(file, options.showSecrets) ?? '';
  const after = shownAfter(file, options.showSecrets) ?? '';
  const patch = options.patch(`installed/${file.target}`, `build/${file.target}`, before, after);
  return patch
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('====') && !line.startsWith('Index:'))
    .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? options.paint('green', line) : line.startsWith('-') && !line.startsWith('---') ? options.paint('red', line) : line));
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `      ${line}`);
}

const isEnv = (file: ShownFile) => file.target.endsWith('.env');

/** The build's text came from the roster, which the same pull request shows: only secrets go. */
function shownAfter(file: ShownFile, showSecrets: boolean): string | null {
  return file.after !== null && !showSecrets && isEnv(file) ? redactEnv(file.after, file.after) : file.after;
}

/**
 * The host's text: what mosaic-gen installed came from a roster too; a file edited by hand shows
 * only the lines the build also has.
 */
function shownBefore(file: ShownFile, showSecrets: boolean): string | null {
  if (file.before === null || showSecrets || !isEnv(file)) return file.before;
  return redactEnv(file.before, file.beforeIsOurs ? file.before : (file.after ?? ''));
}

/** A variable whose name says it holds a secret: its value is never shown. */
const SECRET_KEY = /(SECRET|TOKEN|PASSW(OR)?D|API_?KEY|PRIVATE|CREDENTIAL|AUTH|COOKIE|SESSION_?KEY)/i;

/**
 * An env file as a reviewer may see it: the lines that `known` (text from a roster) has too are
 * shown as they are, but for values under a key that names a secret; every other value becomes
 * its length and a fingerprint keyed with a secret of this run (so a reader sees which
 * variables changed, and a short value cannot be found by trying candidates). Whatever the
 * line's form: the generator's quoted values (multi-line ones included), hand-written lines, and
 * comments.
 */
export function redactEnv(text: string, known: string): string {
  const fromRoster = new Set(entries(known));
  return entries(text)
    .map((line) => {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq) : '';
      const assignment = eq > 0 && /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*$/.test(key);
      if (line === '' || (fromRoster.has(line) && !(assignment && SECRET_KEY.test(key)))) return line;
      if (line.startsWith('#')) return `# (comment redacted, ${placeholder(line.slice(1))})`;
      if (assignment) return `${key}=(redacted, ${placeholder(unquoted(line.slice(eq + 1)))})`;
      return `(line redacted, ${placeholder(line)})`;
    })
    .join('\n');
}

/** The file's entries: lines, with a quoted value that runs over several lines kept as one. */
function entries(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^([A-Za-z_][A-Za-z0-9_]*)="/.test(line)) {
      while (!/^[A-Za-z_][A-Za-z0-9_]*="(?:[^"\\]|\\[\s\S])*"\s*$/.test(line) && i + 1 < lines.length) line += `\n${lines[++i]!}`;
    }
    out.push(line);
  }
  return out;
}

/** The value as the agent gets it: the generator's double quotes and backslashes taken off. */
function unquoted(value: string): string {
  const quoted = /^"((?:[^"\\]|\\[\s\S])*)"\s*$/.exec(value);
  return quoted ? quoted[1]!.replace(/\\([\s\S])/g, '$1') : value;
}

/** Per run: a fingerprint means nothing outside the output it appears in. */
const FINGERPRINT_KEY = randomBytes(32);

function placeholder(value: string): string {
  return `${value.length} chars, #${createHmac('sha256', FINGERPRINT_KEY).update(value).digest('hex').slice(0, 4)}`;
}
