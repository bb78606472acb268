// A deny-list filter for several ABIs (a profile that lists i386 and x32, or `--arch
// x86_64,i386`) refuses a syscall on the host's ABI but leaves the same operation open on another:
// i386 reaches socket and IPC calls through socketcall/ipc as well as by their own numbers, and has
// 32-bit and 64-bit variants (`fstat64`, `chown32`, `_llseek`) beside the plain names. A process
// makes the call through that ABI (`int $0x80`) and the default lets it run.
import type { Arch } from '../../arch/arch.ts';
import type { CheckedPolicy } from '../../check/checked.ts';
import { multiplexerFor } from '../../syscalls/multiplexers.ts';
import type { LintRule, RuleFinding } from '../types.ts';

const ALLOWING = new Set(['allow', 'log']);

/** The names that make the operation `name` on `abi`: its own, its width variants, its multiplexer. */
function counterparts(name: string, abi: Arch): string[] {
  const names = [name, `${name}32`, `${name}64`, `${name}_time64`, `_${name}`, `_new${name}`].filter((n) => abi.syscalls.byName(n));
  const via = multiplexerFor(abi, name);
  return via ? [...names, via.name] : names;
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
    // what each other ABI refuses, once (not once per host rule)
    const refusedOn = others.map((other) => ({ other, refused: new Set(other.rules.filter((r) => !ALLOWING.has(r.action.kind)).map((r) => r.syscall.name)) }));
    for (const rule of host.rules) {
      if (ALLOWING.has(rule.action.kind) || seen.has(rule.syscall.name)) continue;
      seen.add(rule.syscall.name);
      for (const { other, refused } of refusedOn) {
        const open = counterparts(rule.syscall.name, other.arch).filter((n) => !refused.has(n));
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
