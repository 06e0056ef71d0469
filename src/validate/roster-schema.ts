import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Options, ValidateFunction } from 'ajv';
import { SCHEMA_PATH } from '../paths.js';
import { PRECOMPILED_VALIDATOR } from './precompiled-validator.js';

/** The options the validator is compiled with, at build time (scripts/build.mjs) or at run time. */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true, keywords: ['x-code'] };

/**
 * `x-code` on a definition of the schema names the diagnostic code a value that breaks its
 * pattern is reported with (validate-roster.ts): the schema says it, not the definition's name.
 */
export type SchemaDef = { $ref?: string; title?: string; description?: string; pattern?: string; 'x-code'?: string };

/** A definition by its reference (`#/$defs/envKey`), with what it takes from the one it refers to. */
export function schemaDef(ref: string): SchemaDef {
  const defs = (rosterSchema().$defs ?? {}) as Record<string, SchemaDef>;
  const own = defs[ref.replace('#/$defs/', '')] ?? {};
  return own.$ref ? { ...schemaDef(own.$ref), ...own } : own;
}

let compiled: ValidateFunction | undefined;

let schema: Record<string, unknown> | undefined;

export function rosterSchema(): Record<string, unknown> {
  return (schema ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>);
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
