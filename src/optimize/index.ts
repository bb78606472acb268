// The optimiser's entry points for the compiler: a dispatch tree laid out for a syscall profile,
// set searches, and the CFG passes.
import type { Arch } from '../arch/arch.ts';
import type { DispatchStrategy } from '../codegen/dispatch.ts';
import type { SetLowering, SwitchLowering } from '../codegen/lower.ts';
import type { Cfg } from '../bpf/cfg.ts';
import { treeDispatch } from './dispatch-tree.ts';
import { optimizeCfg } from './pipeline.ts';
import { genericProfile, type SyscallProfile } from './profile.ts';
import { searchSet, searchSwitch } from './value-sets.ts';

export interface Optimizer {
  readonly dispatch: DispatchStrategy;
  readonly sets: SetLowering;
  readonly switches: SwitchLowering;
  readonly passes: (cfg: Cfg) => Cfg;
}

export function createOptimizer(arch: Arch, profile: SyscallProfile = genericProfile(arch)): Optimizer {
  return { dispatch: treeDispatch(profile), sets: searchSet, switches: searchSwitch, passes: optimizeCfg };
}

export { genericProfile, parseProfile, type SyscallProfile } from './profile.ts';
