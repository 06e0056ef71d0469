import { createHmac, randomBytes } from 'node:crypto';
import type { Transition, FileChange } from './plan-transition.js';
import type { HostPaths } from '../state/read-installed.js';

type Paint = (color: 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold', text: string) => string;
type Patch = (oldName: string, newName: string, before: string, after: string) => string;

export interface RenderOptions {
  showSecrets: boolean;
  paint: Paint;
  patch: Patch;
}

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;
const COLOR = { create: 'green', update: 'yellow', delete: 'red' } as const;

/** The plan as a reader sees it: files with diffs, units, linger, drift, one summary line. */
export function renderPlan(transition: Transition, paths: HostPaths, options: RenderOptions): string {
  const { paint } = options;
  const lines: string[] = [];
  const where = paths.root ? `${paths.root}${paths.configHome}` : paths.configHome;
  if (transition.files.length > 0) {
    lines.push(paint('bold', `Files under ${where}:`));
    for (const file of transition.files) {
      lines.push(`  ${paint(COLOR[file.change], `${SYMBOL[file.change]} ${file.target}`)}${file.change === 'delete' ? '' : paint('dim', ` (${file.mode})`)}`);
      if (file.change === 'update') lines.push(...indent(diffOf(file, options)));
    }
    lines.push('');
  }
  const { units } = transition;
  const unitLines = [
    ...units.stop.map((u) => `  ${paint('red', 'stop')}     ${u}`),
    ...units.disable.map((u) => `  ${paint('red', 'disable')}  ${u}`),
    ...(transition.daemonReload ? ['  daemon-reload'] : []),
    ...units.enable.map((u) => `  ${paint('green', 'enable')}   ${u}`),
    ...units.restart.map((u) => `  ${paint('yellow', 'restart')}  ${u}`),
    ...units.start.map((u) => `  ${paint('green', 'start')}    ${u}`),
  ];
  if (unitLines.length > 0) lines.push(paint('bold', 'Units:'), ...unitLines, '');
  if (transition.linger) lines.push(paint('bold', 'Linger:'), `  ${transition.linger} linger for ${paths.user}`, '');
  if (transition.drift.length > 0) {
    lines.push(paint('bold', 'Drift (changed on the host since install; apply overwrites it only with --force):'));
    for (const d of transition.drift) lines.push(`  ${paint('red', '!')} ${d.target}: ${DRIFT_TEXT[d.kind]}`);
    lines.push('');
  }
  lines.push(summary(transition));
  return `${lines.join('\n')}\n`;
}

const DRIFT_TEXT = {
  edited: 'edited by hand',
  missing: 'deleted by hand',
  'not-a-file': 'replaced by something that is not a regular file',
  unmanaged: 'exists, but was not installed by mosaic-gen',
} as const;

export function summary(transition: Transition): string {
  const { add, change, destroy } = transition.counts;
  if (transition.ops.length === 0) return 'No changes. The installed fleet matches the build.';
  return `Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`;
}

/** The same plan for machines; env file contents are redacted like the text form. */
export function planJson(transition: Transition, paths: HostPaths, showSecrets: boolean) {
  return {
    configHome: paths.configHome,
    ...(paths.root ? { root: paths.root } : {}),
    changes: transition.ops.length > 0,
    counts: transition.counts,
    files: transition.files.map((f) => ({
      change: f.change,
      target: f.target,
      mode: f.mode,
      agent: f.agent,
      ...(f.change === 'update' ? { before: shown(f, f.before, showSecrets), after: shown(f, f.after, showSecrets) } : {}),
    })),
    units: transition.units,
    daemonReload: transition.daemonReload,
    linger: transition.linger,
    drift: transition.drift,
  };
}

function diffOf(file: FileChange, options: RenderOptions): string[] {
  const before = shown(file, file.before, options.showSecrets) ?? '';
  const after = shown(file, file.after, options.showSecrets) ?? '';
  const patch = options.patch(`installed/${file.target}`, `build/${file.target}`, before, after);
  return patch
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('====') && !line.startsWith('Index:'))
    .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? options.paint('green', line) : line.startsWith('-') && !line.startsWith('---') ? options.paint('red', line) : line));
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `      ${line}`);
}

function shown(file: FileChange, text: string | null, showSecrets: boolean): string | null {
  return text !== null && !showSecrets && file.target.endsWith('.env') ? redactEnv(text, file.after) : text;
}

/**
 * Every value of an env file is replaced by its length and a fingerprint keyed with a secret
 * of this run (so a reader sees which variables changed, and a short value cannot be found by
 * trying candidates). Whatever the line's form: the generator's quoted values (multi-line ones
 * included), hand-written lines, and comments, except comment lines the build itself writes.
 */
export function redactEnv(text: string, build: string | null = null): string {
  const own = new Set((build ?? '').split('\n').filter((line) => line.startsWith('#')));
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const quoted = /^([A-Za-z_][A-Za-z0-9_]*)="/.exec(line);
    if (quoted) {
      // The generator's form may run over several lines: up to the closing unescaped quote.
      while (!/^[A-Za-z_][A-Za-z0-9_]*="(?:[^"\\]|\\[\s\S])*"\s*$/.test(line) && i + 1 < lines.length) line += `\n${lines[++i]!}`;
    }
    const eq = line.indexOf('=');
    if (line === '' || own.has(line)) out.push(line);
    else if (line.startsWith('#')) out.push(`# (comment redacted, ${placeholder(line.slice(1))})`);
    else if (eq > 0 && /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*$/.test(line.slice(0, eq))) out.push(`${line.slice(0, eq)}=(redacted, ${placeholder(line.slice(eq + 1))})`);
    else out.push(`(line redacted, ${placeholder(line)})`);
  }
  return out.join('\n');
}

/** Per run: a fingerprint means nothing outside the output it appears in. */
const FINGERPRINT_KEY = randomBytes(32);

function placeholder(value: string): string {
  return `${value.length} chars, #${createHmac('sha256', FINGERPRINT_KEY).update(value).digest('hex').slice(0, 4)}`;
}
