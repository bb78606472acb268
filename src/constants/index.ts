// Lookup API over the generated named-constants table.
//
// The table itself (table.generated.ts) is produced by scripts/gen-constants.mjs
// from the system headers; this module only indexes it, lazily, on first use.

import { CONSTANT_FAMILIES, constantTable } from './table.generated.ts';
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
}

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

/** How an architecture's headers differ from x86-64's (src/constants/arch/*.generated.ts). */
export interface ConstantDifferences {
  /** [name, value] where the value differs. */
  readonly changed: ReadonlyArray<readonly [string, bigint]>;
  /** Names x86-64 has and this architecture's headers do not. */
  readonly missing: readonly string[];
  /** [name, value, family] that only this architecture has. */
  readonly added: ReadonlyArray<readonly [string, bigint, string]>;
}

/** One architecture's named constants, indexed on first use. */
export class ConstantTable {
  private cached: ConstantIndex | undefined;

  constructor(private readonly differences?: () => ConstantDifferences) {}

  private index(): ConstantIndex {
    this.cached ??= this.build();
    return this.cached;
  }

  private build(): ConstantIndex {
    const differences = this.differences?.();
    const changed = new Map(differences?.changed ?? []);
    const missing = new Set(differences?.missing ?? []);
    const byName = new Map<string, NamedConstant>();
    const byFamily = new Map<string, NamedConstant[]>();
    for (const family of CONSTANT_FAMILIES) byFamily.set(family.id, []);
    const add = (name: string, value: bigint, family: string): void => {
      if (byName.has(name) || missing.has(name)) return; // the generator guarantees uniqueness
      const constant: NamedConstant = Object.freeze({ name, value: changed.get(name) ?? value, family });
      byName.set(name, constant);
      let list = byFamily.get(family);
      if (list === undefined) {
        list = [];
        byFamily.set(family, list);
      }
      list.push(constant);
    };
    for (const [name, value, family] of constantTable()) add(name, value, family);
    for (const [name, value, family] of differences?.added ?? []) add(name, value, family);
    for (const list of byFamily.values()) Object.freeze(list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
    return { byName, names: Object.freeze([...byName.keys()].sort()), byFamily };
  }

  /** Look up a constant by its exact (case-sensitive) name. */
  lookup(name: string): NamedConstant | undefined {
    return this.index().byName.get(name);
  }

  /** All constant names, sorted; for "did you mean" suggestions. */
  names(): readonly string[] {
    return this.index().names;
  }

  /** All constants of a family, sorted by name; empty for unknown families. */
  ofFamily(family: string): readonly NamedConstant[] {
    return this.index().byFamily.get(family) ?? [];
  }
}

export const CONSTANTS_X86_64 = new ConstantTable();

// errno and signal numbers are the same on every architecture seccompile targets (the generator
// refuses an architecture where they differ), so messages name them without asking which.
let errnoByValue: Map<number, string> | undefined;
let signalByValue: Map<number, string> | undefined;

/** Value of an errno name (EPERM -> 1); undefined for non-errno names. */
export function errnoValue(name: string): number | undefined {
  const c = CONSTANTS_X86_64.lookup(name);
  return c !== undefined && c.family === 'errno' ? Number(c.value) : undefined;
}

/** Canonical errno name for a number (11 -> EAGAIN, not EWOULDBLOCK). */
export function errnoName(value: number): string | undefined {
  errnoByValue ??= canonicalNames(CONSTANTS_X86_64.ofFamily('errno'));
  return errnoByValue.get(value);
}

/** Canonical signal name for a number (9 -> SIGKILL, 6 -> SIGABRT). */
export function signalName(value: number): string | undefined {
  signalByValue ??= canonicalNames(CONSTANTS_X86_64.ofFamily('signal'));
  return signalByValue.get(value);
}
