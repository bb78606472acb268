// Types and evaluates expressions: constant arithmetic (exact, two's complement bit operations),
// argument operands (`arg`, `arg & MASK`), and conditions built from comparisons.
import type { Diagnostic, DiagnosticCode } from '../diagnostics/diagnostic.ts';
import type { Span } from '../diagnostics/source.ts';
import { Suggestions } from '../diagnostics/suggest.ts';
import type { Arch } from '../arch/arch.ts';
import type { Expr } from '../parser/ast.ts';
import { MAX_SYSCALL_ARGS } from '../seccomp/abi.ts';
import { lookupArgumentName, type Syscall, type SyscallArg } from '../syscalls/index.ts';
import type { ArgOperand, CompareOp, Condition } from './checked.ts';

export interface Define {
  /** Undefined when the define's own expression was in error (reported there, not at every use). */
  readonly value: bigint | undefined;
  readonly span: Span;
}

/** What a name can mean where an expression is checked. */
export interface Scope {
  /** The syscall whose arguments are in scope; absent in `define` and action arguments. */
  readonly syscall?: Syscall;
  readonly defines: ReadonlyMap<string, Define>;
}

type Typed =
  | { readonly type: 'const'; readonly value: bigint }
  | { readonly type: 'arg'; readonly operand: ArgOperand }
  | { readonly type: 'cond'; readonly condition: Condition };

/** Constants beyond this magnitude are certainly a mistake, and would make bigint work unbounded. */
const MAGNITUDE_LIMIT = 1n << 128n;
const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function widthMask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

export function formatHex(value: bigint): string {
  return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

/** `openat(int dfd, const char __user * filename, int flags, umode_t mode)` */
export function formatSignature(syscall: Syscall): string {
  return `${syscall.name}(${syscall.args.map((a) => `${a.type} ${a.name}`).join(', ')})`;
}

/**
 * Argument names as the man pages (and glibc's prototypes) write them, with the kernel's names
 * that seccompile uses for them: `socket(domain, …)` is the kernel's `family`, ioctl's `request`
 * its `cmd`, openat's `pathname` its `filename`. Only suggested when the syscall has that argument.
 * A prototype-less object: `constructor` and the like are not aliases.
 */
const ARGUMENT_ALIASES: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  domain: ['family'],
  request: ['cmd'],
  flags: ['clone_flags'],
  path: ['filename', 'pathname', 'path'],
  pathname: ['filename', 'path'],
  file: ['filename'],
  dirfd: ['dfd', 'fd'],
  olddirfd: ['olddfd'],
  newdirfd: ['newdfd'],
  length: ['len', 'count'],
  addrlen: ['addrlen', 'upeer_addrlen'],
  signal: ['sig'],
  signum: ['sig'],
  cmd: ['option', 'code'],
  option: ['cmd', 'code'],
  size: ['count', 'len'],
  nbytes: ['count'],
  offset: ['off', 'pos'],
});

export class ExpressionChecker {
  private readonly suggestions = new Suggestions();

  constructor(private readonly arch: Arch, private readonly report: (diagnostic: Diagnostic) => void) {}

  private error(code: DiagnosticCode, message: string, span: Span, hint?: string): undefined {
    this.report({ code, severity: 'error', message, span, ...(hint ? { hint } : {}) });
    return undefined;
  }

  /** A constant expression (defines, action arguments): no argument may appear. */
  constant(expr: Expr, scope: Scope): bigint | undefined {
    const typed = this.check(expr, scope);
    if (!typed) return undefined;
    if (typed.type !== 'const') return this.error('SC2006', 'expected a constant value here, found a condition or an argument', expr.span);
    return typed.value;
  }

  /** A rule condition. */
  condition(expr: Expr, scope: Scope): Condition | undefined {
    const typed = this.check(expr, scope);
    return typed && this.asCondition(typed, expr);
  }

  private asCondition(typed: Typed, expr: Expr): Condition | undefined {
    switch (typed.type) {
      case 'cond': return typed.condition;
      // A bare `flags & O_CREAT` or `fd` means "not zero", as in C.
      case 'arg': {
        const { operand } = typed;
        if (operand.mask !== undefined) return { kind: 'bits', operand: { arg: operand.arg, mask: operand.mask }, span: expr.span };
        return { kind: 'compare', operand, op: '!=', value: 0n, span: expr.span };
      }
      case 'const':
        return this.error('SC2006', 'expected a condition, found a constant', expr.span, 'compare an argument with it, e.g. `fd == 1`, or test bits with `flags & O_CREAT`');
    }
  }

  private check(expr: Expr, scope: Scope): Typed | undefined {
    switch (expr.kind) {
      case 'number': return { type: 'const', value: expr.value };
      case 'name': return this.name(expr.name, expr.span, scope);
      case 'unary': return this.unary(expr, scope);
      case 'binary': return this.binary(expr, scope);
      case 'logical': return this.logical(expr, scope);
      case 'in': return this.membership(expr, scope);
    }
  }

  private name(name: string, span: Span, scope: Scope): Typed | undefined {
    const arg = scope.syscall && this.argument(name, span, scope.syscall);
    if (arg === null) return undefined;
    if (arg) return { type: 'arg', operand: { arg } };
    const defined = scope.defines.get(name);
    // A define whose value failed was reported once: its uses fail quietly, so that a chain of
    // 20,000 defines built on one mistake is one error, not 20,000 with a suggestion each.
    if (defined) return defined.value === undefined ? undefined : { type: 'const', value: defined.value };
    const builtin = this.arch.constants.lookup(name);
    if (builtin) return { type: 'const', value: builtin.value };
    const argNames = scope.syscall?.args.map((a) => a.name) ?? [];
    const alias = ARGUMENT_ALIASES[name]?.find((candidate) => argNames.includes(candidate));
    if (alias) {
      return this.error('SC2003', `unknown name \`${name}\`: ${formatSignature(scope.syscall!)} calls this argument \`${alias}\``, span,
        `did you mean \`${alias}\`? Arguments have the kernel's names, which the man pages sometimes spell otherwise`);
    }
    const suggestion = this.suggestions.closest(name, [...argNames, ...scope.defines.keys(), ...this.arch.constants.names()]);
    const where = scope.syscall ? `: not an argument of ${formatSignature(scope.syscall)} and not a constant` : '';
    return this.error('SC2003', `unknown name \`${name}\`${where}`, span, suggestion ? `did you mean \`${suggestion}\`?` : undefined);
  }

  /** An argument by prototype name, or `argN`; null after reporting a bad `argN`. */
  private argument(name: string, span: Span, syscall: Syscall): SyscallArg | undefined | null {
    const found = lookupArgumentName(syscall, name);
    if (!found) return undefined;
    if (found.kind === 'named') return found.arg;
    // `argN_64`: all 64 bits of the register, whatever the prototype declares (as libseccomp and
    // OCI runtimes compare; `seccompile convert` writes it).
    if (found.kind === 'raw64') {
      if (this.arch.bits === 32) {
        this.error('SC2003', `\`${name}\`: ${this.arch.title} registers have 32 bits, and the kernel reads no more of them`, span, `compare \`arg${found.index}\``);
        return null;
      }
      return { index: found.index, name, type: 'unsigned long', width: 64, pointer: false };
    }
    // `argN_32`: the low 32 bits of the register on any ABI, whatever the prototype declares (as
    // libseccomp compares on 32-bit ABIs and x32; `seccompile convert` writes it).
    if (found.kind === 'raw32') return { index: found.index, name, type: 'unsigned int', width: 32, pointer: false };
    const { index } = found;
    if (index >= MAX_SYSCALL_ARGS) {
      this.error('SC2003', `\`${name}\`: a syscall has at most ${MAX_SYSCALL_ARGS} arguments (arg0..arg5)`, span);
      return null;
    }
    if (found.declared) return found.declared;
    this.report({
      code: 'SC2014', severity: 'warning', span,
      message: `\`${syscall.name}\` takes ${syscall.args.length === 0 ? 'no arguments' : `only ${syscall.args.length} argument${syscall.args.length === 1 ? '' : 's'}`}: the kernel ignores ${name}`,
      hint: `the prototype is ${formatSignature(syscall)}`,
    });
    return { index, name, type: 'unsigned long', width: this.arch.bits, pointer: false };
  }

  private unary(expr: Extract<Expr, { kind: 'unary' }>, scope: Scope): Typed | undefined {
    const operand = this.check(expr.operand, scope);
    if (!operand) return undefined;
    if (expr.op === 'not') {
      const condition = this.asCondition(operand, expr.operand);
      return condition && { type: 'cond', condition: { kind: 'not', operand: condition } };
    }
    if (operand.type !== 'const') return this.notArithmetic(expr.op, expr.span);
    return this.bounded(expr.op === '-' ? -operand.value : ~operand.value, expr.span);
  }

  private logical(expr: Extract<Expr, { kind: 'logical' }>, scope: Scope): Typed | undefined {
    const operands: Condition[] = [];
    let failed = false;
    for (const operand of expr.operands) {
      const typed = this.check(operand, scope);
      const condition = typed && this.asCondition(typed, operand);
      if (condition) operands.push(condition);
      else failed = true;
    }
    return failed ? undefined : { type: 'cond', condition: { kind: expr.op, operands } };
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope): Typed | undefined {
    const left = this.check(expr.left, scope);
    const right = this.check(expr.right, scope);
    if (!left || !right) return undefined;
    switch (expr.op) {
      case '==': case '!=': case '<': case '<=': case '>': case '>=':
        return this.comparison(expr.op, left, right, expr);
      case '&':
        if (left.type === 'arg' && right.type === 'const') return this.masked(left.operand, right.value, expr.right.span);
        if (left.type === 'const' && right.type === 'arg') return this.masked(right.operand, left.value, expr.left.span);
        break;
    }
    if (left.type !== 'const' || right.type !== 'const') return this.notArithmetic(expr.op, expr.span);
    return this.arithmetic(expr.op, left.value, right.value, expr);
  }

  private arithmetic(op: string, a: bigint, b: bigint, expr: Extract<Expr, { kind: 'binary' }>): Typed | undefined {
    switch (op) {
      case '|': return this.bounded(a | b, expr.span);
      case '^': return this.bounded(a ^ b, expr.span);
      case '&': return this.bounded(a & b, expr.span);
      case '+': return this.bounded(a + b, expr.span);
      case '-': return this.bounded(a - b, expr.span);
      case '<<':
      case '>>':
        if (b < 0n || b > 63n) return this.error('SC2013', `shift by ${b}: shifts take 0..63`, expr.right.span);
        return this.bounded(op === '<<' ? a << b : a >> b, expr.span);
    }
    return this.error('SC2006', `\`${op}\` cannot be applied here`, expr.span);
  }

  private bounded(value: bigint, span: Span): Typed | undefined {
    if (value >= MAGNITUDE_LIMIT || value <= -MAGNITUDE_LIMIT) return this.error('SC2013', 'constant expression overflows', span);
    return { type: 'const', value };
  }

  private notArithmetic(op: string, span: Span): undefined {
    return this.error('SC2007', `\`${op}\` cannot be applied to an argument`, span,
      'an argument can only be masked with a constant (`flags & O_ACCMODE`) and compared with a constant (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in {…}`)');
  }

  private masked(operand: ArgOperand, mask: bigint, span: Span): Typed | undefined {
    const fitted = this.fit(mask, operand.arg, span, 'mask');
    if (fitted === undefined) return undefined;
    return { type: 'arg', operand: { arg: operand.arg, mask: operand.mask === undefined ? fitted : operand.mask & fitted } };
  }

  private comparison(op: CompareOp, left: Typed, right: Typed, expr: Extract<Expr, { kind: 'binary' }>): Typed | undefined {
    let operand: ArgOperand;
    let constant: bigint;
    let constantSpan: Span;
    if (left.type === 'arg' && right.type === 'const') {
      [operand, constant, constantSpan] = [left.operand, right.value, expr.right.span];
    } else if (left.type === 'const' && right.type === 'arg') {
      [operand, constant, constantSpan, op] = [right.operand, left.value, expr.left.span, FLIPPED[op]];
    } else if (left.type === 'arg' && right.type === 'arg') {
      return this.error('SC2007', 'two arguments cannot be compared with each other', expr.span, 'a seccomp filter compares an argument with a constant');
    } else if (left.type === 'const' && right.type === 'const') {
      return this.error('SC2006', 'this comparison of two constants does not depend on the call', expr.span, 'compare an argument with a constant');
    } else {
      return this.error('SC2006', `\`${op}\` compares values, not conditions`, expr.span, 'use parentheses around a masked value: `(flags & O_ACCMODE) == O_RDONLY`');
    }
    const value = this.fit(constant, operand.arg, constantSpan, 'value');
    if (value === undefined) return undefined;
    if (constant < 0n && op !== '==' && op !== '!=') {
      this.report({
        code: 'SC2011', severity: 'warning', span: constantSpan,
        message: `comparisons are unsigned: ${constant} is ${formatHex(value)} for the ${operand.arg.width}-bit argument \`${operand.arg.name}\``,
      });
    }
    return { type: 'cond', condition: { kind: 'compare', operand, op, value, span: expr.span } };
  }

  private membership(expr: Extract<Expr, { kind: 'in' }>, scope: Scope): Typed | undefined {
    const operand = this.check(expr.operand, scope);
    if (!operand) return undefined;
    if (operand.type !== 'arg') return this.error('SC2006', '`in` tests an argument, e.g. `family in {AF_UNIX, AF_INET}`', expr.operand.span);
    const values: bigint[] = [];
    let failed = false;
    for (const element of expr.elements) {
      // Argument names come first here too (`fd in {fd}` is `fd == fd`), as in any constant
      // position of a rule's condition.
      const typed = this.check(element, scope);
      if (typed?.type === 'arg') {
        this.error('SC2007', 'an argument cannot be an element of a set: sets hold constants', element.span, `\`${typed.operand.arg.name}\` names an argument of ${formatSignature(scope.syscall!)}; rename the define if a constant was meant`);
        failed = true;
        continue;
      }
      const constant = typed === undefined ? undefined : typed.type === 'const' ? typed.value : this.error('SC2006', 'expected a constant value here, found a condition', element.span);
      const value = constant === undefined ? undefined : this.fit(constant, operand.operand.arg, element.span, 'value');
      if (value === undefined) failed = true;
      else values.push(value);
    }
    if (failed) return undefined;
    const membership: Condition = { kind: 'in', operand: operand.operand, values, span: expr.span };
    return { type: 'cond', condition: expr.negated ? { kind: 'not', operand: membership } : membership };
  }

  /**
   * A constant as the argument's width sees it. Values from -2^(w-1) to 2^w-1 fit, so `fd == -1`
   * works for an int and `~O_CREAT` as a mask; the result is the unsigned w-bit value.
   */
  private fit(value: bigint, arg: SyscallArg, span: Span, what: 'value' | 'mask'): bigint | undefined {
    const width = BigInt(arg.width);
    if (value < -(1n << (width - 1n)) || value > widthMask(arg.width)) {
      const ignored = arg.width < 64 ? `: the kernel reads only the low ${arg.width} bits` : '';
      return this.error('SC2005', `${what} ${formatHex(value)} does not fit the ${arg.width}-bit argument \`${arg.name}\` (${arg.type})${ignored}`, span);
    }
    return value & widthMask(arg.width);
  }
}
