/**
 * templates/*.hbs compiled ahead of time, by name ('env/agent.env', 'scripts/engine.sh', …).
 * From src/ there are none and templates.ts compiles them at run time; in the bundle
 * (dist/mosaic-gen.cjs) scripts/build.mjs replaces this module with Handlebars.precompile's output.
 */
export const PRECOMPILED_TEMPLATES: Readonly<Record<string, object>> | undefined = undefined;
