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

/** The V8 data of the bundle's cache when it was made from this text. */
function readCache(path, id) {
  let cache;
  try {
    cache = readFileSync(`${path}.cache`);
  } catch {
    return undefined;
  }
  return id !== undefined && cache.length > ID_LENGTH && cache.toString('latin1', 0, ID_LENGTH) === id ? cache.subarray(ID_LENGTH) : undefined;
}

/** Every bundle this process loaded, by path: what scripts/code-cache.mjs makes caches from. */
const loaded = new Map();
let cachesEnabled = true;

/** Later loads compile from the text: a process that makes caches must not start from old ones. */
function disableCaches() {
  cachesEnabled = false;
}

/**
 * Runs the bundle at `path` as a CommonJS module; returns its exports and its script (to make a
 * cache from). `useCache: false` compiles from the text.
 */
function loadBundle(file, { useCache = cachesEnabled } = {}) {
  const path = resolve(file);
  const source = readFileSync(path, 'utf8');
  const id = bundleId(source);
  const cachedData = useCache ? readCache(path, id) : undefined;
  const script = new Script(wrap(source), { filename: path, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  const result = { exports: module.exports, script, id };
  loaded.set(path, result);
  return result;
}

module.exports = { loadBundle, disableCaches, loaded, ID_LENGTH };
