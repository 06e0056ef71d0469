/**
 * Loads the CLI's bundles (dist/mosaic-gen*.cjs) with the V8 code cache that `npm run build`
 * makes for each: a run then neither parses the bundle's top level nor compiles the functions a
 * typical run calls (about 25 ms of a 200 ms `build`). Node 20 has no compile cache of its own.
 *
 * A cache is only a hint. V8 refuses one from another Node or V8 version or other flags, and
 * then the bundle is compiled from its text as require() would. V8 checks the text only by its
 * length, so each bundle's first line names its build (`/* mosaic-gen bundle ID *\/`, the start
 * of its SHA-256) and a cache is used only after the same ID: a rebuilt bundle never runs
 * another build's bytecode. The build deletes a bundle's cache before replacing the bundle.
 *
 * This file is its own small bundle (dist/mosaic-gen-load.cjs), required by bin/mosaic-gen.js.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Where the bundles are: this file sits among them. */
const DIST = dirname(fileURLToPath(import.meta.url));
export const BUNDLE_ID = /^\/\* mosaic-gen bundle ([0-9a-f]{16}) \*\//;
const ID_LENGTH = 16;
/** What a bundle requires by this name is another bundle, loaded here too. */
const SIBLING = /^\.\/(mosaic-gen[a-z-]*\.cjs)$/;

export type CacheUse = 'used' | 'rejected' | 'none';

interface Loaded {
  file: string;
  id: string | undefined;
  script: Script;
  cache: CacheUse;
  exports: unknown;
}

const loaded = new Map<string, Loaded>();

export function cachePath(bundle: string): string {
  return `${bundle}.cache`;
}

/** A bundle of dist/ by file name, evaluated once (as require() would) with its code cache when it has one. */
export function loadBundle(name: string): unknown {
  const known = loaded.get(name);
  if (known) return known.exports;
  const file = join(DIST, name);
  const source = readFileSync(file, 'utf8');
  const id = BUNDLE_ID.exec(source)?.[1];
  const cachedData = id === undefined ? undefined : cacheFor(file, id);
  // The wrapper is require()'s own, so the bundle sees the same five names; the line break keeps
  // a last line comment from swallowing the closing brace.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = new Module(file);
  module.filename = file;
  module.loaded = false;
  const entry: Loaded = { file, id, script, cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used', exports: module.exports };
  loaded.set(name, entry);
  // Anything that require()s the bundle by path gets this same instance.
  createRequire(file).cache[file] = module;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, requireFor(file), module, file, DIST);
  module.loaded = true;
  entry.exports = module.exports;
  return module.exports;
}

function cacheFor(file: string, id: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cachePath(file));
  } catch {
    return undefined;
  }
  return bytes.subarray(0, ID_LENGTH).toString('latin1') === id ? bytes.subarray(ID_LENGTH) : undefined;
}

function requireFor(file: string): NodeJS.Require {
  const nodeRequire = createRequire(file);
  const own = ((id: string) => {
    const sibling = SIBLING.exec(id);
    return sibling ? loadBundle(sibling[1]!) : nodeRequire(id);
  }) as NodeJS.Require;
  return Object.assign(own, { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: nodeRequire.main, extensions: nodeRequire.extensions });
}

/** How each bundle loaded so far was compiled: for tests and the build's own check. */
export function cacheUses(): Record<string, CacheUse> {
  return Object.fromEntries([...loaded].map(([name, entry]) => [name, entry.cache]));
}

/**
 * Writes the code cache of every bundle loaded so far, after the runs that used them: V8 then
 * includes every function those runs compiled. For `npm run build` (scripts/build.mjs) only.
 */
export function saveCodeCaches(): string[] {
  const written: string[] = [];
  for (const entry of loaded.values()) {
    if (entry.id === undefined) continue;
    const path = cachePath(entry.file);
    writeFileSync(`${path}.tmp-${process.pid}`, Buffer.concat([Buffer.from(entry.id, 'latin1'), entry.script.createCachedData()]));
    renameSync(`${path}.tmp-${process.pid}`, path);
    written.push(path);
  }
  return written;
}
