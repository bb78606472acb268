// Syscall frequencies for profile-guided layout: `name<TAB>weight` lines (as in
// data/syscall-mix.tsv), or the built-in generic mix measured on real programs.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile } from '../diagnostics/source.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import type { Arch } from '../arch/arch.ts';
import { GENERIC_MIX } from './generic-mix.generated.ts';

export interface SyscallProfile {
  /** Relative frequency by syscall number; numbers not listed are rare. */
  readonly weights: ReadonlyMap<number, number>;
  /** Where the profile came from, for reports. */
  readonly source: string;
  /** Whose numbers the weights are keyed by. */
  readonly arch: Arch;
}

const generic = new Map<Arch, SyscallProfile>();

/**
 * The built-in mix (see GENERIC_MIX_PROVENANCE for how it was measured), by the target's numbers.
 * It was measured on x86-64; a call the target lacks (`open` on aarch64) drops out of it.
 */
export function genericProfile(arch: Arch): SyscallProfile {
  let profile = generic.get(arch);
  if (!profile) {
    const weights = new Map<number, number>();
    for (const [name, weight] of GENERIC_MIX) {
      const syscall = arch.syscalls.byName(name);
      if (syscall) weights.set(syscall.nr, (weights.get(syscall.nr) ?? 0) + weight);
    }
    profile = { weights, source: "built-in generic mix (8 real programs, strace -c; see docs/performance.md)", arch };
    generic.set(arch, profile);
  }
  return profile;
}

/** Reads a profile; lines that cannot be used are reported, unknown names as warnings. */
export function parseProfile(file: SourceFile, arch: Arch): { profile?: SyscallProfile; diagnostics: Diagnostic[] } {
  const weights = new Map<number, number>();
  const diagnostics: Diagnostic[] = [];
  file.lineStarts.forEach((start, index) => {
    const end = file.lineStarts[index + 1] ?? file.text.length;
    const line = file.text.slice(start, end).replace(/\r?\n$/, '');
    const content = line.replace(/#.*/, '').trim();
    if (content === '') return;
    const span = { file, start, end: start + Math.max(1, line.length) };
    const fields = content.split(/\s+/);
    const [name, weightText] = fields;
    const weight = Number(weightText);
    if (fields.length !== 2 || !Number.isFinite(weight) || weight < 0) {
      diagnostics.push({ code: 'SC6001', severity: 'error', span, message: 'expected `syscall<TAB>weight` with a weight of 0 or more', hint: 'e.g. `openat\t0.12`' });
      return;
    }
    const nr = /^[0-9]+$/.test(name!) ? Number(name) : arch.syscalls.byName(name!)?.nr;
    if (nr === undefined) {
      const suggestion = closestMatch(name!, arch.syscalls.all().map((s) => s.name));
      diagnostics.push({ code: 'SC6002', severity: 'warning', span, message: `unknown syscall \`${name}\` in the profile: ignored`, ...(suggestion ? { hint: `did you mean \`${suggestion}\`?` } : {}) });
      return;
    }
    weights.set(nr, (weights.get(nr) ?? 0) + weight);
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  if (weights.size === 0) {
    diagnostics.push({ code: 'SC6001', severity: 'error', path: file.path, message: 'the profile lists no syscalls' });
    return { diagnostics };
  }
  return { profile: { weights, source: file.path, arch }, diagnostics };
}
