// A comparison whose value does not fit the argument as the kernel reads it. The kernel casts each
// argument to its declared type, so for an `int` only the low 32 bits count, and glibc may leave
// garbage or a sign extension in the upper half (libseccomp issues #69, #139, #383). Policies:
// compiler SC2005 (does not fit) and SC2011 (an ordered comparison with a negative number).
// Profiles: runtimes compare all 64 bits, so a value above 2^32 (or a negative number written as
// 64 bits) on a 32-bit argument matches only calls whose upper half happens to be just so.
import type { Span } from '../../diagnostics/source.ts';
import type { LintRule, RuleFinding } from '../types.ts';

const hex = (value: bigint): string => `0x${value.toString(16)}`;

interface Wide {
  readonly span: Span;
  readonly what: 'value' | 'mask';
  readonly value: bigint;
  readonly argName: string;
  readonly width: number;
  readonly op: string;
  readonly names: string[];
}

function describe(wide: Wide): RuleFinding {
  const limit = 1n << BigInt(wide.width);
  const low = wide.value & (limit - 1n);
  const signExtended = wide.value >= (1n << 64n) - limit / 2n;
  const reason = signExtended
    ? `it is the sign extension of ${wide.value - (1n << 64n)}, which matches only when the caller sign-extends the argument; the kernel reads only the low ${wide.width} bits (${hex(low)})`
    : `the kernel reads only the low ${wide.width} bits, so this tests bits the kernel ignores (a caller that leaves them 0 ${wide.op === 'SCMP_CMP_NE' ? 'always passes' : 'never matches'})`;
  const names = wide.names.map((n) => `\`${n}\``).join(', ');
  return {
    message: `${wide.what} ${hex(wide.value)} is wider than \`${wide.argName}\`, a ${wide.width}-bit argument of ${names}: ${reason}`,
    span: wide.span,
    hint: wide.what === 'mask'
      ? `mask the low ${wide.width} bits only (${hex(low)})`
      : `compare ${hex(low)} with SCMP_CMP_MASKED_EQ and mask ${hex(limit - 1n)}, so that the upper bits do not count`,
  };
}

export const valueBeyondWidth: LintRule = {
  id: 'value-beyond-width',
  category: 'correctness',
  defaultSeverity: 'error',
  summary: 'An argument compared with a value wider than the argument (above 2^32, or negative, for a 32-bit argument).',
  compilerCodes: ['SC2005', 'SC2011'],
  check(context) {
    if (context.kind !== 'profile' || !context.profile) return [];
    const found = new Map<number, Wide>();
    for (const entry of context.profile.syscalls) {
      for (const name of entry.names) {
        const syscall = context.arch.syscalls.byName(name.value);
        if (!syscall) continue;
        for (const arg of entry.args) {
          const declared = syscall.args[arg.index.value];
          if (!declared || declared.width === 64) continue;
          const limit = 1n << BigInt(declared.width);
          const tested = arg.op.value === 'SCMP_CMP_MASKED_EQ'
            ? [{ what: 'mask' as const, located: arg.value }, { what: 'value' as const, located: arg.valueTwo }]
            : [{ what: 'value' as const, located: arg.value }];
          for (const { what, located } of tested) {
            if (located.value < limit) continue;
            const known = found.get(located.span.start);
            if (known) {
              if (!known.names.includes(name.value)) known.names.push(name.value);
              continue;
            }
            found.set(located.span.start, { span: located.span, what, value: located.value, argName: declared.name, width: declared.width, op: arg.op.value, names: [name.value] });
          }
        }
      }
    }
    return [...found.values()].map(describe);
  },
};
