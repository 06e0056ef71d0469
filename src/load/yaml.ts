import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

/**
 * The yaml package, required on first use. Most rosters are read without it
 * (parse-simple-yaml.ts), and its 160 KB were the biggest part of the code a build read and
 * evaluated: yaml is needed only for a roster the one-pass reader declines, a line counter for a message, or an
 * edit. scripts/build.mjs makes yaml a bundle of its own and this function its loader.
 */
export function yaml(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
