// `convert --to oci`: a compiled policy as an OCI/Docker seccomp profile (or a Kubernetes
// SeccompProfile of the Security Profiles Operator), proven before it is given out: the profile is
// read back as runc and libseccomp read it (seccompile's importer, checked call for call against
// libseccomp by the tests) and Z3 proves the two filters give every call the same verdict.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { checkedRule, type CheckedPolicy } from '../check/checked.ts';
import { compileProfile } from '../compile-profile.ts';
import { errnoName } from '../constants/index.ts';
import { actionValue, formatAction } from '../seccomp/action.ts';
import { describeCall, verdictText } from '../verify/describe.ts';
import { DiffUndecided, diffVerdicts, type VerdictChange } from '../verify/diff.ts';
import { approximateAction, exportEntries, ociAction, type OciEntryJson, type OciProfileJson } from './export.ts';

/** The hosts runtimes run on; x32 is never one. */
const HOSTS = new Set(['x86_64', 'i386', 'aarch64', 'arm', 'riscv64']);

export interface OciExportOptions {
  /** Wrap the profile in a Kubernetes SeccompProfile (Security Profiles Operator) of this name. */
  readonly k8sName?: string;
  /** Where the policy came from, for messages without a span. */
  readonly path?: string;
  /** The solver's budget for the proof. */
  readonly timeoutMs?: number;
  /**
   * For a syscall whose rules OCI cannot say: one verdict for all its calls, the strictest its
   * rules and default give (`deny`) or the laxest (`allow`), with a warning, instead of an error.
   */
  readonly approximate?: 'deny' | 'allow';
}

export interface OciExport {
  /** The profile's text (JSON), absent when the policy cannot be exported exactly. */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Names a Kubernetes object may have (a DNS-1123 subdomain). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The profile for a policy compiled for these ABIs (`sections`, host first, as a runtime on that
 * host would filter them), or errors saying what OCI cannot express.
 */
export async function exportOciProfile(sections: readonly CheckedPolicy[], options: OciExportOptions = {}): Promise<OciExport> {
  const error = (message: string, hint?: string): OciExport => ({ diagnostics: [{ code: 'SC7012', severity: 'error', ...(options.path ? { path: options.path } : {}), message, ...(hint ? { hint } : {}) }] });
  const host = sections[0]!;
  if (!HOSTS.has(host.arch.name)) return error(`${host.arch.title} is no host for OCI profiles (runtimes run on ${[...HOSTS].join(', ')})`, 'export for the host with --arch, e.g. --arch x86_64,x32 for a profile that also filters x32 calls');
  if (options.k8sName !== undefined && (!K8S_NAME.test(options.k8sName) || options.k8sName.length > 253)) {
    return error(`\`${options.k8sName}\` is not a Kubernetes object name`, 'a name is lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit, at most 253 characters');
  }
  const defaults = new Set(sections.map((s) => `${actionValue(s.defaultAction)}/${s.unknownAction ? actionValue(s.unknownAction) : ''}`));
  if (defaults.size > 1) return error('the ABIs of the filter have different defaults (or `unknown` verdicts), and a profile has one `defaultAction` for all', 'give every ABI the same `default` and `unknown`');
  // With `unknown`, the profile's default is its verdict (what runc gives names it cannot resolve
  // too), and the syscalls of seccompile's table get the policy's default by name.
  const defaultAction = ociAction(host.unknownAction ?? host.defaultAction);
  if ('error' in defaultAction) return error(`cannot export the default: ${defaultAction.error}`);

  const diagnostics: Diagnostic[] = [];
  const entries: OciEntryJson[] = [];
  const seen = new Set<string>();
  // The policy the profile is exact for: the given one, or with --approximate its inexpressible
  // syscalls given one verdict each (the proof is against that policy).
  const exact = options.approximate ? sections.map((section) => approximated(section, options.approximate!, diagnostics, options.path)) : sections;
  for (const section of exact) {
    const exported = exportEntries(section);
    diagnostics.push(...exported.diagnostics);
    // The same rules on several ABIs are one entry: libseccomp adds an entry to every ABI listed.
    for (const entry of exported.entries) {
      const key = JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      if (!seen.has(key)) entries.push(entry);
      seen.add(key);
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const profile: OciProfileJson = {
    defaultAction: defaultAction.action,
    ...(defaultAction.errnoRet !== undefined ? { defaultErrnoRet: defaultAction.errnoRet } : {}),
    architectures: sections.map((s) => s.arch.oci.scmpArch),
    ...(host.requestedFlags && host.requestedFlags.length > 0 ? { flags: host.requestedFlags.map((f) => `SECCOMP_FILTER_FLAG_${f.toUpperCase()}`) } : {}),
    syscalls: entries,
  };
  const profileText = jsonText(profile);
  const proof = await proveProfile(profileText, exact, options);
  if (proof.length > 0) return { diagnostics: [...diagnostics, ...proof] };
  const text = options.k8sName === undefined ? profileText : jsonText({
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    kind: 'SeccompProfile',
    metadata: { name: options.k8sName },
    spec: profile,
  });
  return { text, diagnostics };
}

/** The section with each syscall OCI cannot say given one verdict (a warning for each). */
function approximated(section: CheckedPolicy, direction: 'deny' | 'allow', diagnostics: Diagnostic[], path: string | undefined): CheckedPolicy {
  const { inexpressible } = exportEntries(section);
  if (inexpressible.length === 0) return section;
  const rules = section.rules.filter((r) => !inexpressible.includes(r.syscall.nr));
  for (const nr of inexpressible) {
    const first = section.rules.find((r) => r.syscall.nr === nr)!;
    const action = approximateAction(section, nr, direction);
    rules.push(checkedRule(first.syscall, action, undefined, first.span, first.syscallSpan));
    diagnostics.push({
      code: 'SC7012', severity: 'warning', span: first.syscallSpan, ...(path ? { path } : {}),
      message: `\`${first.syscall.name}\` (${section.arch.title}) is exported with one verdict for every call, ${formatAction(action, errnoName)} (--approximate ${direction}): ${direction === 'deny' ? 'calls the policy lets through with a laxer verdict get this one' : 'calls the policy refuses more strictly get this one'}`,
    });
  }
  return { ...section, rules };
}

/**
 * Reads the profile back as runc would and proves it gives every call the policy's verdict;
 * returns what stands in the way (nothing when proven).
 */
async function proveProfile(text: string, sections: readonly CheckedPolicy[], options: OciExportOptions): Promise<Diagnostic[]> {
  const where = options.path ? { path: options.path } : {};
  const imported = compileProfile(text, { arch: sections[0]!.arch });
  const trouble = imported.diagnostics.filter((d) => d.severity !== 'info');
  if (!imported.ok || trouble.length > 0) {
    return trouble.map((d) => ({ code: 'SC7012', severity: 'error', ...where, message: `runc would not read the exported profile as the policy means it: ${d.message}` }));
  }
  const theirs = imported.filter.sections?.map((s) => s.policy) ?? [imported.filter.policy];
  let changes: VerdictChange[];
  try {
    changes = await diffVerdicts({ policy: sections[0]!, sections }, { policy: theirs[0]!, sections: theirs }, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
  } catch (error) {
    if (!(error instanceof DiffUndecided)) throw error;
    return [{ code: 'SC7012', severity: 'error', ...where, message: `the exported profile could not be proven: ${error.message}`, hint: 'give the proof more time with --verify-timeout SECONDS' }];
  }
  return changes.slice(0, 8).map((change): Diagnostic => ({
    code: 'SC7012', severity: 'error', ...where,
    message: `the profile would give ${verdictText(change.after)} where the policy gives ${verdictText(change.before)}, for ${describeCall(change.example, change.arch)}${change.group.includes(' ') ? ` (${change.group})` : ''}`,
    hint: hintFor(change, sections),
  }));
}

function hintFor(change: { group: string; example: { arch: number } }, sections: readonly CheckedPolicy[]): string {
  const listed = sections.find((s) => s.arch.auditArch === change.example.arch);
  if (listed && listed !== sections[0]) {
    return `libseccomp reads the entries otherwise on ${listed.arch.name}: it compares 32-bit values, and on i386 it applies socket and IPC rules to \`socketcall\` and \`ipc\` too (docs/oci.md §7); say the same in the policy's \`arch ${listed.arch.name}\` block`;
  }
  if (change.group === 'other architectures' || change.group.endsWith(' calls')) {
    return 'runc kills calls of ABIs the profile does not list: list them with --arch (e.g. --arch x86_64,i386,x32), or leave `x32` and `foreign_arch` at kill_process';
  }
  return 'OCI cannot say this rule exactly; see docs/oci.md §11 (Exporting a policy)';
}

/** JSON with two-space indents, 64-bit values written as their digits. */
export function jsonText(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v), 2);
  return `${text.replace(/"\\u0000bigint:(\d+)"/g, '$1')}\n`;
}
