import type { ValidateFunction } from 'ajv';

/**
 * The roster validator compiled ahead of time. From src/ there is none and roster-schema.ts
 * compiles the schema at run time; in the bundle (dist/mosaic-gen.cjs) scripts/build.mjs
 * replaces this module with ajv's standalone code for schemas/roster.schema.json.
 */
export const PRECOMPILED_VALIDATOR: ValidateFunction | undefined = undefined;
