'use strict';
// Loads a CommonJS bundle of the CLI (dist/cli/*.cjs) from V8's code cache when it has one, so the
// run starts from bytecode instead of parsing and compiling the JavaScript (a third of a compile's
// wall time otherwise). The build stamps each bundle with an id, the hash of its text, on its first
// line (`// <id>`); the cache (`<bundle>.cache`) starts with the id of the bundle it was made from.
// A cache for other text is never used; one V8 rejects (another Node version or V8 flags) only costs
// the compile it would have saved.
const { readFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname, resolve } = require('node:path');
const { Script } = require('node:vm');

const ID_LENGTH = 16;

/** The id on a bundle's first line, or undefined for a bundle without one. */
function bundleId(source) {
  return /^\/\/ [0-9a-f]{16}\n/.test(source.slice(0, ID_LENGTH + 4)) ? source.slice(3, 3 + ID_LENGTH) : undefined;
}

/** The V8 data of a cache of the bundle when it was made from this text. */
function readCache(cachePath, id) {
  let cache;
  try {
    cache = readFileSync(cachePath);
  } catch {
    return undefined;
  }
  return id !== undefined && cache.length > ID_LENGTH && cache.toString('latin1', 0, ID_LENGTH) === id ? cache.subarray(ID_LENGTH) : undefined;
}

/** Where a bundle's cache is: `<bundle>.cache`, or `<bundle>.<variant>.cache` for a cache trained on other inputs. */
function cachePathOf(path, variant) {
  return variant === undefined ? `${path}.cache` : `${path}.${variant}.cache`;
}

/** Every bundle this process loaded, by path: what scripts/code-cache.mjs makes caches from. */
const loaded = new Map();
let cachesEnabled = true;

/** Later loads compile from the text: a process that makes caches must not start from old ones. */
function disableCaches() {
  cachesEnabled = false;
}

/**
 * Runs the bundle at `path` as a CommonJS module; returns its exports, its script (to make a cache
 * from) and the cache it started from. `useCache: false` compiles from the text; `variant` picks a
 * cache trained for some inputs (the usual one when there is none).
 */
function loadBundle(file, { useCache = cachesEnabled, variant } = {}) {
  const path = resolve(file);
  const source = readFileSync(path, 'utf8');
  const id = bundleId(source);
  // The variant's cache, else the usual one.
  const candidates = !useCache ? [] : variant === undefined ? [cachePathOf(path)] : [cachePathOf(path, variant), cachePathOf(path)];
  let cache;
  let cachedData;
  for (cache of candidates) {
    cachedData = readCache(cache, id);
    if (cachedData) break;
  }
  if (!cachedData) cache = undefined;
  const script = new Script(wrap(source), { filename: path, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  const result = { exports: module.exports, script, id, cache };
  loaded.set(path, result);
  return result;
}

module.exports = { loadBundle, disableCaches, cachePathOf, loaded, ID_LENGTH };
