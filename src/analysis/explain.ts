// `seccompile explain`: from a kernel audit record of a seccomp action (type=1326, SECCOMP) back to
// the syscall's name and the policy statement that decided it. The record names the architecture,
// the syscall number and the action taken (`code`), not the arguments: where conditions decide,
// every rule that gives that action is a candidate, in the order the filter tries them.
import type { CheckedPolicy, CheckedRule } from '../check/checked.ts';
import type { Span } from '../diagnostics/source.ts';
import { actionsEqual, decodeAction, type Action } from '../seccomp/action.ts';
import { abiOfCall, callAbi, type Arch } from '../arch/index.ts';
import type { Syscall } from '../syscalls/index.ts';

/** The fields of a seccomp audit record that say what happened. */
export interface AuditRecord {
  readonly arch: number;
  readonly nr: number;
  /** The filter's return value. */
  readonly code: number;
  readonly pid?: number;
  readonly comm?: string;
  readonly exe?: string;
  readonly ip?: string;
}

/** `type=1326 audit(…): … arch=c000003e syscall=272 compat=0 ip=0x… code=0x80000000` as dmesg, journald or audit.log print it. */
export function parseAuditRecord(line: string): AuditRecord | { readonly error: string } {
  if (!/\btype=(1326|SECCOMP)\b/.test(line)) return { error: 'not a seccomp audit record (type=1326 or type=SECCOMP)' };
  const fields = new Map<string, string>();
  for (const match of line.matchAll(/\b([a-z_]+)=("[^"]*"|\S+)/g)) fields.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1'));
  const number = (name: string, radix: 10 | 16): number | undefined => {
    const text = fields.get(name);
    if (text === undefined) return undefined;
    const digits = radix === 16 ? text.replace(/^0x/i, '') : text;
    if (!(radix === 16 ? /^[0-9a-f]{1,8}$/i : /^-?[0-9]{1,10}$/).test(digits)) return undefined;
    return Number.parseInt(digits, radix) >>> 0;
  };
  const arch = number('arch', 16);
  const nr = number('syscall', 10);
  const code = number('code', 16);
  const missing = [arch === undefined ? 'arch' : '', nr === undefined ? 'syscall' : '', code === undefined ? 'code' : ''].filter(Boolean);
  if (missing.length > 0) return { error: `the record has no readable ${missing.join(', ')} field` };
  const pid = number('pid', 10);
  return {
    arch: arch!, nr: nr!, code: code!,
    ...(pid !== undefined ? { pid } : {}),
    ...(fields.has('comm') ? { comm: fields.get('comm')! } : {}),
    ...(fields.has('exe') ? { exe: fields.get('exe')! } : {}),
    ...(fields.has('ip') ? { ip: fields.get('ip')! } : {}),
  };
}

/** What in the policy can have given the record's action. */
export type Decider =
  | { readonly kind: 'rule'; readonly rule: CheckedRule }
  | { readonly kind: 'default' | 'x32' | 'foreign_arch'; readonly span?: Span };

export interface Explanation {
  /** Through the filter's own ABI, x32 beside x86-64, or an ABI the filter rejects. */
  readonly abi: 'native' | 'x32' | 'foreign';
  /** The ABI the policy was checked for. */
  readonly target: Arch;
  /** The syscall by its x86-64 number (x86-64 and x32 calls). */
  readonly syscall?: Syscall;
  readonly action: Action;
  /** The statements that give this call that action, in the order the filter tries them; empty when none does. */
  readonly deciders: readonly Decider[];
  /** Whether conditions on arguments (which the record lacks) choose among several deciders. */
  readonly dependsOnArguments: boolean;
}

export function explainRecord(policy: CheckedPolicy, record: AuditRecord): Explanation {
  const { action } = decodeAction(record.code);
  const matches = (candidate: Action): boolean => actionsEqual(candidate, action);
  const target = policy.arch;
  const where = callAbi(target, record.arch, record.nr);
  if (where === 'foreign' || (where === 'other-abi' && target.otherAbi?.action === 'foreign_arch')) {
    return { abi: 'foreign', target, action, deciders: matches(policy.foreignArchAction) ? [{ kind: 'foreign_arch' }] : [], dependsOnArguments: false };
  }
  if (where === 'other-abi') {
    const syscall = abiOfCall(record.arch, record.nr)?.syscalls.byNumber(record.nr);
    return { abi: 'x32', target, ...(syscall ? { syscall } : {}), action, deciders: matches(policy.x32Action) ? [{ kind: 'x32' }] : [], dependsOnArguments: false };
  }
  const syscall = target.syscalls.byNumber(record.nr);
  const deciders: Decider[] = [];
  let decided = false;
  for (const rule of policy.rules) {
    if (rule.syscall.nr !== record.nr) continue;
    if (matches(rule.action)) deciders.push({ kind: 'rule', rule });
    if (!rule.condition) {
      decided = true;
      break;
    }
  }
  if (!decided && matches(policy.defaultAction)) deciders.push({ kind: 'default', ...(policy.defaultSpan ? { span: policy.defaultSpan } : {}) });
  return { abi: 'native', target, ...(syscall ? { syscall } : {}), action, deciders, dependsOnArguments: deciders.length > 1 };
}
