// A checked policy as an OCI/Docker seccomp profile that runc, crun and libseccomp compile to the
// policy's verdicts. OCI has no rule order, no `not` and one comparison per argument in an entry,
// and libseccomp compares whole 64-bit registers on 64-bit ABIs, so each syscall's decision list
// is rewritten as regions that cannot overlap when their actions differ (rule i's condition, minus
// every earlier rule's of another action), each region in disjunctive normal form, each conjunct
// an entry. Anything OCI cannot say exactly is an error that names the rule and why; the caller
// (exportPolicy in index.ts) then proves the profile, read back as runc would, equal to the policy.
import type { Arch } from '../arch/arch.ts';
import type { ArgOperand, CheckedPolicy, CheckedRule, CompareOp, Condition } from '../check/checked.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Span } from '../diagnostics/source.ts';
import { actionsEqual, type Action } from '../seccomp/action.ts';
import { libseccompBits } from './abi-syscalls.ts';

export type OciOp = 'SCMP_CMP_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_GT' | 'SCMP_CMP_GE' | 'SCMP_CMP_MASKED_EQ';

/** One comparison of an entry: `arg[index] op value`, or `(arg[index] & mask) == value`. */
interface Atom {
  readonly index: number;
  readonly op: OciOp;
  readonly value: bigint;
  readonly mask?: bigint;
}

/** A conjunction of atoms; a region is a disjunction of cubes. */
type Cube = readonly Atom[];

/** Why a condition cannot be said in OCI, thrown to the rule being exported. */
class Inexpressible extends Error {
  constructor(message: string, readonly span?: Span) {
    super(message);
  }
}

/** Most entries one syscall may need: more means a condition OCI can only say at great length. */
export const MAX_CUBES_PER_SYSCALL = 256;

const U64 = (1n << 64n) - 1n;


export interface OciProfileJson {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly flags?: readonly string[];
  readonly syscalls: readonly OciEntryJson[];
}

export interface OciEntryJson {
  readonly names: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args?: readonly { readonly index: number; readonly value: number | bigint; readonly valueTwo: number | bigint; readonly op: OciOp }[];
}

/** The OCI action and errnoRet of an action, or why OCI has none. */
export function ociAction(action: Action): { action: string; errnoRet?: number } | { error: string } {
  switch (action.kind) {
    case 'allow': return { action: 'SCMP_ACT_ALLOW' };
    case 'log': return { action: 'SCMP_ACT_LOG' };
    case 'notify': return { action: 'SCMP_ACT_NOTIFY' };
    case 'kill_process': return { action: 'SCMP_ACT_KILL_PROCESS' };
    case 'kill_thread': return { action: 'SCMP_ACT_KILL_THREAD' };
    case 'errno': return { action: 'SCMP_ACT_ERRNO', errnoRet: action.errno };
    case 'trace': return { action: 'SCMP_ACT_TRACE', errnoRet: action.data };
    case 'trap': return action.data === 0 ? { action: 'SCMP_ACT_TRAP' } : { error: `\`trap(${action.data})\` has data, and OCI's SCMP_ACT_TRAP has none (runc passes 0)` };
  }
}

/**
 * The profile's entries for one ABI's policy, or errors naming the rules OCI cannot express. The
 * policy's ABI decides how an argument is compared: libseccomp compares only the low word on a
 * 32-bit ABI (and x32), the whole register on a 64-bit one.
 */
export function exportEntries(policy: CheckedPolicy): { entries: OciEntryJson[]; diagnostics: Diagnostic[]; inexpressible: number[] } {
  const diagnostics: Diagnostic[] = [];
  /** The numbers of the syscalls whose rules OCI cannot say. */
  const inexpressible: number[] = [];
  const bySyscall = new Map<number, CheckedRule[]>();
  for (const rule of policy.rules) {
    const list = bySyscall.get(rule.syscall.nr);
    if (list) list.push(rule);
    else bySyscall.set(rule.syscall.nr, [rule]);
  }
  // Entries keyed by action and comparisons, so that syscalls with the same ones share an entry.
  const entries = new Map<string, { names: string[]; action: Action; cube: Cube }>();
  const profileDefault = policy.unknownAction ?? policy.defaultAction;
  if (policy.unknownAction && !actionsEqual(policy.unknownAction, policy.defaultAction)) {
    // The syscalls of the table no rule names keep the policy's default; the rest get the profile's.
    const names = policy.arch.syscalls.all().filter((s) => !bySyscall.has(s.nr)).map((s) => s.name);
    if (names.length > 0) entries.set('unnamed', { names, action: policy.defaultAction, cube: [] });
  }
  for (const rules of bySyscall.values()) {
    try {
      for (const { action, cube } of syscallEntries(rules, policy, profileDefault)) {
        const key = `${JSON.stringify(action)}|${cube.map((a) => `${a.index}${a.op}${a.value}/${a.mask ?? ''}`).join(',')}`;
        const entry = entries.get(key);
        if (entry) entry.names.push(rules[0]!.syscall.name);
        else entries.set(key, { names: [rules[0]!.syscall.name], action, cube });
      }
    } catch (error) {
      if (!(error instanceof Inexpressible)) throw error;
      inexpressible.push(rules[0]!.syscall.nr);
      diagnostics.push({ code: 'SC7012', severity: 'error', message: `cannot export the rules of \`${rules[0]!.syscall.name}\` to OCI: ${error.message}`, span: error.span ?? rules[0]!.span, hint: 'or give --approximate deny (or allow) to export it with one verdict for every call' });
    }
  }
  const out: OciEntryJson[] = [];
  for (const { names, action, cube } of entries.values()) {
    const mapped = ociAction(action);
    if ('error' in mapped) {
      diagnostics.push({ code: 'SC7012', severity: 'error', message: `cannot export the rules of \`${names[0]}\` to OCI: ${mapped.error}`, span: policy.rules.find((r) => r.syscall.name === names[0])!.span });
      continue;
    }
    out.push({
      names, action: mapped.action, ...(mapped.errnoRet !== undefined ? { errnoRet: mapped.errnoRet } : {}),
      ...(cube.length > 0 ? { args: cube.map(entryArg) } : {}),
    });
  }
  return { entries: out, diagnostics, inexpressible };
}

/** OCI's form of a comparison: for SCMP_CMP_MASKED_EQ, `value` is the mask and `valueTwo` the value. */
function entryArg(atom: Atom): NonNullable<OciEntryJson['args']>[number] {
  return atom.mask !== undefined
    ? { index: atom.index, value: jsonNumber(atom.mask), valueTwo: jsonNumber(atom.value), op: atom.op }
    : { index: atom.index, value: jsonNumber(atom.value), valueTwo: 0, op: atom.op };
}

/** The kernel's precedence of actions (the strictest wins when filters disagree), strictest first. */
const PRECEDENCE: readonly Action['kind'][] = ['kill_process', 'kill_thread', 'trap', 'errno', 'notify', 'trace', 'log', 'allow'];

/**
 * One action for every call of a syscall whose rules OCI cannot say: with `deny` the strictest of
 * the actions its rules and the default give (no call gets a laxer verdict than the policy's),
 * with `allow` the laxest (no call a stricter one).
 */
export function approximateAction(policy: CheckedPolicy, nr: number, direction: 'deny' | 'allow'): Action {
  const actions = [...policy.rules.filter((r) => r.syscall.nr === nr).map((r) => r.action), policy.defaultAction];
  const rank = (a: Action): number => PRECEDENCE.indexOf(a.kind);
  return actions.reduce((best, a) => ((direction === 'deny' ? rank(a) < rank(best) : rank(a) > rank(best)) ? a : best));
}

/** A 64-bit value as JSON: a number while exact, else a bigint (written as its digits). */
function jsonNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** One syscall's decision list as non-overlapping (action, cube) pairs; the default needs none. */
function syscallEntries(named: readonly CheckedRule[], policy: CheckedPolicy, profileDefault: Action): { action: Action; cube: Cube }[] {
  const out: { action: Action; cube: Cube }[] = [];
  // With `unknown`, the profile's default is the unknown verdict: the policy's default, where the
  // rules fall through, needs entries of its own.
  const rules = actionsEqual(policy.defaultAction, profileDefault) ? named : [...named, { ...named[0]!, action: policy.defaultAction, condition: undefined }];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (!actionsEqual(rule.action, profileDefault)) {
      // The calls this rule decides: its condition, and no earlier rule of another action's.
      const earlier = rules.slice(0, i).filter((r) => !actionsEqual(r.action, rule.action));
      let region: Cube[] = rule.condition ? dnf(rule.condition, false, policy.arch, rule) : [[]];
      for (const other of earlier) {
        if (!other.condition) return out; // an earlier unconditional rule decides every call
        region = and(region, excluded(other, rule, policy.arch), rule);
      }
      out.push(...region.map((cube) => ({ action: rule.action, cube })));
      if (out.length > MAX_CUBES_PER_SYSCALL) tooManyEntries(rule);
    }
    if (!rule.condition) break; // later rules are never reached
  }
  // A syscall allowed outright needs no conditional entries of the same action beside it.
  const unconditional = out.find((e) => e.cube.length === 0);
  return unconditional ? [unconditional] : out;
}

/** The calls an earlier rule does not decide, as cubes: what a later rule of another action takes. */
function excluded(earlier: CheckedRule, later: CheckedRule, arch: Arch): Cube[] {
  try {
    return dnf(earlier.condition!, true, arch, earlier);
  } catch (error) {
    if (!(error instanceof Inexpressible)) throw error;
    const line = later.span.file.text.slice(0, later.span.start).split(/\r\n|\r|\n/).length;
    throw new Inexpressible(`OCI has no rule order, so the later rule on line ${line} (another action) must leave out the calls this rule decides, and ${error.message}`, error.span);
  }
}

function tooManyEntries(rule: CheckedRule): never {
  throw new Inexpressible(`OCI needs more than ${MAX_CUBES_PER_SYSCALL} entries to say these rules without \`not\` and rule order`, rule.span);
}

/** Conjunction of two regions, each cube simplified; empty cubes dropped. */
function and(a: readonly Cube[], b: readonly Cube[], rule: CheckedRule): Cube[] {
  const out: Cube[] = [];
  for (const x of a) {
    for (const y of b) {
      const cube = simplify([...x, ...y], rule);
      if (cube) out.push(cube);
      if (out.length > MAX_CUBES_PER_SYSCALL) tooManyEntries(rule);
    }
  }
  return out;
}

/** The condition (negated when asked) in disjunctive normal form. */
function dnf(condition: Condition, negated: boolean, arch: Arch, rule: CheckedRule): Cube[] {
  switch (condition.kind) {
    case 'not': return dnf(condition.operand, !negated, arch, rule);
    case 'and':
    case 'or': {
      const conjunction = (condition.kind === 'and') !== negated;
      const parts = condition.operands.map((c) => dnf(c, negated, arch, rule));
      if (!conjunction) return parts.flat();
      return parts.reduce<Cube[]>((acc, part) => and(acc, part, rule), [[]]);
    }
    case 'in': {
      const compare = (value: bigint): Condition => ({ kind: 'compare', operand: condition.operand, op: '==', value, span: condition.span });
      const complement = negated ? complementOf(condition.operand, condition.values, arch) : undefined;
      return complement ?? dnf({ kind: 'or', operands: condition.values.map(compare) }, negated, arch, rule);
    }
    case 'bits': {
      // Some bit of the mask set: one entry per bit; none set: the masked word is 0.
      const { mask } = condition.operand;
      if (negated) return atomCubes({ kind: 'compare', operand: condition.operand, op: '==', value: 0n, span: condition.span }, false, arch);
      const bits: Cube[] = [];
      for (let bit = 1n; bit <= mask; bit <<= 1n) {
        if (mask & bit) bits.push(...atomCubes({ kind: 'compare', operand: { arg: condition.operand.arg, mask: bit }, op: '==', value: bit, span: condition.span }, false, arch));
      }
      return bits;
    }
    case 'compare': {
      const op = negated ? NEGATED[condition.op] : condition.op;
      return (op === '!=' ? complementOf(condition.operand, [condition.value], arch) : undefined) ?? atomCubes(condition, negated, arch);
    }
  }
}

/**
 * `(arg & mask) not in values` for a masked (or narrower than the register) argument, which OCI
 * has no comparison for: the values' binary trie over the mask's bits, from the highest, has a
 * branch for each prefix no value continues, and each such branch is one SCMP_CMP_MASKED_EQ of
 * the bits down to it. At most (values × bits of the mask) entries. Undefined for a whole
 * register, which SCMP_CMP_NE compares directly.
 */
function complementOf(operand: ArgOperand, values: readonly bigint[], arch: Arch): Cube[] | undefined {
  const mask = effectiveMask(operand, arch);
  if (mask === undefined) return undefined;
  const index = operand.arg.index;
  const members = [...new Set(values.filter((v) => (v & ~mask) === 0n))];
  if (members.length === 0) return [[]];
  const bits: bigint[] = [];
  for (let bit = 1n << 63n; bit > 0n; bit >>= 1n) if (mask & bit) bits.push(bit);
  const out: Cube[] = [];
  // Each node: the values that share the prefix (its bits above `depth`) and the prefix's mask.
  const walk = (group: readonly bigint[], depth: number, prefixMask: bigint, prefix: bigint): void => {
    if (depth === bits.length) return;
    const bit = bits[depth]!;
    const withMask = prefixMask | bit;
    for (const set of [0n, bit]) {
      const next = group.filter((v) => (v & bit) === set);
      if (next.length === 0) out.push([{ index, op: 'SCMP_CMP_MASKED_EQ', value: prefix | set, mask: withMask }]);
      else walk(next, depth + 1, withMask, prefix | set);
    }
  };
  walk(members, 0, 0n, 0n);
  return out;
}

/** The mask libseccomp must apply to compare as the policy does, or undefined for the whole register. */
function effectiveMask(operand: ArgOperand, arch: Arch): bigint | undefined {
  const registerBits = libseccompBits(arch);
  const width = Math.min(operand.arg.width, registerBits);
  return operand.mask ?? (width < registerBits ? (1n << BigInt(width)) - 1n : undefined);
}

const NEGATED: Readonly<Record<CompareOp, CompareOp>> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '<=': '>', '>': '<=' };
const OPS: Readonly<Record<CompareOp, OciOp>> = { '==': 'SCMP_CMP_EQ', '!=': 'SCMP_CMP_NE', '<': 'SCMP_CMP_LT', '<=': 'SCMP_CMP_LE', '>': 'SCMP_CMP_GT', '>=': 'SCMP_CMP_GE' };

/** One comparison as cubes: [] when it never holds, [[]] when it always does. */
function atomCubes(condition: Extract<Condition, { kind: 'compare' }>, negated: boolean, arch: Arch): Cube[] {
  const { arg } = condition.operand;
  const op = negated ? NEGATED[condition.op] : condition.op;
  const { value } = condition;
  // What libseccomp compares: the whole register on a 64-bit ABI, the low word on a 32-bit one.
  const mask = effectiveMask(condition.operand, arch);
  const text = `\`${arg.name}${condition.operand.mask !== undefined ? ` & 0x${condition.operand.mask.toString(16)}` : ''} ${op} ${value}\``;
  if (mask === undefined) return [[{ index: arg.index, op: OPS[op], value }]];
  if (op === '==') return (value & ~mask) === 0n ? [[{ index: arg.index, op: 'SCMP_CMP_MASKED_EQ', value, mask }]] : [];
  const why = condition.operand.mask !== undefined
    ? 'OCI compares a masked argument only with `==` (SCMP_CMP_MASKED_EQ)'
    : `\`${arg.name}\` is a ${arg.width}-bit \`${arg.type}\` whose register's upper half the policy ignores, and OCI compares the whole 64-bit register except with SCMP_CMP_MASKED_EQ`;
  throw new Inexpressible(`${text}: ${why}`, condition.span);
}

/** A cube with at most one atom per argument, or undefined when it can never hold. */
function simplify(atoms: readonly Atom[], rule: CheckedRule): Cube | undefined {
  const byIndex = new Map<number, Atom[]>();
  for (const atom of atoms) {
    const list = byIndex.get(atom.index);
    if (list) list.push(atom);
    else byIndex.set(atom.index, [atom]);
  }
  const out: Atom[] = [];
  for (const [index, list] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    const merged = mergeAtoms(index, list, rule);
    if (merged === 'never') return undefined;
    if (merged !== 'always') out.push(merged);
  }
  return out;
}

function holds(atom: Atom, x: bigint): boolean {
  switch (atom.op) {
    case 'SCMP_CMP_EQ': return x === atom.value;
    case 'SCMP_CMP_NE': return x !== atom.value;
    case 'SCMP_CMP_LT': return x < atom.value;
    case 'SCMP_CMP_LE': return x <= atom.value;
    case 'SCMP_CMP_GT': return x > atom.value;
    case 'SCMP_CMP_GE': return x >= atom.value;
    case 'SCMP_CMP_MASKED_EQ': return (x & atom.mask!) === atom.value;
  }
}

/** The comparisons of one argument in a cube as one, or why OCI cannot say them in one entry. */
function mergeAtoms(index: number, atoms: readonly Atom[], rule: CheckedRule): Atom | 'always' | 'never' {
  const distinct = atoms.filter((a, i) => atoms.findIndex((b) => b.op === a.op && b.value === a.value && b.mask === a.mask) === i);
  if (distinct.length === 1) return distinct[0]!;
  // A single value decides the rest.
  const eq = distinct.find((a) => a.op === 'SCMP_CMP_EQ');
  if (eq) return distinct.every((a) => holds(a, eq.value)) ? eq : 'never';
  const masked = distinct.filter((a) => a.op === 'SCMP_CMP_MASKED_EQ');
  if (masked.length === distinct.length) {
    // Masked comparisons that agree where their masks overlap are one with the masks joined.
    let mask = 0n;
    let value = 0n;
    for (const a of masked) {
      if ((value & a.mask!) !== (a.value & mask)) return 'never';
      mask |= a.mask!;
      value |= a.value;
    }
    return { index, op: 'SCMP_CMP_MASKED_EQ', value, mask };
  }
  if (masked.length === 0) {
    // Bounds: the interval they leave, less the values `!=` excludes at its ends.
    let lo = 0n;
    let hi = U64;
    for (const a of distinct) {
      if (a.op === 'SCMP_CMP_GT') lo = max(lo, a.value + 1n);
      else if (a.op === 'SCMP_CMP_GE') lo = max(lo, a.value);
      else if (a.op === 'SCMP_CMP_LT') hi = a.value === 0n ? -1n : min(hi, a.value - 1n);
      else if (a.op === 'SCMP_CMP_LE') hi = min(hi, a.value);
    }
    const excluded = distinct.filter((a) => a.op === 'SCMP_CMP_NE').map((a) => a.value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const v of excluded) if (v === lo) lo++;
    for (const v of excluded.reverse()) if (v === hi) hi--;
    if (lo > hi) return 'never';
    const inside = excluded.filter((v) => v > lo && v < hi);
    if (lo === hi) return { index, op: 'SCMP_CMP_EQ', value: lo };
    if (lo === 0n && hi === U64) return inside.length === 0 ? 'always' : inside.length === 1 ? { index, op: 'SCMP_CMP_NE', value: inside[0]! } : tooMany(index, rule);
    if (inside.length === 0 && lo === 0n) return { index, op: 'SCMP_CMP_LE', value: hi };
    if (inside.length === 0 && hi === U64) return { index, op: 'SCMP_CMP_GE', value: lo };
  }
  return tooMany(index, rule);
}

function tooMany(index: number, rule: CheckedRule): never {
  throw new Inexpressible(`the rule needs two comparisons of argument ${index} in one entry (an interval, or a value excluded from a range), and OCI allows one per argument (runc ORs repeated indexes)`, rule.span);
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
