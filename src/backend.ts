// The back end shared by every front end (the policy language, OCI profiles):
// checked policy → IR → labelled BPF → (optimised) → resolved and validated program.
// It does not load the policy-language parser or the named-constants table, so inputs that need
// neither (an OCI profile) compile without loading them.
import { validateProgram } from './bpf/validate.ts';
import type { Instruction } from './bpf/insn.ts';
import type { CheckedPolicy } from './check/checked.ts';
import { lowerSectionsToCfg } from './codegen/lower.ts';
import type { DispatchStrategy } from './codegen/dispatch.ts';
import { resolveJumps } from './codegen/resolve.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';
import { lowerPolicy } from './ir/lower.ts';
import type { PolicyIr } from './ir/types.ts';
import type { PolicyFile } from './parser/ast.ts';
import { createOptimizer, type Optimizer, type SyscallProfile } from './optimize/index.ts';
import type { Cfg } from './bpf/cfg.ts';
import { BPF_MAXINSNS, type FilterFlagName } from './seccomp/abi.ts';

/** Options of the back end, whatever the source of the policy. */
export interface BackendOptions {
  /** Name of the input in messages. Default `<policy>`. */
  readonly path?: string;
  /** Run the optimiser (default true): a dispatch tree, set searches and the CFG passes. */
  readonly optimize?: boolean;
  /** Syscall frequencies the dispatch is laid out for (default: the built-in generic mix). */
  readonly profile?: SyscallProfile;
  /** Overrides the dispatch on the syscall number (for experiments and tests). */
  readonly dispatch?: DispatchStrategy;
  /** SECCOMP_FILTER_FLAG_*s to install the filter with, besides those the policy needs. */
  readonly flags?: readonly FilterFlagName[];
}

export interface CompiledFilter {
  readonly program: readonly Instruction[];
  /** The first section's (the only one, for a filter of one ABI). */
  readonly ir: PolicyIr;
  readonly policy: CheckedPolicy;
  /** Every policy-language file read, entry first (none for other inputs). */
  readonly files: readonly PolicyFile[];
  /** A filter for several ABIs: each one's checked policy and IR, in the order of its arch tests. */
  readonly sections?: readonly FilterSection[];
}

export interface FilterSection {
  readonly policy: CheckedPolicy;
  readonly ir: PolicyIr;
}

export type CompileResult =
  | { readonly ok: true; readonly filter: CompiledFilter; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Compiles a checked policy; `earlier` are the front end's diagnostics, reported with ours. */
export function compileChecked(policy: CheckedPolicy, options: BackendOptions, earlier: readonly Diagnostic[] = [], files: readonly PolicyFile[] = []): CompileResult {
  const stages = runBackend(policy, options, files);
  const diagnostics = sortDiagnostics([...earlier, ...stages.diagnostics]);
  return stages.filter && !hasErrors(diagnostics) ? { ok: true, filter: stages.filter, diagnostics } : { ok: false, diagnostics };
}

/** What the back end made of a policy: the IR (whenever lowering ran) and the filter when it succeeded. */
export interface BackendStages {
  readonly diagnostics: readonly Diagnostic[];
  readonly ir: PolicyIr;
  readonly filter?: CompiledFilter;
}

/**
 * Lowering, then code generation unless lowering found errors. `policy` is one ABI's; a filter
 * for several ABIs passes each one's checked policy as `sections` (policy being the first).
 */
export function runBackend(policy: CheckedPolicy, options: BackendOptions, files: readonly PolicyFile[] = [], sections: readonly CheckedPolicy[] = [policy]): BackendStages {
  const path = options.path ?? '<policy>';
  const lowered = sections.map((p) => ({ policy: p, ...lowerPolicy(p, options.flags ? { flags: options.flags } : {}) }));
  const loweringDiagnostics = lowered.flatMap((l) => l.diagnostics);
  const generated = hasErrors(loweringDiagnostics) ? undefined : generate(lowered, options, path);
  const diagnostics = [...loweringDiagnostics, ...(generated?.diagnostics ?? [])];
  const ir = lowered[0]!.ir;
  const many = sections.length > 1 ? { sections: lowered.map((l) => ({ policy: l.policy, ir: l.ir })) } : {};
  return { diagnostics, ir, ...(generated?.program ? { filter: { program: generated.program, ir, policy, files, ...many } } : {}) };
}

function generate(sections: readonly { policy: CheckedPolicy; ir: PolicyIr }[], options: BackendOptions, path: string): { diagnostics: Diagnostic[]; program?: Instruction[] } {
  const primary = sections[0]!.policy.arch;
  if (options.profile && options.profile.arch !== primary) {
    return { diagnostics: [{ code: 'SC6001', severity: 'error', path, message: `the syscall profile was read with ${options.profile.arch.title} numbers, but the filter is for ${primary.title}` }] };
  }
  // Each section's dispatch is laid out for its own numbers: the profile for the first, the
  // built-in mix for the others.
  const optimizers = options.optimize === false ? undefined : sections.map((s, i) => createOptimizer(s.policy.arch, i === 0 ? options.profile : undefined));
  const optimizer = optimizers?.[0];
  const build = (searchRuns: boolean): Instruction[] => {
    const cfg = sectionsToCfg(sections, optimizers, options.dispatch, searchRuns);
    return resolveJumps(optimizer ? optimizer.passes(cfg) : cfg);
  };
  let program = build(true);
  // A search of exact-value rules takes about 2.8 instructions per value where a chain takes 1.9
  // (and never less than one): when the search pushes the program past the kernel's limit, the
  // chain may still fit, unless the program is so long that even a third of it would not.
  if (optimizer && program.length > BPF_MAXINSNS && program.length <= 3 * BPF_MAXINSNS) program = build(false);
  const problems = programProblems(program, path);
  return problems.length > 0 ? { diagnostics: problems } : { diagnostics: [], program };
}

/**
 * The sections' graph before the CFG passes: each laid out by its own optimiser (its dispatch,
 * and its searches of sets and, with `searchRuns`, of value runs), or plainly without one.
 */
export function sectionsToCfg(sections: readonly { ir: PolicyIr }[], optimizers: readonly Optimizer[] | undefined, dispatchOverride: DispatchStrategy | undefined, searchRuns: boolean): Cfg {
  return lowerSectionsToCfg(sections.map((s, i) => {
    const own = optimizers?.[i];
    const dispatch = dispatchOverride ?? own?.dispatch;
    const sets = own ? { sets: own.sets, ...(searchRuns ? { switches: own.switches } : {}) } : {};
    return { ir: s.ir, options: { ...(dispatch ? { dispatch } : {}), ...sets } };
  }));
}

/** The kernel's limits, checked on every program the compiler emits. */
function programProblems(program: readonly Instruction[], path: string): Diagnostic[] {
  if (program.length > BPF_MAXINSNS) {
    return [{
      code: 'SC4001', severity: 'error', path,
      message: `the compiled filter has ${program.length} instructions; the kernel accepts at most ${BPF_MAXINSNS}`,
      hint: 'merge rules, use `in {…}` sets, or split the policy into stacked filters',
    }];
  }
  return validateProgram(program).map((p) => ({
    code: 'SC4002' as const, severity: 'error' as const, path,
    message: `internal error: the compiled filter breaks a kernel rule at instruction ${p.index}: ${p.message}`,
  }));
}
