// Lookup API over the generated named-constants table.
//
// The table itself (table.generated.ts) is produced by scripts/gen-constants.mjs
// from the system headers; this module only indexes it, lazily, on first use.

import { CONSTANT_FAMILIES, constantRows } from './table.generated.ts';
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

/**
 * Every row of the table as [name, value, family id], in family order, then by name (for tests and
 * tools; lookups go through a ConstantTable, which builds only the constants asked for).
 */
export function constantTable(): ReadonlyArray<readonly [string, bigint, string]> {
  return constantRows().split('\n').filter((line) => line !== '').map((line) => {
    const [name, value, family] = line.split('\t') as [string, string, string];
    return [name, BigInt(value), family];
  });
}

/**
 * One architecture's named constants, indexed on first use. The index maps each name to its row
 * (an offset into the table's text) and makes the constant when it is first looked up: a policy
 * names a few dozen of the two thousand.
 */
export class ConstantTable {
  private rows: Map<string, number | NamedConstant> | undefined;
  private text = '';
  private readonly families = new Map<string, readonly NamedConstant[]>();
  private sortedNames: readonly string[] | undefined;

  constructor(private readonly differences?: () => ConstantDifferences) {}

  private index(): Map<string, number | NamedConstant> {
    if (this.rows) return this.rows;
    const rows = new Map<string, number | NamedConstant>();
    this.rows = rows;
    const text = (this.text = constantRows());
    // Only each row's name and where it starts: the rest is read when the name is looked up.
    for (let start = text.indexOf('\n') + 1; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const tab = text.indexOf('\t', start);
      if (tab > start && tab < end) rows.set(text.slice(start, tab), start);
      start = end + 1;
    }
    const differences = this.differences?.();
    if (differences) {
      for (const name of differences.missing) rows.delete(name);
      for (const [name, value] of differences.changed) {
        const row = rows.get(name);
        if (row !== undefined) rows.set(name, Object.freeze({ ...this.constant(name, row), value }));
      }
      // The generator guarantees unique names; an architecture's own names come after the rest.
      for (const [name, value, family] of differences.added) if (!rows.has(name)) rows.set(name, Object.freeze({ name, value, family }));
    }
    return rows;
  }

  private constant(name: string, row: number | NamedConstant): NamedConstant {
    if (typeof row !== 'number') return row;
    const tab1 = this.text.indexOf('\t', row);
    const constant: NamedConstant = Object.freeze({ name, value: BigInt(this.text.slice(tab1 + 1, this.text.indexOf('\t', tab1 + 1))), family: this.familyOf(row) });
    this.rows!.set(name, constant);
    return constant;
  }

  /** A row's family (its third field), without making its constant. */
  private familyOf(row: number | NamedConstant): string {
    if (typeof row !== 'number') return row.family;
    const tab2 = this.text.indexOf('\t', this.text.indexOf('\t', row) + 1);
    const end = this.text.indexOf('\n', tab2);
    return this.text.slice(tab2 + 1, end < 0 ? undefined : end);
  }

  /** Look up a constant by its exact (case-sensitive) name. */
  lookup(name: string): NamedConstant | undefined {
    const row = this.index().get(name);
    return row === undefined ? undefined : this.constant(name, row);
  }

  /** All constant names, sorted; for "did you mean" suggestions. */
  names(): readonly string[] {
    this.sortedNames ??= Object.freeze([...this.index().keys()].sort());
    return this.sortedNames;
  }

  /**
   * All constants of a family, sorted by name; empty for unknown families. Each family is made when
   * first asked for: naming an errno in an output needs the 134 errno constants, not all 2,074.
   */
  ofFamily(family: string): readonly NamedConstant[] {
    let list = this.families.get(family);
    if (list === undefined) {
      const members: NamedConstant[] = [];
      for (const [name, row] of this.index()) if (this.familyOf(row) === family) members.push(this.constant(name, row));
      list = Object.freeze(members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
      this.families.set(family, list);
    }
    return list;
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
