// Builds what bin/mosaic-gen.js runs: dist/mosaic-gen.cjs (commander and the program) and one
// bundle per command, dist/mosaic-gen-NAME.cjs, loaded when that command runs, with the roster
// validator (ajv standalone) and the templates (Handlebars.precompile) compiled ahead of time, so
// a run loads neither ajv's code generator nor the Handlebars compiler. Type checking is tsc's job
// (npm run build runs it first); this only transforms.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const GEN = join(DIST, 'gen');
const require = createRequire(join(ROOT, 'package.json'));
/**
 * The bundle is CommonJS: Node starts it about 25 ms sooner than the same code as an ES module
 * (no module linking). src/ is ESM and reads import.meta.url; in the bundle that is its own file.
 */
const IMPORT_META_URL = "const __mosaicImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";
const BUNDLE = 'mosaic-gen';
const COMMANDS_DIR = join(ROOT, 'src', 'cli', 'commands');
/** src/cli/main.ts imports ./commands/NAME.js on demand; each is a bundle of its own beside the main one. */
const COMMANDS = readdirSync(COMMANDS_DIR).filter((name) => name.endsWith('.ts')).map((name) => name.slice(0, -3));
/**
 * `diff` (unified diffs) is only needed to show a change (build --check of a stale out/, plan,
 * apply, add/remove): it is a bundle of its own, loaded by the commands' on-demand import('diff').
 */
const DIFF_BUNDLE = `${BUNDLE}-diff`;
/**
 * `yaml` too: a roster in the everyday subset is read without it. src/load/yaml.ts requires it on
 * first use (replaced below by a require of this bundle); modules that import it load it at once.
 */
const YAML_BUNDLE = `${BUNDLE}-yaml`;
const OUTPUTS = new Set([`${BUNDLE}.cjs`, `${DIFF_BUNDLE}.cjs`, `${YAML_BUNDLE}.cjs`, ...COMMANDS.map((name) => `${BUNDLE}-${name}.cjs`)]);

mkdirSync(GEN, { recursive: true });
// What an older build left (tsc's per-module output, the bundle loader and code caches of earlier
// versions) is never loaded now; everything else is
// replaced by rename, so a CLI started during a rebuild sees the old bundle or the new, whole.
for (const entry of readdirSync(DIST)) if (entry !== 'gen' && !OUTPUTS.has(entry)) rmSync(join(DIST, entry), { recursive: true, force: true });

// The options come from src/, so ahead of time and run time compile alike. The module sits in
// dist/ itself so that src/paths.ts finds the package root from it, as it does from the bundle.
const INPUTS = join(DIST, `build-inputs-${process.pid}.mjs`);
await build({
  stdin: {
    contents: "export { AJV_OPTIONS, rosterSchema } from './src/validate/roster-schema.ts'; export { COMPILE_OPTIONS } from './src/render/templates.ts'; export { TEMPLATES_DIR } from './src/paths.ts';",
    resolveDir: ROOT,
    loader: 'ts',
  },
  outfile: INPUTS,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const inputs = await import(pathToFileURL(INPUTS).href);
rmSync(INPUTS);

// The validator: ajv's standalone code for the schema, exported under the name src/ expects.
const { Ajv2020 } = require('ajv/dist/2020.js');
const standaloneCode = require('ajv/dist/standalone').default;
const ajv = new Ajv2020({ ...inputs.AJV_OPTIONS, code: { source: true, esm: true } });
// ajv's code gathers a referenced schema's errors with concat, copying every error so far for each
// item that fails: 40,000 agents that are not mappings took 25 s. Appending in place is linear;
// the array appended to is the callee's fresh one from that call, which nothing else keeps.
const CONCAT_ERRORS = /vErrors = vErrors === null \? (\w+)\.errors : vErrors\.concat\(\1\.errors\);/g;
const generated = standaloneCode(ajv, ajv.compile(inputs.rosterSchema()));
if (!CONCAT_ERRORS.test(generated)) throw new Error('ajv standalone code no longer gathers errors with concat: review the rewrite in scripts/build.mjs');
const validator = generated.replace(CONCAT_ERRORS, 'if (vErrors === null) vErrors = $1.errors; else for (const error of $1.errors) vErrors.push(error);');
writeAtomic(join(GEN, 'precompiled-validator.js'), `${validator}\nexport const PRECOMPILED_VALIDATOR = validate;\n`);

// The templates: every templates/**/*.hbs, by name without the extension.
const Handlebars = require('handlebars');
const specs = templateFiles(inputs.TEMPLATES_DIR).map((file) => {
  const name = relative(inputs.TEMPLATES_DIR, file).split(sep).join('/').replace(/\.hbs$/, '');
  return `  ${JSON.stringify(name)}: ${Handlebars.precompile(readFileSync(file, 'utf8'), inputs.COMPILE_OPTIONS)},`;
});
writeAtomic(join(GEN, 'precompiled-templates.js'), `export const PRECOMPILED_TEMPLATES = {\n${specs.join('\n')}\n};\n`);

// The bundles, with the two placeholder modules of src/ replaced by what was generated above.
// Each bundle is whole (no code shared between files): only one command runs in a process.
const bundle = await build({
  entryPoints: {
    [BUNDLE]: join(ROOT, 'src', 'cli', 'main.ts'),
    ...Object.fromEntries(COMMANDS.map((name) => [`${BUNDLE}-${name}`, join(COMMANDS_DIR, `${name}.ts`)])),
    [DIFF_BUNDLE]: require.resolve('diff'),
    [YAML_BUNDLE]: require.resolve('yaml'),
  },
  outdir: DIST,
  outExtension: { '.js': '.cjs' },
  // Written below, each under a temporary name first.
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a command's bundle as require(): Node's ES module loader would run its CommonJS
  // export scanner over the whole file first (tens of ms for the bigger ones).
  supported: { 'dynamic-import': false },
  banner: { js: IMPORT_META_URL },
  define: { 'import.meta.url': '__mosaicImportMetaUrl' },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'precompiled',
      setup(plugin) {
        // The main bundle's on-demand imports of commands load the commands' bundles.
        plugin.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
          args.importer === join(ROOT, 'src', 'cli', 'main.ts') ? { path: `./${BUNDLE}-${args.path.slice('./commands/'.length, -'.js'.length)}.cjs`, external: true } : undefined,
        );
        // import('diff') in a command loads the diff bundle; nothing imports diff statically.
        plugin.onResolve({ filter: /^diff$/ }, (args) => (args.kind === 'dynamic-import' ? { path: `./${DIFF_BUNDLE}.cjs`, external: true } : undefined));
        // commander requires child_process when it loads, for subcommands that are programs of
        // their own; mosaic-gen has none, so its spawn requires the module only if ever called.
        plugin.onResolve({ filter: /^node:child_process$/ }, (args) => (args.importer.includes(`${sep}node_modules${sep}commander${sep}`) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
        plugin.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
          contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
          loader: 'js',
        }));
        plugin.onResolve({ filter: /^yaml$/ }, () => ({ path: `./${YAML_BUNDLE}.cjs`, external: true }));
        plugin.onLoad({ filter: /\/src\/load\/yaml\.ts$/ }, () => ({ contents: 'let loaded; export function yaml() { return (loaded ??= require("yaml")); }', loader: 'js' }));
        plugin.onResolve({ filter: /\/precompiled-(validator|templates)\.js$/ }, (args) => ({
          path: join(GEN, args.path.slice(args.path.lastIndexOf('/') + 1)),
        }));
      },
    },
  ],
});

// Written as a whole to a temporary name and renamed into place, as the generated modules above.
for (const file of bundle.outputFiles) writeAtomic(file.path, file.text);

function writeAtomic(path, text) {
  writeFileSync(`${path}.tmp-${process.pid}`, text);
  renameSync(`${path}.tmp-${process.pid}`, path);
}

function templateFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}
