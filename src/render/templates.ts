import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import * as handlebarsRuntime from 'handlebars/runtime.js';
import { TEMPLATES_DIR } from '../paths.js';
import { PRECOMPILED_TEMPLATES } from './precompiled-templates.js';
import { commentText, envValue, execPath, execWord, htmlCommentText, markdownCode, mermaidId, mermaidText, shPath, shWord, shWordWith, unitPath } from './quote.js';
import { REPORT_PLACEHOLDER, SESSION_PLACEHOLDER } from '../model/activity.js';

export type TemplateName =
  | 'systemd/holder.service'
  | 'systemd/agent.service'
  | 'systemd/fleet.target'
  | 'systemd/fleet.slice'
  | 'systemd/env-files.conf'
  | 'systemd/restart.conf'
  | 'env/agent.env'
  | 'launch/agent.sh'
  | 'launch/supervise.sh'
  | 'launch/report.sh'
  | 'scripts/engine.sh'
  | 'scripts/install.sh'
  | 'scripts/uninstall.sh'
  | 'fleet/FLEET.md';

export const PARTIALS = { 'run-engine': 'scripts/run-engine.sh' } as const;

/** The helpers a template may call, and no others (createEnvironment defines each). */
const HELPER_NAMES = ['sh', 'shArg', 'shPath', 'exec', 'execPath', 'envValue', 'envKey', 'unitPath', 'own', 'unitText', 'comment', 'header', 'htmlHeader', 'markdownCode', 'mermaidText', 'agentId', 'hostId'] as const;
type HelperName = (typeof HELPER_NAMES)[number];

/**
 * How every template is compiled, ahead of time (scripts/build.mjs) or at run time. Known helpers
 * are called directly, not looked up by name in each call (with a missing-helper fallback): the
 * precompiled templates are a tenth smaller, and a helper no template may call fails to compile.
 */
export const COMPILE_OPTIONS = { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: Object.fromEntries(HELPER_NAMES.map((name) => [name, true])) };

type HandlebarsEnv = typeof Handlebars;

/** Templates render through the runtime alone; the compiler is loaded only for templates read at run time. */
const runtime = (handlebarsRuntime as unknown as { default: HandlebarsEnv }).default;
const compiler = (): HandlebarsEnv => createRequire(import.meta.url)('handlebars') as HandlebarsEnv;

export type Template = (context: object) => string;
export type Helper = (value: unknown) => string;

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A Handlebars environment where values can only be printed through a quoting helper for the
 * syntax at hand; HTML escaping is off, and a missing variable is an error (strict).
 */
function createEnvironment(header: string, source: TemplateSource): HandlebarsEnv {
  const hbs = source.precompiled ? runtime.create() : compiler().create();
  const helpers: Record<HelperName, Helper> = {
    sh: (v) => shWord(text(v)),
    // A word of a runtime's activity or resume words: the reporter and the session, at run time.
    shArg: (v) => shWordWith(text(v), { [REPORT_PLACEHOLDER]: 'MOSAIC_REPORT', [SESSION_PLACEHOLDER]: 'MOSAIC_SESSION' }),
    shPath: (v) => shPath(text(v)),
    exec: (v) => execWord(text(v)),
    execPath: (v) => execPath(text(v)),
    envValue: (v) => envValue(text(v)),
    envKey: (v) => {
      if (!ENV_KEY.test(text(v))) throw new Error(`invalid environment variable name ${JSON.stringify(v)}`);
      return text(v);
    },
    unitPath: (v) => unitPath(text(v)),
    // A name or path of the model's own (src/model), with unit specifiers: it needs no quoting.
    own: (v) => {
      if (!/^[A-Za-z0-9@%._/-]+$/.test(text(v))) throw new Error(`${JSON.stringify(v)} is not a name the model owns`);
      return text(v);
    },
    unitText: (v) => commentText(text(v)).replaceAll('%', '%%'),
    comment: (v) => commentText(text(v)),
    header: (prefix) => `${text(prefix)} ${header}`,
    htmlHeader: () => `<!-- ${htmlCommentText(header)} -->`,
    markdownCode: (v) => markdownCode(text(v)),
    mermaidText: (v) => mermaidText(text(v)),
    agentId: (v) => mermaidId('agent', text(v)),
    hostId: (v) => mermaidId('host', text(v)),
  };
  for (const [name, helper] of Object.entries(helpers)) hbs.registerHelper(name, helper);
  for (const [name, file] of Object.entries(PARTIALS)) hbs.registerPartial(name, source.precompiled ? hbs.template(source.precompiled[file]!) : source.read(file));
  return hbs;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`a template printed a ${typeof value} where text was expected`);
  return value;
}

interface TemplateSource {
  precompiled: Readonly<Record<string, object>> | undefined;
  read: (name: string) => string;
}

/**
 * Prepares templates on first use, once per header (generator version and roster name): the
 * bundle's precompiled ones for the built-in directory, otherwise compiled from `dir`.
 */
export function loadTemplates(header: string, dir = TEMPLATES_DIR): (name: TemplateName) => Template {
  const source: TemplateSource = {
    precompiled: dir === TEMPLATES_DIR ? PRECOMPILED_TEMPLATES : undefined,
    read: (name) => readFileSync(join(dir, `${name}.hbs`), 'utf8'),
  };
  const hbs = createEnvironment(header, source);
  const cache = new Map<TemplateName, Template>();
  return (name) => {
    let template = cache.get(name);
    if (!template) {
      const compiled = source.precompiled ? hbs.template(source.precompiled[name]!) : hbs.compile(source.read(name), COMPILE_OPTIONS);
      template = (context) => compiled(context);
      cache.set(name, template);
    }
    return template;
  };
}
