// `seccompile explain POLICY [RECORD…]`: names the syscall of each seccomp audit record (from
// dmesg, journalctl or audit.log; standard input without RECORD) and shows the statements of the
// policy that give it the action the record reports.
import { callAbi } from '../../arch/index.ts';
import type { CheckedPolicy } from '../../check/checked.ts';
import { explainRecord, parseAuditRecord, type AuditRecord, type Decider, type Explanation } from '../../analysis/explain.ts';
import { errnoName } from '../../constants/index.ts';
import type { PrintableDiagnostic } from '../../diagnostics/format.ts';
import { formatDiagnostics } from '../../diagnostics/format.ts';
import { formatAction, formatReturnValue } from '../../seccomp/action.ts';
import { archName } from '../../seccomp/abi.ts';
import { CliError, EXIT_INPUT_ERROR, EXIT_USAGE } from '../errors.ts';
import { loadFilter } from '../filter-input.ts';
import { decodeText, readInput, useColor } from '../io.ts';
import type { OciCliOptions } from '../oci-input.ts';
import { writeStdout } from '../stdout.ts';

function who(record: AuditRecord): string {
  const parts = [record.pid !== undefined ? `pid ${record.pid}` : '', record.comm ? `comm "${record.comm}"` : '', record.exe ? `exe ${record.exe}` : ''].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function callText(record: AuditRecord, explained: Explanation): string {
  const name = explained.syscall?.name ?? 'a syscall seccompile does not know';
  if (explained.abi === 'foreign') return `syscall ${record.nr} of architecture ${archName(record.arch)} (not the policy's ${explained.target.title})`;
  if (explained.abi === 'x32') return `${name} through the x32 ABI (syscall 0x${record.nr.toString(16)})`;
  return `${name} (syscall ${record.nr}, ${explained.target.title})`;
}

function deciderNote(decider: Decider, action: string, syscall: string): PrintableDiagnostic | string {
  switch (decider.kind) {
    case 'rule': return { code: 'rule', severity: 'info', path: decider.rule.span.file.path, span: decider.rule.span, message: `${decider.rule.condition ? 'if its condition holds, this rule' : 'this rule'} gives ${syscall} ${action}` };
    case 'default': return decider.span ? { code: 'default', severity: 'info', path: decider.span.file.path, span: decider.span, message: `no rule decides this call: the default gives ${action}` } : `the default gives ${action}: no rule decides this call`;
    case 'x32': return `every x32 call gets the policy's \`x32\` action, ${action}`;
    case 'foreign_arch': return `every call of another architecture gets the policy's \`foreign_arch\` action, ${action}`;
  }
}

/** The explanation of each record, and how many no statement of the policy explains. */
/** `policy`: the filter's, or each ABI's for a filter of several (a record is explained by its ABI's). */
export function explainRecords(records: readonly string[], policy: CheckedPolicy | readonly CheckedPolicy[], color: boolean): { text: string; unexplained: number } {
  const sections: readonly CheckedPolicy[] = Array.isArray(policy) ? policy : [policy as CheckedPolicy];
  const out: string[] = [];
  let unexplained = 0;
  for (const line of records) {
    const record = parseAuditRecord(line);
    if ('error' in record) throw new CliError(`${record.error}: ${line.slice(0, 200)}`, EXIT_USAGE, { hint: 'give a line of `dmesg`, `journalctl -k` or /var/log/audit/audit.log with type=1326 (SECCOMP)' });
    const own = sections.find((p) => callAbi(p.arch, record.arch, record.nr) === 'native') ?? sections[0]!;
    const explained = explainRecord(own, record);
    const action = formatAction(explained.action, errnoName);
    const syscall = explained.syscall ? `\`${explained.syscall.name}\`` : 'this call';
    out.push(`${callText(record, explained)}${who(record)}: ${formatReturnValue(record.code)}`);
    if (explained.deciders.length === 0) {
      unexplained++;
      out.push(`  no statement of this policy gives ${syscall} ${action}: the record comes from another filter (a runtime's, a parent's) or another version of the policy`);
    }
    const notes = explained.deciders.map((d) => deciderNote(d, action, syscall));
    const printable = notes.filter((n): n is PrintableDiagnostic => typeof n !== 'string');
    for (const note of notes) if (typeof note === 'string') out.push(`  ${note}`);
    if (printable.length > 0) out.push(formatDiagnostics(printable, { color }));
    if (explained.dependsOnArguments) out.push('  the record does not carry the arguments: conditions choose among the statements above, in this order');
    out.push('');
  }
  return { text: out.join('\n'), unexplained };
}

export function runExplain(policyPath: string, records: readonly string[], options: OciCliOptions): void {
  const loaded = loadFilter(policyPath, options);
  if (!loaded.compiled) throw new CliError('explain needs the policy or profile the filter was compiled from, not a compiled filter', EXIT_USAGE);
  const lines = records.length > 0 ? records : decodeText(readInput('-')).split('\n').filter((l) => /\btype=(1326|SECCOMP)\b/.test(l));
  if (lines.length === 0) throw new CliError('no seccomp audit record given (type=1326 or type=SECCOMP)', EXIT_USAGE, { hint: "e.g. seccompile explain app.policy \"$(dmesg | grep 'type=1326' | tail -1)\", or pipe such lines in" });
  const { text, unexplained } = explainRecords(lines, loaded.compiled.sections?.map((s) => s.policy) ?? loaded.compiled.policy, useColor(process.stdout));
  writeStdout(text);
  if (unexplained > 0) throw new CliError('', EXIT_INPUT_ERROR);
}
