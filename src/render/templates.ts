import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../paths.js';
import { commentText, envValue, execWord, shPath, shWord, unitPath } from './quote.js';

export type TemplateName =
  | 'systemd/mosaic-tmux-holder.service'
  | 'systemd/mosaic-agent@.service'
  | 'systemd/mosaic-fleet.target'
  | 'systemd/env-files.conf'
  | 'env/agent.env'
  | 'launch/agent.sh'
  | 'scripts/install.sh'
  | 'scripts/uninstall.sh';

const PARTIALS = { prologue: 'scripts/prologue.sh' } as const;

export type Template = (context: object) => string;
export type Helper = (value: unknown) => string;

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A Handlebars environment where values can only be printed through a quoting helper for the
 * syntax at hand; HTML escaping is off, and a missing variable is an error (strict).
 */
function createEnvironment(header: string, extra: Record<string, Helper>, dir: string): typeof Handlebars {
  const hbs = Handlebars.create();
  const helpers: Record<string, Helper> = {
    sh: (v) => shWord(text(v)),
    shPath: (v) => shPath(text(v)),
    exec: (v) => execWord(text(v)),
    envValue: (v) => envValue(text(v)),
    envKey: (v) => {
      if (!ENV_KEY.test(text(v))) throw new Error(`invalid environment variable name ${JSON.stringify(v)}`);
      return text(v);
    },
    unitPath: (v) => unitPath(text(v)),
    unitText: (v) => commentText(text(v)).replaceAll('%', '%%'),
    comment: (v) => commentText(text(v)),
    header: (prefix) => `${text(prefix)} ${header}`,
    ...extra,
  };
  for (const [name, helper] of Object.entries(helpers)) hbs.registerHelper(name, helper);
  for (const [name, file] of Object.entries(PARTIALS)) hbs.registerPartial(name, readFileSync(join(dir, `${file}.hbs`), 'utf8'));
  return hbs;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`a template printed a ${typeof value} where text was expected`);
  return value;
}

/** Compiles templates on first use, once per header (generator version and roster name). */
export function loadTemplates(header: string, extra: Record<string, Helper> = {}, dir = TEMPLATES_DIR): (name: TemplateName) => Template {
  const hbs = createEnvironment(header, extra, dir);
  const cache = new Map<TemplateName, Template>();
  return (name) => {
    let template = cache.get(name);
    if (!template) {
      const compiled = hbs.compile(readFileSync(join(dir, `${name}.hbs`), 'utf8'), { strict: true, noEscape: true });
      template = (context) => compiled(context);
      cache.set(name, template);
    }
    return template;
  };
}
