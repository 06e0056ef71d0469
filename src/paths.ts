import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: templates/ and schemas/ ship beside dist/ (and src/, in development). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMA_PATH = join(PACKAGE_ROOT, 'schemas', 'roster.schema.json');
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const PRESETS_DIR = join(TEMPLATES_DIR, 'presets');
