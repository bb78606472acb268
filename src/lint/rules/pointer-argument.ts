// A condition on a pointer argument: the filter sees only the address, never the memory behind
// it, and the memory can change after the check (seccomp_filter.rst: "the filter cannot
// dereference pointers"; TOCTOU). A comparison with 0 (a null check) is meaningful and allowed.
import type { CheckedRule, Condition } from '../../check/checked.ts';
import type { Span } from '../../diagnostics/source.ts';
import type { SyscallArg } from '../../syscalls/index.ts';
import type { LintRule, RuleFinding } from '../types.ts';

const HINT = 'a seccomp filter cannot check what a pointer points to: restrict paths and structures with Landlock, mount namespaces or a `notify` supervisor; a comparison with 0 (a null pointer) is fine';

/** The declared parameter of an operand (profiles compare positional 64-bit arguments). */
function declared(rule: CheckedRule, arg: SyscallArg): SyscallArg {
  return rule.syscall.args[arg.index] ?? arg;
}

/** Comparisons of pointers with something other than a null check, with their spans. */
function pointerTests(rule: CheckedRule, condition: Condition, out: { span: Span; arg: string }[]): void {
  switch (condition.kind) {
    case 'and':
    case 'or': for (const operand of condition.operands) pointerTests(rule, operand, out); break;
    case 'not': pointerTests(rule, condition.operand, out); break;
    case 'compare':
    case 'in':
    case 'bits': {
      const arg = declared(rule, condition.operand.arg);
      if (!arg.pointer) return;
      const nullCheck = condition.kind === 'compare' && condition.operand.mask === undefined && (condition.op === '==' || condition.op === '!=') && condition.value === 0n;
      if (!nullCheck) out.push({ span: condition.span, arg: arg.name });
    }
  }
}

export const pointerArgument: LintRule = {
  id: 'pointer-argument',
  category: 'correctness',
  defaultSeverity: 'warning',
  summary: 'A condition on a pointer argument, which tests the address, not the memory it points to.',
  check(context) {
    const findings = new Map<string, RuleFinding & { names: string[]; arg: string }>();
    const add = (span: Span, arg: string, syscall: string): void => {
      const key = `${span.file.path}:${span.start}:${span.end}`;
      const known = findings.get(key);
      if (known) {
        if (!known.names.includes(syscall)) known.names.push(syscall);
        return;
      }
      findings.set(key, { message: '', span, hint: HINT, names: [syscall], arg });
    };
    if (context.kind === 'profile') {
      // The raw entries: every entry of the file, whatever applies to this host.
      for (const entry of context.profile?.syscalls ?? []) {
        for (const name of entry.names) {
          const syscall = context.arch.syscalls.byName(name.value);
          if (!syscall) continue;
          for (const arg of entry.args) {
            const param = syscall.args[arg.index.value];
            if (!param?.pointer) continue;
            const nullCheck = (arg.op.value === 'SCMP_CMP_EQ' || arg.op.value === 'SCMP_CMP_NE') && arg.value.value === 0n;
            if (!nullCheck) add(arg.span, param.name, name.value);
          }
        }
      }
    } else {
      for (const rule of context.policy?.rules ?? []) {
        if (!rule.condition) continue;
        const tests: { span: Span; arg: string }[] = [];
        pointerTests(rule, rule.condition, tests);
        for (const test of tests) add(test.span, test.arg, rule.syscall.name);
      }
    }
    return [...findings.values()].map(({ names, arg, ...finding }) => ({
      ...finding,
      message: `\`${arg}\` is a pointer (${names.map((n) => `\`${n}\``).join(', ')}): the filter compares the address, not the memory it points to, and that memory can change after the check`,
    }));
  },
};
