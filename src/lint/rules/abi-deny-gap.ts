// A deny-list filter for several ABIs (a profile that lists i386 and x32, or `--arch
// x86_64,i386`) refuses a syscall on the host's ABI but leaves the same operation open on another:
// i386 reaches socket and IPC calls through socketcall/ipc as well as by their own numbers, and has
// 32-bit and 64-bit variants (`fstat64`, `chown32`, `_llseek`) beside the plain names. A process
// makes the call through that ABI (`int $0x80`) and the default lets it run.
import type { Arch } from '../../arch/arch.ts';
import type { CheckedPolicy, CheckedRule, CompareOp, Condition } from '../../check/checked.ts';
import { multiplexerFor } from '../../syscalls/multiplexers.ts';
import type { LintRule, RuleFinding } from '../types.ts';

const ALLOWING = new Set(['allow', 'log']);

/** The calls that make the operation `name` on `abi`: its own name, its width variants, and its multiplexer with the argument 0 that selects it. */
function counterparts(name: string, abi: Arch): { names: string[]; via?: { readonly name: string; readonly arg0: number } } {
  const names = [name, `${name}32`, `${name}64`, `${name}_time64`, `_${name}`, `_new${name}`].filter((n) => abi.syscalls.byName(n));
  const via = multiplexerFor(abi, name);
  return via && abi.syscalls.byName(via.name) ? { names, via } : { names };
}

function compare(x: bigint, op: CompareOp, value: bigint): boolean {
  switch (op) {
    case '==': return x === value;
    case '!=': return x !== value;
    case '<': return x < value;
    case '<=': return x <= value;
    case '>': return x > value;
    case '>=': return x >= value;
  }
}

/**
 * A condition for the calls whose argument 0 is `arg0`: true or false when that decides it,
 * undefined when it depends on other arguments (a multiplexer's are behind a pointer).
 */
function withArg0(condition: Condition | undefined, arg0: bigint): boolean | undefined {
  if (!condition) return true;
  switch (condition.kind) {
    case 'and':
    case 'or': {
      const decisive = condition.kind === 'or';
      let result: boolean | undefined = !decisive;
      for (const operand of condition.operands) {
        const value = withArg0(operand, arg0);
        if (value === decisive) return decisive;
        if (value === undefined) result = undefined;
      }
      return result;
    }
    case 'not': {
      const value = withArg0(condition.operand, arg0);
      return value === undefined ? undefined : !value;
    }
    default: {
      if (condition.operand.arg.index !== 0) return undefined;
      const x = condition.operand.mask === undefined ? arg0 : arg0 & condition.operand.mask;
      if (condition.kind === 'compare') return compare(x, condition.op, condition.value);
      if (condition.kind === 'in') return condition.values.includes(x);
      return x !== 0n;
    }
  }
}

/**
 * Whether every call through the multiplexer with argument 0 `arg0` is refused: the rules of the
 * multiplexer in order, the first that holds for a call deciding it; the calls no rule takes reach
 * the default, which lets them in.
 */
function multiplexedRefused(rules: readonly CheckedRule[], arg0: number): boolean {
  for (const rule of rules) {
    const holds = withArg0(rule.condition, BigInt(arg0));
    if (holds === false) continue;
    if (ALLOWING.has(rule.action.kind)) return false; // some or all of these calls are let in
    if (holds) return true;
    // refused for some of them; the others go on to the next rule
  }
  return false;
}

export const abiDenyGap: LintRule = {
  id: 'abi-deny-gap',
  category: 'security',
  defaultSeverity: 'error',
  summary: 'A deny-list refuses a syscall on one ABI of the filter and lets another ABI of the filter make the same call (i386 socketcall, fstat64, chown32…).',
  check(context) {
    const sections = context.sections;
    if (!sections || sections.length < 2 || !ALLOWING.has(sections[0]!.defaultAction.kind)) return [];
    const [host, ...others] = sections as [CheckedPolicy, ...CheckedPolicy[]];
    const findings: RuleFinding[] = [];
    const seen = new Set<string>();
    // each other ABI's rules by syscall, once (not once per host rule)
    const rulesOn = others.map((other) => {
      const rulesOf = new Map<string, CheckedRule[]>();
      for (const r of other.rules) {
        const list = rulesOf.get(r.syscall.name);
        if (list) list.push(r);
        else rulesOf.set(r.syscall.name, [r]);
      }
      return { other, rulesOf };
    });
    for (const rule of host.rules) {
      if (ALLOWING.has(rule.action.kind) || seen.has(rule.syscall.name)) continue;
      seen.add(rule.syscall.name);
      for (const { other, rulesOf } of rulesOn) {
        // A name of the same operation counts as refused when any rule refuses it (its arguments
        // are the host's, conditions alike or not); the multiplexer only where its rules refuse
        // every call of this operation, whatever its other arguments.
        const { names, via } = counterparts(rule.syscall.name, other.arch);
        const open = names.filter((n) => !(rulesOf.get(n) ?? []).some((r) => !ALLOWING.has(r.action.kind)));
        if (via && !multiplexedRefused(rulesOf.get(via.name) ?? [], via.arg0)) open.push(via.name);
        if (open.length === 0) continue;
        findings.push({
          span: context.actionSpan(rule),
          message: `\`${rule.syscall.name}\` is refused on ${host.arch.title}, but on ${other.arch.title}, which the filter lets in, ${open.map((n) => `\`${n}\``).join(', ')} ${open.length === 1 ? 'is' : 'are'} left to the default (${sections[0]!.defaultAction.kind}): a process makes the call through that ABI`,
          hint: context.kind === 'profile'
            ? `name ${open.length === 1 ? 'it' : 'them'} in the entry too (runtimes add every name to each architecture that has it), or leave ${other.arch.oci.scmpArch} out of the profile's architectures`
            : open.some((n) => n === 'socketcall' || n === 'ipc')
              ? `refuse them in an \`arch ${other.arch.name}\` block too (\`socketcall\`/\`ipc\` multiplex the socket and IPC calls: test arg0), or leave ${other.arch.title} out of the filter`
              : `refuse them on ${other.arch.title} too (an \`arch ${other.arch.name}\` block), or leave ${other.arch.title} out of the filter`,
        });
      }
    }
    return findings;
  },
};
