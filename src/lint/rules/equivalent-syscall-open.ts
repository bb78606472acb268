// A syscall the policy filters, beside an equivalent one it leaves open (every call allowed): the
// filter can be walked around. The pairs and their sources are in ../data/equivalents.ts.
import type { Span } from '../../diagnostics/source.ts';
import { isAllowing, openness } from '../analysis.ts';
import { EQUIVALENCES } from '../data/equivalents.ts';
import type { LintRule, RuleFinding } from '../types.ts';
import { firstRuleWhere, joinList } from './helpers.ts';

/** Alternatives whose arguments no filter can check, and why. */
const UNCHECKABLE: Readonly<Record<string, string>> = {
  openat2: 'openat2 passes its flags in a struct in memory, where no filter can check them',
  clone3: 'clone3 passes its flags in a struct in memory, where no filter can check them',
};

export const equivalentSyscallOpen: LintRule = {
  id: 'equivalent-syscall-open',
  category: 'security',
  defaultSeverity: 'error',
  summary: 'A syscall is filtered while an equivalent one is left open (execve/execveat, open/openat/openat2, clone/clone3, mount and the new mount API, …).',
  check(context) {
    const { ir } = context;
    if (!ir) return [];
    const findings: RuleFinding[] = [];
    const reported = new Set<string>();
    for (const equivalence of EQUIVALENCES) {
      const filtered = context.arch.syscalls.byName(equivalence.filtered);
      if (!filtered) continue;
      // Only a syscall the policy names is filtered on purpose: an allow-list that does not
      // name `open` (refused by the default) while allowing openat is the usual modern policy.
      const filteringRule = firstRuleWhere(context, filtered.nr, () => true);
      if (!filteringRule) continue;
      const state = openness(ir, filtered.nr);
      if (state === 'open' || (equivalence.when === 'refused' && state !== 'refused')) continue;
      const verb = state === 'refused' ? 'refused' : 'filtered';
      // Open alternatives, by where they are allowed: their own rule, or the default.
      const bySpan = new Map<Span, { names: string[]; byDefault: boolean }>();
      for (const name of equivalence.alternatives) {
        const alternative = context.arch.syscalls.byName(name);
        if (!alternative || openness(ir, alternative.nr) !== 'open' || reported.has(name)) continue;
        reported.add(name);
        const allowing = firstRuleWhere(context, alternative.nr, (r) => isAllowing(r.action));
        const span = allowing?.syscallSpan ?? filteringRule.syscallSpan;
        const group = bySpan.get(span) ?? { names: [], byDefault: !allowing };
        group.names.push(name);
        bySpan.set(span, group);
      }
      for (const [span, { names, byDefault }] of bySpan) {
        const one = names.length === 1;
        const notes = names.filter((n) => UNCHECKABLE[n]).map((n) => UNCHECKABLE[n]!);
        findings.push({
          message: `\`${equivalence.filtered}\` is ${verb}, but ${joinList(names.map((n) => `\`${n}\``))}, which ${one ? equivalence.why : equivalence.why.replace(/^(\w+?)s\b/, '$1')} too, ${one ? 'is' : 'are'} allowed whatever ${one ? 'its' : 'their'} arguments${byDefault ? ' (by the default action)' : ''}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`,
          span,
          hint: `give ${joinList(names.map((n) => `\`${n}\``))} the same treatment as \`${equivalence.filtered}\`${names.some((n) => UNCHECKABLE[n]) ? ' (refuse what no filter can check with `errno(ENOSYS)`, so the C library falls back)' : ''}`,
          ...(span !== filteringRule.syscallSpan ? { related: [{ message: `\`${equivalence.filtered}\` is ${verb} here`, span: filteringRule.syscallSpan }] } : {}),
        });
      }
    }
    return findings;
  },
};
