// The same policy as libseccomp rules, for the benchmark: a checked policy (seccompile's front
// end) becomes one libseccomp rule per conjunction of its conditions in disjunctive normal form.
// libseccomp has no `or`, no first-match order and one comparison per argument per rule, so a
// policy that needs them is reported as not translatable rather than translated approximately.

const ALL64 = (1n << 64n) - 1n;
const COMPLEMENT = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const MAX_TERMS = 256;

class Untranslatable extends Error {}

/** A literal: `arg op value`, or `(arg & mask) == value` as op '&=='. */
function literal(index, op, value, mask) {
  return op === '&==' ? { index, op, mask, value } : { index, op, value };
}

function bitsOf(mask) {
  const bits = [];
  for (let b = 0n; b < 64n; b++) if (mask & (1n << b)) bits.push(1n << b);
  return bits;
}

/** Disjunctive normal form: an array of conjunctions (arrays of literals). */
function dnf(condition, negated) {
  switch (condition.kind) {
    case 'not': return dnf(condition.operand, !negated);
    case 'and':
    case 'or': {
      const conjunctive = (condition.kind === 'and') !== negated;
      const parts = condition.operands.map((c) => dnf(c, negated));
      if (!conjunctive) return parts.flat();
      let product = [[]];
      for (const part of parts) {
        product = product.flatMap((left) => part.map((right) => [...left, ...right]));
        if (product.length > MAX_TERMS) throw new Untranslatable('too many terms');
      }
      return product;
    }
    case 'compare': return [[compareLiteral(condition.operand, negated ? COMPLEMENT[condition.op] : condition.op, condition.value)]];
    case 'in': {
      const terms = condition.values.map((v) => compareLiteral(condition.operand, negated ? '!=' : '==', v));
      return negated ? [terms] : terms.map((t) => [t]);
    }
    case 'bits': {
      const { arg, mask } = condition.operand;
      // Some bit set: one alternative per bit; no bit set: the masked value is 0.
      return negated ? [[literal(arg.index, '&==', 0n, mask)]] : bitsOf(mask).map((bit) => [literal(arg.index, '&==', bit, bit)]);
    }
  }
  throw new Untranslatable(`condition ${condition.kind}`);
}

function compareLiteral(operand, op, value) {
  const { arg, mask } = operand;
  if (mask === undefined) return literal(arg.index, op, value);
  if (op === '==') return literal(arg.index, '&==', value, mask);
  // `(x & bit) != v` for a single bit is the other value of that bit.
  if (op === '!=' && bitsOf(mask).length === 1) return literal(arg.index, '&==', value === 0n ? mask : 0n, mask);
  throw new Untranslatable(`masked ${op}`);
}

/** One comparison per argument: equalities on the same argument merge into one masked equality. */
function mergeConjunction(conjunction) {
  const byIndex = new Map();
  for (const lit of conjunction) {
    const previous = byIndex.get(lit.index);
    if (!previous) {
      byIndex.set(lit.index, lit);
      continue;
    }
    const asMasked = (l) => (l.op === '==' ? { mask: ALL64, value: l.value } : l.op === '&==' ? l : undefined);
    const a = asMasked(previous);
    const b = asMasked(lit);
    if (!a || !b) throw new Untranslatable('two comparisons of one argument');
    const overlap = a.mask & b.mask;
    if ((a.value & overlap) !== (b.value & overlap)) return undefined; // contradiction: no calls match
    byIndex.set(lit.index, literal(lit.index, '&==', a.value | b.value, a.mask | b.mask));
  }
  return [...byIndex.values()];
}

function toArgs(conjunction) {
  return conjunction.map((l) => (l.op === '&==' ? [l.index, '&==', String(l.mask), String(l.value)] : [l.index, l.op, String(l.value), '0']));
}

/**
 * libseccomp rules for a compiled policy, or the reason it has none. `actionValue` maps an action
 * to its return value. libseccomp has no first-match order: when a syscall's rules have different
 * actions they are all kept (where they overlap, libseccomp may pick another), and an
 * unconditional rule after conditional ones is dropped (libseccomp would let it override them);
 * `approximate` says why the translation is not exact.
 */
export function libseccompRules(filter, actionValue) {
  const { policy } = filter;
  const defaultValue = actionValue(policy.defaultAction);
  const rules = [];
  const notes = new Set();
  const bySyscall = new Map();
  for (const rule of policy.rules) {
    const list = bySyscall.get(rule.syscall.nr) ?? [];
    list.push(rule);
    bySyscall.set(rule.syscall.nr, list);
  }
  try {
    for (const [nr, list] of bySyscall) {
      const decisive = list.findIndex((r) => !r.condition);
      const applicable = decisive < 0 ? list : list.slice(0, decisive + 1);
      const actions = new Set(applicable.map((r) => actionValue(r.action)));
      for (const [i, rule] of applicable.entries()) {
        const value = actionValue(rule.action);
        if (!rule.condition && i > 0 && actions.size > 1) {
          notes.add(`${rule.syscall.name}: the catch-all after its conditional rules is dropped`);
          continue;
        }
        if (actions.size > 1 && applicable.filter((r) => r.condition).length > 1) notes.add(`${rule.syscall.name}: conditional rules with different actions`);
        if (value === defaultValue) continue;
        const terms = rule.condition ? dnf(rule.condition, false) : [[]];
        for (const term of terms) {
          const merged = mergeConjunction(term);
          if (merged) rules.push({ nr, name: rule.syscall.name, action: value, args: toArgs(merged) });
        }
      }
    }
  } catch (error) {
    if (error instanceof Untranslatable) return { error: error.message };
    throw error;
  }
  return { rules: { default: defaultValue, rules }, ...(notes.size > 0 ? { approximate: [...notes].join('; ') } : {}) };
}
