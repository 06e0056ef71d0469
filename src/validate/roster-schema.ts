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

/**
 * The agent-name rule as the schema says it, for readers without interval expressions (the
 * engine's awk, mawk 1.3.4 on Debian 12): the pattern with its `{0,N}` as `*`, and the length
 * that interval allowed.
 */
export function agentNameRule(): { ere: string; maxLength: number } {
  const pattern = schemaDef('#/$defs/agentName').pattern ?? '';
  const interval = /\{0,(\d+)\}/.exec(pattern);
  if (!interval) throw new Error(`the schema's agent-name pattern has no {0,N}: ${pattern}`);
  // The atoms before the interval, less the one it repeats, plus the most it repeats that one.
  const before = pattern.slice(1, interval.index).replace(/\[[^\]]*\]/g, 'x').length - 1;
  return { ere: pattern.replace(interval[0], '*'), maxLength: before + Number(interval[1]) };
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
