// Profiles: runtimes (libseccomp) compare all 64 bits of an argument, but the kernel reads a
// 32-bit argument (declared `int`, or narrowed in the kernel: clone's flags, docs/language.md §9)
// on its low half only. A caller that sets bits in the upper half, which the kernel ignores,
// changes what the comparison says and not what the call does: it escapes a refusing rule that
// tests `==`, `<`, `<=` or a mask reaching the upper half, and enters an allowing rule that tests
// `!=`, `>` or `>=`. Policies are compiled at the kernel's width and are not affected.
import type { Span } from '../../diagnostics/source.ts';
import type { OciOperator } from '../../oci/profile.ts';
import type { LintRule, RuleFinding } from '../types.ts';

const REFUSING = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO']);
const ALLOWING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);
const ESCAPES: ReadonlySet<OciOperator> = new Set<OciOperator>(['SCMP_CMP_EQ', 'SCMP_CMP_LT', 'SCMP_CMP_LE']);
const ENTERS: ReadonlySet<OciOperator> = new Set<OciOperator>(['SCMP_CMP_NE', 'SCMP_CMP_GT', 'SCMP_CMP_GE']);
const LOW = 0xffffffffn;

/** How to compare only the bits the kernel reads: OCI has a masked `==`, but no masked `!=` or ordering. */
function hintFor(op: OciOperator, value: bigint, width: number): string {
  const low = value & LOW;
  switch (op) {
    case 'SCMP_CMP_MASKED_EQ': return `mask the low ${width} bits only (0x${low.toString(16)})`;
    case 'SCMP_CMP_EQ': return `compare the low 32 bits only: SCMP_CMP_MASKED_EQ with mask 0xffffffff and value ${low}`;
    case 'SCMP_CMP_NE': return `OCI has no masked \`!=\`: refuse ${low} in an entry before this one (SCMP_CMP_MASKED_EQ, mask 0xffffffff, value ${low}) and allow the rest, or write the rule in seccompile's language, which compares at the kernel's width`;
    default: return 'OCI has no masked ordered comparison: list the values with SCMP_CMP_MASKED_EQ (mask 0xffffffff), or write the rule in seccompile\'s language, which compares at the kernel\'s width';
  }
}

export const upperBitsBypass: LintRule = {
  id: 'upper-bits-bypass',
  category: 'security',
  defaultSeverity: 'error',
  summary: 'A profile compares all 64 bits of an argument the kernel reads as 32 bits: a call with garbage in the upper half escapes a refusing rule or enters an allowing one.',
  check(context) {
    if (context.kind !== 'profile' || !context.profile) return [];
    const found = new Map<number, { span: Span; message: string; hint: string }>();
    for (const entry of context.profile.syscalls) {
      const action = entry.action.value;
      const refusing = REFUSING.has(action);
      if (!refusing && !ALLOWING.has(action)) continue;
      for (const name of entry.names) {
        const syscall = context.arch.syscalls.byName(name.value);
        if (!syscall) continue;
        for (const arg of entry.args) {
          const declared = syscall.args[arg.index.value];
          if (!declared || declared.width === 64 || found.has(arg.span.start)) continue;
          const op = arg.op.value;
          const masked = op === 'SCMP_CMP_MASKED_EQ';
          const bypass = refusing ? ESCAPES.has(op) || (masked && (arg.value.value & ~LOW) !== 0n) : ENTERS.has(op);
          if (!bypass) continue;
          const what = refusing ? `escapes this ${action} rule` : `passes this ${action} rule`;
          found.set(arg.span.start, {
            span: arg.span,
            message: `\`${declared.name}\` of \`${name.value}\` is ${declared.width}-bit for the kernel, but runtimes compare all 64 bits: a call that sets bits in the upper half, which the kernel ignores, ${what}`,
            hint: hintFor(op, arg.value.value, declared.width),
          });
        }
      }
    }
    return [...found.values()].map((f): RuleFinding => f);
  },
};
