// `--format json`: a versioned, documented object (docs/output-formats.md).
import type { CompiledFilter } from '../compile.ts';
import { formatKernelVersion } from '../seccomp/kernel-version.ts';
import { describeAction, flagsValue, requiredFlags, summarizeSyscalls } from './summary.ts';

export const JSON_FORMAT_VERSION = 1;

export function emitJson(filter: CompiledFilter): string {
  const flags = requiredFlags(filter);
  const document = {
    format: 'seccompile-filter',
    version: JSON_FORMAT_VERSION,
    arch: filter.ir.arch.name,
    auditArch: filter.ir.arch.auditArch,
    defaultAction: describeAction(filter.ir.defaultAction),
    x32Action: describeAction(filter.ir.x32Action),
    foreignArchAction: describeAction(filter.ir.foreignArchAction),
    flags,
    flagsValue: flagsValue(flags),
    needsListener: filter.ir.metadata.needsListener,
    minKernel: formatKernelVersion(filter.ir.metadata.minKernel),
    length: filter.program.length,
    instructions: filter.program.map(({ code, jt, jf, k }) => ({ code, jt, jf, k })),
    syscalls: summarizeSyscalls(filter),
    // A filter for several ABIs: each one's syscalls, in the order of its arch tests.
    ...(filter.sections ? {
      sections: filter.sections.map((section) => ({
        arch: section.ir.arch.name, auditArch: section.ir.arch.auditArch, syscalls: summarizeSyscalls({ ...filter, ir: section.ir, policy: section.policy }),
      })),
    } : {}),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
