import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Options, ValidateFunction } from 'ajv';
import { SCHEMA_PATH } from '../paths.js';
import { PRECOMPILED_VALIDATOR } from './precompiled-validator.js';

/** The options the validator is compiled with, at build time (scripts/build.mjs) or at run time. */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true };

let compiled: ValidateFunction | undefined;

export function rosterSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
}

/** The roster validator: the bundle's precompiled one, or (from src/) compiled once per process. */
export function rosterValidator(): ValidateFunction {
  compiled ??= PRECOMPILED_VALIDATOR ?? compileRosterValidator();
  return compiled;
}

/** Compiling loads ajv and its code generator (about 0.2 s), which is why the bundle does it ahead of time. */
export function compileRosterValidator(): ValidateFunction {
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv2020(AJV_OPTIONS).compile(rosterSchema());
}
