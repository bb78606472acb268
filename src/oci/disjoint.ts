// Can two rules of a syscall match the same call? When rules with different actions provably never
// match together, the order libseccomp tries them in cannot matter, and the rules translate as
// written. This proves disjointness from one pair of contradictory comparisons of the same
// argument; anything it cannot prove counts as overlapping.
import type { ScmpArgCmp } from './libseccomp-db.ts';

const U64_MAX = (1n << 64n) - 1n;

/** The 64-bit values a comparison accepts, as an interval when it is one. */
function interval(c: ScmpArgCmp): { lo: bigint; hi: bigint } | undefined {
  const v = c.datumA;
  switch (c.op) {
    case 'SCMP_CMP_EQ': return { lo: v, hi: v };
    case 'SCMP_CMP_LT': return v === 0n ? { lo: 1n, hi: 0n } : { lo: 0n, hi: v - 1n };
    case 'SCMP_CMP_LE': return { lo: 0n, hi: v };
    case 'SCMP_CMP_GT': return v === U64_MAX ? { lo: 1n, hi: 0n } : { lo: v + 1n, hi: U64_MAX };
    case 'SCMP_CMP_GE': return { lo: v, hi: U64_MAX };
    default: return undefined;
  }
}

/** `(x & mask) == datum` for the masked-equality form of a comparison, when it has one. */
function maskedEq(c: ScmpArgCmp): { mask: bigint; datum: bigint } | undefined {
  if (c.op === 'SCMP_CMP_MASKED_EQ') return { mask: c.datumA, datum: c.datumB & c.datumA };
  if (c.op === 'SCMP_CMP_EQ') return { mask: U64_MAX, datum: c.datumA };
  return undefined;
}

/** No value satisfies both comparisons (of the same argument). */
export function contradictory(a: ScmpArgCmp, b: ScmpArgCmp): boolean {
  const ia = interval(a);
  const ib = interval(b);
  if (ia && ib) return ia.lo > ia.hi || ib.lo > ib.hi || ia.hi < ib.lo || ib.hi < ia.lo;
  const ma = maskedEq(a);
  const mb = maskedEq(b);
  if (ma && mb) return ((ma.datum ^ mb.datum) & ma.mask & mb.mask) !== 0n;
  const ne = a.op === 'SCMP_CMP_NE' ? a : b.op === 'SCMP_CMP_NE' ? b : undefined;
  const other = ne === a ? b : a;
  if (ne && other.op !== 'SCMP_CMP_NE') {
    const range = interval(other);
    return range !== undefined && range.lo === ne.datumA && range.hi === ne.datumA;
  }
  return false;
}

/** The two rules never match the same call. */
export function disjoint(a: readonly ScmpArgCmp[], b: readonly ScmpArgCmp[]): boolean {
  return a.some((x) => b.some((y) => x.arg === y.arg && contradictory(x, y)));
}
