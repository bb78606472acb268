// Lookup API over the generated named-constants table.
//
// The table itself (table.generated.ts) is produced by scripts/gen-constants.mjs
// from the system headers; this module only indexes it, lazily, on first use.

import { CONSTANT_FAMILIES, CONSTANT_TABLE } from './table.generated.ts';
import type { ConstantFamily } from './table.generated.ts';

export { CONSTANT_FAMILIES };
export type { ConstantFamily };

export interface NamedConstant {
  readonly name: string;
  readonly value: bigint;
  readonly family: string;
}

// Names that are aliases of another name with the same value. When a number
// is mapped back to a name the other spelling wins. For errno this matches
// glibc's strerrorname_np (EAGAIN, EDEADLK, EOPNOTSUPP); for signals it matches
// strace and `kill -l` (SIGABRT, SIGCHLD, SIGIO).
const NON_CANONICAL_ALIASES: ReadonlySet<string> = new Set([
  'EWOULDBLOCK',
  'EDEADLOCK',
  'ENOTSUP',
  'SIGIOT',
  'SIGCLD',
  'SIGPOLL',
]);

interface ConstantIndex {
  readonly byName: ReadonlyMap<string, NamedConstant>;
  readonly names: readonly string[];
  readonly byFamily: ReadonlyMap<string, readonly NamedConstant[]>;
  readonly errnoByValue: ReadonlyMap<number, string>;
  readonly signalByValue: ReadonlyMap<number, string>;
}

let cached: ConstantIndex | undefined;

/** Pick the canonical name for each value of a family. */
function canonicalNames(entries: readonly NamedConstant[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of entries) {
    const value = Number(c.value);
    const current = out.get(value);
    if (current === undefined) {
      out.set(value, c.name);
      continue;
    }
    const currentAlias = NON_CANONICAL_ALIASES.has(current);
    const candidateAlias = NON_CANONICAL_ALIASES.has(c.name);
    // Prefer a non-alias; among equals keep the alphabetically first name
    // (entries are visited in table order, which is sorted by name).
    if (currentAlias && !candidateAlias) out.set(value, c.name);
  }
  return out;
}

function buildIndex(): ConstantIndex {
  const byName = new Map<string, NamedConstant>();
  const byFamily = new Map<string, NamedConstant[]>();
  for (const family of CONSTANT_FAMILIES) byFamily.set(family.id, []);
  for (const [name, value, family] of CONSTANT_TABLE) {
    if (byName.has(name)) continue; // the generator guarantees uniqueness
    const constant: NamedConstant = Object.freeze({ name, value, family });
    byName.set(name, constant);
    let list = byFamily.get(family);
    if (list === undefined) {
      list = [];
      byFamily.set(family, list);
    }
    list.push(constant);
  }
  for (const list of byFamily.values()) Object.freeze(list);
  const names = Object.freeze([...byName.keys()].sort());
  return {
    byName,
    names,
    byFamily,
    errnoByValue: canonicalNames(byFamily.get('errno') ?? []),
    signalByValue: canonicalNames(byFamily.get('signal') ?? []),
  };
}

function index(): ConstantIndex {
  cached ??= buildIndex();
  return cached;
}

/** Look up a constant by its exact (case-sensitive) name. */
export function lookupConstant(name: string): NamedConstant | undefined {
  return index().byName.get(name);
}

/** All constant names, sorted; for "did you mean" suggestions. */
export function allConstantNames(): readonly string[] {
  return index().names;
}

/** Value of an errno name (EPERM -> 1); undefined for non-errno names. */
export function errnoValue(name: string): number | undefined {
  const c = index().byName.get(name);
  return c !== undefined && c.family === 'errno' ? Number(c.value) : undefined;
}

/** Canonical errno name for a number (11 -> EAGAIN, not EWOULDBLOCK). */
export function errnoName(value: number): string | undefined {
  return index().errnoByValue.get(value);
}

/** All constants of a family, sorted by name; empty for unknown families. */
export function constantsOfFamily(family: string): readonly NamedConstant[] {
  return index().byFamily.get(family) ?? [];
}

/** Canonical signal name for a number (9 -> SIGKILL, 6 -> SIGABRT). */
export function signalName(value: number): string | undefined {
  return index().signalByValue.get(value);
}
