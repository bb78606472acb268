// Dangerous syscalls allowed without argument conditions (the table and its sources are in
// ../data/dangerous.ts). A syscall counts as filtered when some rule before its first
// unconditional allow tests its arguments (for ioctl: the request `cmd`; for personality: the
// persona), so `errno(EPERM) ioctl if cmd == TIOCSTI` then `allow ioctl` is fine.
import { argOffsets, decisionRules, isAllowing, reachableActions, testedOffsets } from '../analysis.ts';
import { DANGEROUS_SYSCALLS } from '../data/dangerous.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { defaultSpan, firstRuleWhere, nameList } from './helpers.ts';

export const dangerousSyscall: LintRule = {
  id: 'dangerous-syscall',
  category: 'security',
  defaultSeverity: 'error',
  summary: 'A dangerous syscall (ptrace, bpf, mount, io_uring, ioctl without a request filter, …) allowed without argument conditions.',
  check(context) {
    const { ir } = context;
    if (!ir) return [];
    const findings: RuleFinding[] = [];
    const byDefault: string[] = [];
    for (const [name, danger] of Object.entries(DANGEROUS_SYSCALLS)) {
      const syscall = context.arch.syscalls.byName(name);
      if (!syscall) continue;
      if (!reachableActions(ir, syscall.nr).some(isAllowing)) continue;
      // Which words a filtering condition must test.
      const wanted = new Set((danger.filterArgs ?? syscall.args.map((a) => a.index)).flatMap(argOffsets));
      const filtered = decisionRules(ir, syscall.nr).some((rule) => [...testedOffsets(rule.condition)].some((o) => wanted.has(o)));
      if (filtered) continue;
      const rule = firstRuleWhere(context, syscall.nr, (r) => isAllowing(r.action));
      if (!rule) {
        byDefault.push(name);
        continue;
      }
      const filterArgs = danger.filterArgs?.map((i) => `\`${syscall.args[i]?.name ?? `arg${i}`}\``).join(', ');
      findings.push({
        message: `\`${name}\` is allowed ${filterArgs ? `without a condition on ${filterArgs}` : 'whatever its arguments'}: it ${danger.reason}`,
        span: rule.syscallSpan,
        hint: filterArgs ? `allow only the values the program needs, e.g. \`allow ${name} if ${syscall.args[danger.filterArgs![0]!]?.name ?? 'arg0'} in {…}\`` : `refuse it (\`errno(EPERM) ${name}\`), or allow only the calls the program needs with a condition`,
      });
    }
    if (byDefault.length > 0) {
      const span = defaultSpan(context);
      findings.push({
        message: `the default action allows dangerous syscalls no rule names: ${nameList(byDefault)}`,
        ...(span ? { span } : {}),
        hint: `refuse them explicitly (e.g. \`errno(EPERM) ${byDefault.slice(0, 3).join(', ')}\`), or make the policy an allow-list; the rule's documentation says why each is dangerous`,
      });
    }
    return findings;
  },
};
