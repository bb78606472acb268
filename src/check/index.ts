// Syntax tree → checked policy: resolves syscalls, actions and constants, and reports every
// problem it finds (it keeps going after an error so one run shows them all).
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import { Suggestions } from '../diagnostics/suggest.ts';
import { ARCH_NAMES, ARCHES, archByName, type Arch } from '../arch/index.ts';
import { X32 } from '../arch/x32.ts';
import { FOREIGN_SYSCALL_NAMES, counterpartOn } from '../syscalls/foreign.ts';
import { errnoValue } from '../constants/index.ts';
import type { ActionNode, ArchBlock, DefineStatement, RuleStatement, Statement, SyscallRef, UnknownStatement } from '../parser/ast.ts';
import { ACTION_NAMES } from '../parser/lexer.ts';
import { SKIPPED_SYSCALL_NR, X32_SYSCALL_BIT } from '../seccomp/abi.ts';
import { KILL_PROCESS, MAX_ERRNO, type Action } from '../seccomp/action.ts';
import type { Syscall } from '../syscalls/index.ts';
import { historyStart, syscallIntroduced } from '../syscalls/versions.ts';
import { groupSyscalls, syscallGroups } from '../syscalls/groups.ts';
import { compareKernel } from '../seccomp/kernel-version.ts';
import { checkedRule, type CheckedPolicy, type CheckedRule } from './checked.ts';
import { ExpressionChecker, type Define, type Scope } from './expressions.ts';

export interface CheckResult {
  /** Absent when there are errors. */
  readonly policy?: CheckedPolicy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Names people reach for that a table spells differently (used where the table has the target). */
const SYSCALL_ALIASES: Readonly<Record<string, string>> = {
  newfstat: 'fstat', newstat: 'stat', newlstat: 'lstat', newuname: 'uname', fstatat: 'newfstatat',
  fstatat64: 'newfstatat', stat64: 'stat', fstat64: 'fstat', lstat64: 'lstat', mmap2: 'mmap',
  getdents32: 'getdents', umount: 'umount2', sigreturn: 'rt_sigreturn', sigaction: 'rt_sigaction',
  sigprocmask: 'rt_sigprocmask', _llseek: 'lseek', llseek: 'lseek', fadvise64_64: 'fadvise64',
};

class PolicyChecker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly expressions: ExpressionChecker;
  private readonly defines = new Map<string, Define>();
  private readonly suggestions = new Suggestions();
  private readonly rules: CheckedRule[] = [];
  private defaultAction?: { action: Action; span: Span };
  private x32Action?: { action: Action; span: Span };
  private foreignArchAction?: { action: Action; span: Span };
  private unknown?: { action: Action; span: Span; since?: UnknownStatement['since'] };

  /** `requested`: every ABI the filter is for, when several (a name some of them lack is then a note there). */
  constructor(private readonly arch: Arch, private readonly requested: readonly Arch[] = [arch]) {
    this.expressions = new ExpressionChecker(arch, (d) => this.diagnostics.push(d));
  }

  check(all: readonly Statement[], entry: SourceFile): CheckResult {
    const statements = this.forTarget(all, false);
    // Where `default`, `x32` and `foreign_arch` stand does not matter: they are read once every
    // define is known (`default errno(E)` may come before `define E = …`). Rules read the defines
    // made before them.
    for (const statement of statements) {
      if (statement.kind === 'define') this.define(statement);
      else if (statement.kind === 'rule') this.rule(statement);
    }
    for (const statement of statements) {
      switch (statement.kind) {
        case 'default': this.defaultAction = this.special('default', this.defaultAction, statement.action, statement.span); break;
        case 'x32':
          this.x32Action = this.special('x32', this.x32Action, statement.action, statement.span);
          if (this.arch.otherAbi?.action !== 'x32') {
            this.diagnostics.push({
              code: 'SC3012', severity: 'info', span: statement.span,
              message: `\`x32\` has no effect in a filter for ${this.arch.title}: ${this.arch.name === 'x32' ? 'x86-64 calls get `foreign_arch`\'s action' : 'no x32 call reaches it'}`,
              hint: 'it applies only when the policy is compiled for x86_64',
            });
          }
          break;
        case 'foreign_arch': this.foreignArchAction = this.special('foreign_arch', this.foreignArchAction, statement.action, statement.span); break;
        case 'unknown': {
          const given = this.special('unknown', this.unknown, statement.action, statement.span);
          this.unknown = given && { ...given, ...(statement.since && !this.unknown ? { since: this.sinceRelease(statement.since) } : {}) };
          break;
        }
        default: break;
      }
    }
    if (!this.defaultAction && !hasErrors(this.diagnostics)) {
      const empty = statements.length === 0;
      this.diagnostics.push({
        code: 'SC3001', severity: 'error',
        message: empty ? 'the policy is empty' : 'the policy has no `default` action',
        span: { file: entry, start: 0, end: Math.min(1, entry.text.length) },
        hint: 'add `default <action>` (e.g. `default kill_process`) for the calls no rule matches',
      });
    }
    const diagnostics = sortDiagnostics(this.diagnostics);
    if (hasErrors(diagnostics) || !this.defaultAction) return { diagnostics };
    return {
      diagnostics,
      policy: {
        arch: this.arch,
        defaultAction: this.defaultAction.action,
        defaultSpan: this.defaultAction.span,
        x32Action: this.x32Action?.action ?? KILL_PROCESS,
        foreignArchAction: this.foreignArchAction?.action ?? KILL_PROCESS,
        ...(this.unknown ? { unknownAction: this.unknown.action } : {}),
        rules: this.unknown?.since ? [...this.rules, ...this.newerThan(this.unknown.since, this.unknown.action, this.unknown.span)] : this.rules,
      },
    };
  }

  /**
   * The statements that apply to this target: those outside `arch` blocks, and those of the blocks
   * that name it, in place. A block for other targets is not checked against this one's table, but
   * each syscall it names must exist on one of its targets.
   */
  private forTarget(statements: readonly Statement[], inBlock: boolean): Statement[] {
    const out: Statement[] = [];
    for (const statement of statements) {
      if (statement.kind !== 'arch') {
        if (inBlock && statement.kind !== 'rule' && statement.kind !== 'define') {
          this.diagnostics.push({ code: 'SC3011', severity: 'error', span: statement.span, message: `\`${statement.kind}\` cannot be inside an \`arch\` block`, hint: 'an arch block holds rules and defines; give the others once, outside any block' });
        } else {
          out.push(statement);
        }
        continue;
      }
      if (inBlock) {
        this.diagnostics.push({ code: 'SC3011', severity: 'error', span: statement.span, message: '`arch` blocks do not nest', hint: 'name every architecture in one block: `arch aarch64, arm { … }`' });
        continue;
      }
      const targets = this.blockTargets(statement);
      const inner = this.forTarget(statement.statements, true);
      if (targets.includes(this.arch)) out.push(...inner);
      else this.checkElsewhere(inner, targets);
    }
    return out;
  }

  private blockTargets(block: ArchBlock): Arch[] {
    const targets: Arch[] = [];
    for (const { name, span } of block.arches) {
      const arch = archByName(name);
      if (arch) {
        targets.push(arch);
        continue;
      }
      const suggestion = this.suggestions.closest(name, ARCH_NAMES);
      this.diagnostics.push({ code: 'SC2015', severity: 'error', span, message: `unknown architecture \`${name}\``, hint: suggestion ? `did you mean \`${suggestion}\`?` : `one of ${ARCH_NAMES.join(', ')}` });
    }
    return targets;
  }

  /** A block for other targets: its syscall names must exist on one of them. */
  private checkElsewhere(statements: readonly Statement[], targets: readonly Arch[]): void {
    if (targets.length === 0) return;
    for (const statement of statements) {
      if (statement.kind !== 'rule') continue;
      for (const ref of statement.syscalls) {
        if (ref.kind !== 'name' || targets.some((a) => a.syscalls.byName(ref.name))) continue;
        const suggestion = this.suggestions.closest(ref.name, targets.flatMap((a) => a.syscalls.all().map((s) => s.name)));
        this.diagnostics.push({
          code: 'SC2001', severity: 'error', span: ref.span,
          message: `unknown syscall \`${ref.name}\` on ${targets.map((a) => a.title).join(' and ')}`,
          ...(suggestion ? { hint: `did you mean \`${suggestion}\`?` } : {}),
        });
      }
    }
  }

  /** A release `since` may name: one the history of syscalls covers on the target (src/syscalls/versions.ts). */
  private sinceRelease(since: NonNullable<UnknownStatement['since']>): UnknownStatement['since'] {
    const start = historyStart(this.arch);
    if (compareKernel(since, start) >= 0) return since;
    this.diagnostics.push({
      code: 'SC3013', severity: 'error', span: since.span,
      message: `\`since\` names a release before Linux ${start[0]}.${start[1]}, where seccompile's history of ${this.arch.title} syscalls starts`,
      hint: `name ${start[0]}.${start[1]} or later, or drop \`since\` to give the verdict to the numbers seccompile's table does not know`,
    });
    return undefined;
  }

  /** Rules giving the syscalls added after `since` that no rule names the `unknown` verdict. */
  private newerThan(since: NonNullable<UnknownStatement['since']>, action: Action, span: Span): CheckedRule[] {
    const named = new Set(this.rules.map((r) => r.syscall.nr));
    return this.arch.syscalls.all().filter((s) => {
      const added = syscallIntroduced(s.name, this.arch)?.version;
      return !named.has(s.nr) && added !== undefined && compareKernel(added, since) > 0;
    }).map((s) => checkedRule(s, action, undefined, span, since.span));
  }

  /** `default`, `x32`, `foreign_arch` and `unknown`: each may be given once. */
  private special(keyword: string, previous: { span: Span } | undefined, node: ActionNode, span: Span): { action: Action; span: Span } | undefined {
    const action = this.action(node);
    if (keyword !== 'default' && (action?.kind === 'allow' || action?.kind === 'log')) {
      const calls = keyword === 'x32' ? 'x32 calls' : keyword === 'unknown' ? 'syscalls newer than the policy' : 'calls from other architectures (such as i386 `int $0x80`)';
      this.diagnostics.push({
        code: 'SC3009', severity: 'warning', span,
        message: `\`${keyword} ${node.name}\` lets ${calls} run without any rule being checked`,
        hint: 'no rule of the policy sees these calls; prefer kill_process or errno(ENOSYS)',
      });
    }
    if (previous) {
      this.diagnostics.push({
        code: keyword === 'default' ? 'SC3002' : 'SC3008', severity: 'error',
        message: `\`${keyword}\` is given twice`, span,
        related: [{ message: 'first given here', span: previous.span }],
      });
      return { action: action ?? KILL_PROCESS, span: previous.span };
    }
    return action && { action, span };
  }

  private define(statement: DefineStatement): void {
    const value = this.expressions.constant(statement.value, { defines: this.defines });
    const previous = this.defines.get(statement.name);
    if (previous) {
      this.diagnostics.push({
        code: 'SC2008', severity: 'error', message: `\`${statement.name}\` is already defined`, span: statement.nameSpan,
        related: [{ message: 'first defined here', span: previous.span }],
      });
      return;
    }
    const builtin = this.arch.constants.lookup(statement.name);
    if (builtin) {
      this.diagnostics.push({
        code: 'SC2009', severity: 'warning', span: statement.nameSpan,
        message: `\`${statement.name}\` hides the built-in constant ${statement.name} (${builtin.value})`,
        hint: 'choose another name, unless you mean to change what the name stands for in this policy',
      });
    }
    this.defines.set(statement.name, { value, span: statement.nameSpan });
  }

  private rule(statement: RuleStatement): void {
    const action = this.action(statement.action);
    if (statement.syscalls.length === 0) {
      this.diagnostics.push({ code: 'SC3010', severity: 'warning', span: statement.span, message: 'this rule lists no syscalls' });
    }
    // Each syscall's first place, and its repeats: one warning per syscall, however often repeated
    // by name (a group may share members with another, or name what the list names anyway).
    const seen = new Map<number, { name: string; first: Span; again?: Span; times: number; grouped: boolean }>();
    for (const { syscall, span, grouped } of this.syscallsOf(statement.syscalls)) {
      const listed = seen.get(syscall.nr);
      if (listed) {
        if (!grouped && !listed.grouped) {
          listed.again ??= span;
          listed.times++;
        }
        continue;
      }
      seen.set(syscall.nr, { name: syscall.name, first: span, times: 1, grouped });
      const scope: Scope = { syscall, defines: this.defines };
      const condition = statement.condition && this.expressions.condition(statement.condition, scope);
      if (!action || (statement.condition && !condition)) continue;
      this.rules.push(checkedRule(syscall, action, condition, statement.span, span));
    }
    seen.forEach(({ name, first, again, times }) => {
      if (!again) return;
      this.diagnostics.push({
        code: 'SC3003', severity: 'warning', message: `\`${name}\` is listed ${times === 2 ? 'twice' : `${times} times`} in this rule`, span: again,
        related: [{ message: 'first listed here', span: first }],
      });
    });
  }

  /** The syscalls a list names, each group's members that the target has in place of the group. */
  private syscallsOf(refs: readonly SyscallRef[]): { syscall: Syscall; span: Span; grouped: boolean }[] {
    const out: { syscall: Syscall; span: Span; grouped: boolean }[] = [];
    for (const ref of refs) {
      if (ref.kind !== 'group') {
        const syscall = this.syscall(ref);
        if (syscall) out.push({ syscall, span: ref.span, grouped: false });
        continue;
      }
      const members = groupSyscalls(ref.name);
      if (!members) {
        const suggestion = this.suggestions.closest(ref.name, syscallGroups().map((g) => g.name));
        this.diagnostics.push({
          code: 'SC2017', severity: 'error', message: `unknown syscall group \`@${ref.name}\``, span: ref.span,
          hint: suggestion ? `did you mean \`@${suggestion}\`?` : 'the groups are systemd\'s: `seccompile groups` lists them',
        });
        continue;
      }
      // As systemd does, a member the target does not have is left out.
      for (const name of members) {
        const syscall = this.arch.syscalls.byName(name);
        if (syscall) out.push({ syscall, span: ref.span, grouped: true });
      }
    }
    return out;
  }

  private syscall(ref: Exclude<SyscallRef, { kind: 'group' }>): Syscall | undefined {
    if (ref.kind === 'number') return this.syscallNumber(ref.value, ref.span);
    const table = this.arch.syscalls;
    const syscall = table.byName(ref.name);
    if (syscall) return syscall;
    const alias = SYSCALL_ALIASES[ref.name];
    const known = alias !== undefined && table.byName(alias) ? alias : undefined;
    const others = ARCHES.filter((a) => a !== this.arch && a.syscalls.byName(ref.name)).map((a) => a.name);
    if (this.requested.length > 1) {
      const elsewhere = this.requested.filter((a) => a !== this.arch && a.syscalls.byName(ref.name));
      if (elsewhere.length > 0) {
        this.diagnostics.push({ code: 'SC2016', severity: 'info', span: ref.span, message: `\`${ref.name}\` does not exist on ${this.arch.title}: its rules apply on ${elsewhere.map((a) => a.title).join(' and ')}` });
        return undefined;
      }
      // A name no requested ABI has is reported once, by the first one's check.
      if (this.arch !== this.requested[0]) return undefined;
    }
    if (others.length > 0 || FOREIGN_SYSCALL_NAMES.has(ref.name)) {
      const counterpart = known ? `${this.arch.title} has \`${known}\`` : counterpartOn(ref.name, table, this.arch.title);
      const where = others.length > 0 ? others.join(', ') : 'other architectures';
      const block = others.length > 0 ? `; a rule for ${others.length === 1 ? 'it' : 'them'} alone goes in \`arch ${others.join(', ')} { … }\`` : '';
      this.diagnostics.push({
        code: 'SC2001', severity: 'error', message: `\`${ref.name}\` is a syscall of ${where}, not of ${this.arch.title}`, span: ref.span,
        hint: (counterpart ?? `${this.arch.title} has no such syscall: leave it out`) + block,
      });
      return undefined;
    }
    const suggestion = known ?? this.suggestions.closest(ref.name, table.all().map((s) => s.name));
    this.diagnostics.push({
      code: 'SC2001', severity: 'error', message: `unknown syscall \`${ref.name}\``, span: ref.span,
      hint: suggestion ? `did you mean \`${suggestion}\`?` : `name a syscall from the ${this.arch.title} table, or give its number`,
    });
    return undefined;
  }

  private syscallNumber(value: bigint, span: Span): Syscall | undefined {
    const other = this.arch.otherAbi;
    const refuse = (message: string, hint?: string): undefined => {
      this.diagnostics.push({ code: 'SC2010', severity: 'error', span, message, ...(hint ? { hint } : {}) });
      return undefined;
    };
    if (value === BigInt(SKIPPED_SYSCALL_NR)) return refuse('syscall number 0xffffffff (-1) is how a tracer skips a call: it always gets the default action');
    if (value > BigInt(SKIPPED_SYSCALL_NR)) return refuse(`syscall number ${value} is out of range`);
    if (other && value >= BigInt(other.lo) && value <= BigInt(other.hi)) {
      return other.action === 'x32'
        ? refuse(`syscall number 0x${value.toString(16)} is an x32 number: x32 calls are always rejected (see \`x32 <action>\`)`, 'x86-64 syscall numbers are below 0x40000000')
        : refuse(`syscall number ${value} is an x86-64 number: x86-64 calls get \`foreign_arch\`'s action in an x32 filter`, `x32 numbers carry bit 30: 0x${(Number(value) | X32_SYSCALL_BIT).toString(16)}`);
    }
    // 512-547 are x32 entries of x86-64's table: an x86-64 call with that number reaches no
    // syscall (the kernel answers ENOSYS), and the x32 call itself carries bit 30.
    const x32Only = this.arch.name === 'x86_64' ? X32.syscalls.byNumber(Number(value) | X32_SYSCALL_BIT) : undefined;
    if (x32Only?.abi === 'x32' && !this.arch.syscalls.byNumber(Number(value))) {
      this.diagnostics.push({
        code: 'SC2010', severity: 'warning', span,
        message: `syscall ${value} is x32's \`${x32Only.name}\` (0x${(Number(value) | X32_SYSCALL_BIT).toString(16)} on x32): an x86-64 call with number ${value} reaches no syscall, and x32 calls get the \`x32\` action`,
        hint: 'this rule applies only to x86-64 calls with this number, which the kernel answers with ENOSYS',
      });
    }
    return this.arch.syscalls.forNumber(Number(value));
  }

  private action(node: ActionNode): Action | undefined {
    const arg = node.argument;
    const argument = (): bigint | undefined => arg && this.expressions.constant(arg, { defines: this.defines });
    const noArgument = (action: Action): Action | undefined => {
      if (!arg) return action;
      this.diagnostics.push({ code: 'SC2004', severity: 'error', message: `\`${node.name}\` takes no argument`, span: arg.span });
      return undefined;
    };
    switch (node.name as (typeof ACTION_NAMES)[number]) {
      case 'allow': return noArgument({ kind: 'allow' });
      case 'log': return noArgument({ kind: 'log' });
      case 'kill':
      case 'kill_process': return noArgument({ kind: 'kill_process' });
      case 'kill_thread': return noArgument({ kind: 'kill_thread' });
      case 'notify': return noArgument({ kind: 'notify' });
      case 'trap': {
        const data = arg ? this.ranged(argument(), 0xffff, node, 'trap data') : 0;
        return data === undefined ? undefined : { kind: 'trap', data };
      }
      case 'trace': {
        const data = arg ? this.ranged(argument(), 0xffff, node, 'trace data') : 0;
        return data === undefined ? undefined : { kind: 'trace', data };
      }
      case 'errno': {
        if (!arg) {
          this.diagnostics.push({ code: 'SC2004', severity: 'error', message: '`errno` needs a value', span: node.span, hint: 'write `errno(EPERM)` or `errno(1)`' });
          return undefined;
        }
        // An errno name is looked up among errno values first, so `errno(EPERM)` never means a flag.
        const named = arg.kind === 'name' && !this.defines.has(arg.name) ? errnoValue(arg.name) : undefined;
        const value = named ?? this.ranged(argument(), MAX_ERRNO, node, 'errno');
        return value === undefined ? undefined : { kind: 'errno', errno: value };
      }
    }
  }

  private ranged(value: bigint | undefined, max: number, node: ActionNode, what: string): number | undefined {
    if (value === undefined) return undefined;
    if (value < 0n || value > BigInt(max)) {
      this.diagnostics.push({ code: 'SC2004', severity: 'error', message: `${what} ${value} is out of range 0..${max}`, span: node.argument!.span });
      return undefined;
    }
    return Number(value);
  }
}

export function checkPolicy(statements: readonly Statement[], entry: SourceFile, arch: Arch, requested: readonly Arch[] = [arch]): CheckResult {
  return new PolicyChecker(arch, requested).check(statements, entry);
}

export type { CheckedPolicy, CheckedRule, Condition } from './checked.ts';
