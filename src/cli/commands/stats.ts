// `seccompile stats <policy|file.bpf> [--profile FILE]`: what the filter costs the kernel.
import { filterStats, type FilterStats } from '../../analysis/stats.ts';
import type { CompiledFilter } from '../../compile.ts';
import { formatReturnValue, RET_ALLOW } from '../../seccomp/action.ts';
import { loadFilter } from '../filter-input.ts';
import type { OciCliOptions } from '../oci-input.ts';
import { writeOutput } from '../output.ts';
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
export function argumentFreeAllowed(filter: CompiledFilter, stats: FilterStats): number[] {
  const decided = new Map(filter.ir.syscalls.map((d) => [d.nr, d]));
  const defaultAllows = filter.ir.defaultAction.kind === 'allow';
  return stats.syscalls
    .filter((s) => {
      const decision = decided.get(s.nr);
      if (!decision) return defaultAllows;
      const first = decision.rules[0];
      return first !== undefined && first.condition.kind === 'true' && first.action.kind === 'allow';
    })
    .map((s) => s.nr);
}

export function runStats(path: string, options: StatsOptions): void {
  const { program, compiled } = loadFilter(path, { ...options, optimize: options.optimize !== false, profile: loadProfile(options.profile, options.arch) });
  // A raw filter is measured as the ABI it checks for first, unless --arch says which.
  const arch = compiled?.ir.arch ?? (options.arch !== undefined ? parseArch(options.arch) : firstCheckedArch(program) ?? parseArch(undefined));
  const profile = loadProfile(options.profile, arch.name);
  const stats = filterStats(program, profile, arch);
  const argFree = compiled ? argumentFreeAllowed(compiled, stats) : undefined;
  const uncachedArgFree = argFree?.filter((nr) => !stats.syscalls.find((s) => s.nr === nr)!.cached) ?? [];
  if (options.json) {
    const { syscalls, ...figures } = stats;
    const document = {
      arch: arch.name,
      ...figures,
      ...(argFree ? { argumentFreeAllowed: argFree.length, argumentFreeAllowedUncached: uncachedArgFree.length } : {}),
      ...(options.syscalls ? { syscalls } : {}),
    };
    writeOutput('-', JSON.stringify(document, null, 2) + '\n');
    return;
  }
  const lines = [
    `filter:             ${path} (${stats.length} instructions, ${arch.title})`,
    `profile:            ${stats.profileSource}`,
    `mean per syscall:   ${stats.meanRaw.toFixed(2)} instructions, ${stats.meanCached.toFixed(2)} with the action cache (Linux >= 5.11)`,
    `worst case:         ${stats.worstRaw} instructions (nr 0x${stats.worstNr.toString(16)}, arguments zero)`,
    `allowed syscalls:   ${stats.allowedCount} of ${stats.syscalls.length} (arguments zero); ${stats.cachedCount} cached by the kernel`,
  ];
  if (argFree) {
    lines.push(`argument-free allowed syscalls: ${argFree.length}, ${uncachedArgFree.length === 0 ? 'all cached' : `${uncachedArgFree.length} NOT cached`}`);
  }
  if (options.syscalls) {
    lines.push('', '  nr  name                      verdict            instructions  cached');
    for (const s of stats.syscalls) {
      lines.push(`${String(s.nr).padStart(4)}  ${s.name.padEnd(24)}  ${formatReturnValue(s.verdict).padEnd(18)} ${String(s.instructions).padStart(12)}  ${s.cached ? 'yes' : s.verdict === RET_ALLOW ? 'no' : '-'}`);
    }
  }
  writeOutput('-', lines.join('\n') + '\n');
}
