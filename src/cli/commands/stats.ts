// `seccompile stats <policy|file.bpf> [--profile FILE]`: what the filter costs the kernel.
import { filterStats, type FilterStats } from '../../analysis/stats.ts';
import type { Arch } from '../../arch/arch.ts';
import type { CompiledFilter } from '../../compile.ts';
import type { PolicyIr } from '../../ir/types.ts';
import { formatReturnValue, RET_ALLOW } from '../../seccomp/action.ts';
import { loadFilter } from '../filter-input.ts';
import type { OciCliOptions } from '../oci-input.ts';
import { writeOutput } from '../output.ts';
import { genericProfile, type SyscallProfile } from '../../optimize/profile.ts';
import { loadProfile } from '../profile-input.ts';
import { parseArch } from '../arch-option.ts';
import { firstCheckedArch } from '../../analysis/first-arch.ts';

export interface StatsOptions extends OciCliOptions {
  readonly profile?: string;
  readonly optimize?: boolean;
  readonly syscalls?: boolean;
  readonly json?: boolean;
}

/** Syscalls the policy allows whatever their arguments: the kernel should cache every one. */
export function argumentFreeAllowed(ir: PolicyIr, stats: FilterStats): number[] {
  const decided = new Map(ir.syscalls.map((d) => [d.nr, d]));
  const defaultAllows = ir.defaultAction.kind === 'allow';
  return stats.syscalls
    .filter((s) => {
      const decision = decided.get(s.nr);
      if (!decision) return defaultAllows;
      const first = decision.rules[0];
      return first !== undefined && first.condition.kind === 'true' && first.action.kind === 'allow';
    })
    .map((s) => s.nr);
}

/** One ABI's figures: a filter for several has one section each. */
function sectionFigures(program: CompiledFilter['program'], arch: Arch, ir: PolicyIr | undefined, profile: SyscallProfile, abis: readonly Arch[] = [arch]) {
  const stats = filterStats(program, profile, arch, abis);
  const argFree = ir ? argumentFreeAllowed(ir, stats) : undefined;
  const uncached = argFree?.filter((nr) => !stats.syscalls.find((s) => s.nr === nr)!.cached) ?? [];
  return { arch, stats, argFree, uncached };
}

export function runStats(path: string, options: StatsOptions): void {
  // Read once, by the numbers of --arch's first ABI: the compile lays that section out for it.
  const profile = loadProfile(options.profile, options.arch);
  const { program, compiled } = loadFilter(path, { ...options, optimize: options.optimize !== false, profile });
  let sections;
  if (compiled) {
    // The profile weighs the first section; the others, the built-in mix by their own numbers.
    const abis = (compiled.sections ?? [compiled]).map((s) => s.ir.arch);
    sections = (compiled.sections ?? [compiled]).map((s, i) => sectionFigures(program, s.ir.arch, s.ir, i === 0 ? profile : genericProfile(s.ir.arch), abis));
  } else {
    // A raw filter is measured as the ABI it checks for first, unless --arch says which.
    const arch = options.arch !== undefined ? parseArch(options.arch) : firstCheckedArch(program) ?? parseArch(undefined);
    sections = [sectionFigures(program, arch, undefined, arch === profile.arch ? profile : loadProfile(options.profile, arch.name))];
  }
  if (options.json) {
    const documents = sections.map(({ arch, stats, argFree, uncached }) => {
      const { syscalls, ...figures } = stats;
      return {
        arch: arch.name,
        ...figures,
        ...(argFree ? { argumentFreeAllowed: argFree.length, argumentFreeAllowedUncached: uncached.length } : {}),
        ...(options.syscalls ? { syscalls } : {}),
      };
    });
    writeOutput('-', JSON.stringify(documents.length === 1 ? documents[0] : { sections: documents }, null, 2) + '\n');
    return;
  }
  const lines: string[] = [];
  for (const { arch, stats, argFree, uncached } of sections) {
    if (lines.length > 0) lines.push('');
    lines.push(
      `filter:             ${path} (${stats.length} instructions, ${arch.title}${sections.length > 1 ? ' section' : ''})`,
      `profile:            ${stats.profileSource}`,
      `mean per syscall:   ${stats.meanRaw.toFixed(2)} instructions, ${stats.meanCached.toFixed(2)} with the action cache (Linux >= 5.11)`,
      `worst case:         ${stats.worstRaw} instructions (nr 0x${stats.worstNr.toString(16)}, arguments zero)`,
      `allowed syscalls:   ${stats.allowedCount} of ${stats.syscalls.length} (arguments zero); ${stats.cachedCount} cached by the kernel`,
    );
    if (argFree) lines.push(`argument-free allowed syscalls: ${argFree.length}, ${uncached.length === 0 ? 'all cached' : `${uncached.length} NOT cached`}`);
    if (options.syscalls) {
      lines.push('', '  nr  name                      verdict            instructions  cached');
      for (const s of stats.syscalls) {
        lines.push(`${String(s.nr).padStart(4)}  ${s.name.padEnd(24)}  ${formatReturnValue(s.verdict).padEnd(18)} ${String(s.instructions).padStart(12)}  ${s.cached ? 'yes' : s.verdict === RET_ALLOW ? 'no' : '-'}`);
      }
    }
  }
  writeOutput('-', lines.join('\n') + '\n');
}
