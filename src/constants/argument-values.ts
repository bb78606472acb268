// Which named constants name the values of some arguments (socket's family, clone's flags, ioctl's
// request…), and which names of their families count: `convert` writes a profile's values with
// them, `learn` the values it saw. A name is only used where it stands for exactly that value.
import type { ConstantTable } from './index.ts';
import { CONSTANT_FAMILIES } from './index.ts';

export interface ArgumentConstants {
  readonly syscall: string;
  readonly arg: string;
  readonly families: () => readonly string[];
  /** Names of those families that name this argument's values. */
  readonly accept: (name: string) => boolean;
  /** The value is a set of flags (an OR of single-bit names), not one of several values. */
  readonly flags?: true;
}

// Aliases: the other spelling of a value wins (AF_UNIX over AF_LOCAL and AF_FILE, FIONREAD over
// TIOCINQ and SIOCINQ), so that common values get a name.
export const AF_ALIASES: ReadonlySet<string> = new Set(['AF_LOCAL', 'AF_FILE', 'AF_ROUTE']);
export const IOCTL_ALIASES: ReadonlySet<string> = new Set(['TIOCINQ', 'SIOCINQ', 'SIOCOUTQ', 'SIOCGSTAMP_OLD', 'SIOCGSTAMPNS_OLD']);
// fcntl's family also holds lock types, owner types, seals and FD_CLOEXEC: commands only.
export const FCNTL_NOT_COMMANDS = /^(FD_|F_OWNER_|F_SEAL_|F_(RD|WR|UN|EX|SH)LCK$|F_LINUX_SPECIFIC_BASE$|F_(GET|SET)LKW?64$)/;
// prctl's family also holds the values of the options' arguments: options only.
export const PRCTL_NOT_OPTIONS = /^PR_(SET_MM_|CAP_AMBIENT_|MCE_KILL_(?!GET$)|FP_EXC_|FP_MODE_|FPEMU_|ENDIAN_|SPEC_|TSC_|UNALIGN_|TIMING_|SCHED_CORE_|MTE_|PAC_AP|SVE_VL|SVE_SET_VL_ONEXEC|SME_VL|SME_SET_VL_ONEXEC|SYS_DISPATCH_|TAGGED_ADDR_ENABLE|SET_PTRACER_ANY|SET_VMA_ANON_NAME)/;

export const ioctlFamilies = (): readonly string[] => CONSTANT_FAMILIES.map((f) => f.id).filter((id) => id.startsWith('ioctl_'));
const af = (): readonly string[] => ['af'];
const isFamily = (name: string): boolean => !AF_ALIASES.has(name);
const prot = (): readonly string[] => ['prot'];
const isProt = (name: string): boolean => name.startsWith('PROT_');

export const ARGUMENT_CONSTANTS: readonly ArgumentConstants[] = [
  { syscall: 'socket', arg: 'family', families: af, accept: isFamily },
  { syscall: 'socketpair', arg: 'family', families: af, accept: isFamily },
  { syscall: 'fcntl', arg: 'cmd', families: () => ['fcntl'], accept: (name) => name.startsWith('F_') && !FCNTL_NOT_COMMANDS.test(name) },
  { syscall: 'ioctl', arg: 'cmd', families: ioctlFamilies, accept: (name) => !IOCTL_ALIASES.has(name) },
  { syscall: 'prctl', arg: 'option', families: () => ['prctl'], accept: (name) => !PRCTL_NOT_OPTIONS.test(name) },
  // The exit signal shares clone's low byte; its flags start at 0x100.
  { syscall: 'clone', arg: 'clone_flags', families: () => ['clone'], accept: (name) => name.startsWith('CLONE_'), flags: true },
  { syscall: 'unshare', arg: 'unshare_flags', families: () => ['clone'], accept: (name) => name.startsWith('CLONE_'), flags: true },
  { syscall: 'personality', arg: 'personality', families: () => ['personality'], accept: (name) => name.startsWith('PER_') },
  { syscall: 'mmap', arg: 'prot', families: prot, accept: isProt, flags: true },
  { syscall: 'mprotect', arg: 'prot', families: prot, accept: isProt, flags: true },
  { syscall: 'pkey_mprotect', arg: 'prot', families: prot, accept: isProt, flags: true },
];

export function argumentConstants(syscall: string, arg: string): ArgumentConstants | undefined {
  return ARGUMENT_CONSTANTS.find((c) => c.syscall === syscall && c.arg === arg);
}

/** The one accepted name whose value is exactly `value` in every table, or undefined. */
export function exactName(spec: ArgumentConstants, value: bigint, tables: readonly ConstantTable[]): string | undefined {
  const names = spec.families().flatMap((family) => tables[0]!.ofFamily(family)).filter((c) => c.value === value && spec.accept(c.name)).map((c) => c.name);
  const unique = [...new Set(names)];
  return unique.length === 1 && sameEverywhere(unique[0]!, value, tables) ? unique[0] : undefined;
}

/**
 * `value` as an OR of accepted single-bit names (`CLONE_NEWNS | CLONE_NEWUTS`), each the same in
 * every table, or undefined unless every bit has one.
 */
export function exactFlags(spec: ArgumentConstants, value: bigint, tables: readonly ConstantTable[]): string | undefined {
  if (value === 0n) return undefined;
  const bits = new Map<bigint, string>();
  for (const c of spec.families().flatMap((family) => tables[0]!.ofFamily(family))) {
    if (spec.accept(c.name) && c.value > 0n && (c.value & (c.value - 1n)) === 0n && !bits.has(c.value) && sameEverywhere(c.name, c.value, tables)) bits.set(c.value, c.name);
  }
  const parts: string[] = [];
  for (let bit = 1n; bit <= value; bit <<= 1n) {
    if ((value & bit) === 0n) continue;
    const name = bits.get(bit);
    if (!name) return undefined;
    parts.push(name);
  }
  return parts.join(' | ');
}

function sameEverywhere(name: string, value: bigint, tables: readonly ConstantTable[]): boolean {
  return tables.every((t) => t.lookup(name)?.value === value);
}
