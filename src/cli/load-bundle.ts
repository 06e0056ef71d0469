/**
 * Loads the CLI's bundles (dist/mosaic-gen*.cjs) with the V8 code cache that `npm run build`
 * makes for each: a run then neither parses the bundle's top level nor compiles the functions a
 * typical run calls (about 25 ms of a 200 ms `build`). Node 20 has no compile cache of its own.
 *
 * A cache is used only when it is the bundle's: V8 refuses one from another Node or V8 version or
 * other flags, but checks the text only by its length. So each bundle's first line names its
 * build (`/* mosaic-gen bundle ID *\/`, the start of its SHA-256), the cache starts with the same
 * ID, and a bundle changed after its cache was written (an edit, a patch) is newer than it: then
 * the bundle is compiled from its text, as require() would. The build deletes a bundle's cache
 * before replacing the bundle. What V8 does not check is the cache's body: in release builds a
 * damaged body is not detected and can crash the process, as a damaged bundle would break it;
 * MOSAIC_GEN_CODE_CACHE=off turns caches off, and `npm run build` makes them again.
 *
 * This file is its own small bundle (dist/mosaic-gen-load.cjs), required by bin/mosaic-gen.js.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Where the bundles are: this file sits among them. */
const DIST = dirname(fileURLToPath(import.meta.url));
/** A build's ID: this many hex digits of its bundle's SHA-256. */
const ID_LENGTH = 16;
const BUNDLE_ID = new RegExp(`^/\\* mosaic-gen bundle ([0-9a-f]{${ID_LENGTH}}) \\*/\n`);

/** A bundle as scripts/build.mjs writes it: its first line names its build (`sha256` of the rest, in hex). */
export function withBundleHeader(text: string, sha256: string): string {
  return `/* mosaic-gen bundle ${sha256.slice(0, ID_LENGTH)} */\n${text}`;
}

/** The build a bundle's first line names, if it names one. */
export function bundleIdOf(source: string): string | undefined {
  return BUNDLE_ID.exec(source)?.[1];
}
/** What a bundle requires by this name is another bundle, loaded here too. */
const SIBLING = /^\.\/(mosaic-gen[a-z-]*\.cjs)$/;

/** How a bundle was compiled: from its cache, or from its text because the cache was missing, turned off, older than the bundle, of another build, or refused by V8. */
export type CacheUse = 'used' | 'none' | 'off' | 'stale' | 'other-build' | 'rejected';

interface Loaded {
  file: string;
  id: string | undefined;
  script: Script;
  cache: CacheUse;
  module: Module;
}

const loaded = new Map<string, Loaded>();

function cachePath(bundle: string): string {
  return `${bundle}.cache`;
}

/** A bundle of dist/ by file name, evaluated once (as require() would) with its code cache when it has one. */
export function loadBundle(name: string): unknown {
  const known = loaded.get(name);
  if (known) return known.module.exports;
  const file = join(DIST, name);
  const source = readFileSync(file, 'utf8');
  const id = bundleIdOf(source);
  const cache: CacheFound = id === undefined ? { use: 'none' } : cacheFor(file, id);
  // The wrapper is require()'s own, so the bundle sees the same five names; the line break keeps
  // a last line comment from swallowing the closing brace.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cache.data });
  const module = new Module(file);
  module.filename = file;
  loaded.set(name, { file, id, script, cache: cache.data && script.cachedDataRejected ? 'rejected' : cache.use, module });
  // Anything that require()s the bundle by path gets this same instance (a cycle, its exports so far).
  const requireCache = createRequire(file).cache;
  requireCache[file] = module;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, requireFor(file), module, file, DIST);
  } catch (error) {
    // As require(): a bundle that threw is not loaded, and the next load evaluates it again.
    loaded.delete(name);
    delete requireCache[file];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

interface CacheFound {
  use: CacheUse;
  data?: Buffer;
}

function cacheFor(file: string, id: string): CacheFound {
  if (process.env.MOSAIC_GEN_CODE_CACHE === 'off') return { use: 'off' };
  let bytes: Buffer;
  try {
    // Like make: a cache older than its bundle was not made from this text.
    if (statSync(file).mtimeMs > statSync(cachePath(file)).mtimeMs) return { use: 'stale' };
    bytes = readFileSync(cachePath(file));
  } catch {
    return { use: 'none' };
  }
  if (bytes.subarray(0, ID_LENGTH).toString('latin1') !== id) return { use: 'other-build' };
  return { use: 'used', data: bytes.subarray(ID_LENGTH) };
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
 * includes every function those runs compiled. Each is flushed before it takes its name, so a
 * power cut leaves the old cache, none, or the new one whole. For `npm run build` only.
 */
export function saveCodeCaches(): string[] {
  const written: string[] = [];
  for (const entry of loaded.values()) {
    if (entry.id === undefined) continue;
    const path = cachePath(entry.file);
    const temporary = `${path}.tmp-${process.pid}`;
    // Created, never opened through a name planted in advance (a symlink, a leftover).
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, Buffer.concat([Buffer.from(entry.id, 'latin1'), entry.script.createCachedData()]));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    written.push(path);
  }
  return written;
}
