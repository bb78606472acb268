// Facts of the kernel's seccomp ABI on x86-64 that every stage shares (kernel/seccomp.c,
// include/uapi/linux/seccomp.h; docs/language.md §10 says how every filter uses them).

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
/** x32 calls arrive with arch AUDIT_ARCH_X86_64 and this bit set in nr. */
export const X32_SYSCALL_BIT = 0x40000000;
/** nr as a tracer sets it to skip a call; not an x32 call. */
export const SKIPPED_SYSCALL_NR = 0xffffffff;

/** Offsets of the 32-bit words of struct seccomp_data (little-endian). */
export const SECCOMP_DATA_SIZE = 64;
export const OFFSET_NR = 0;
export const OFFSET_ARCH = 4;
export const OFFSET_IP_LOW = 8;
export const OFFSET_IP_HIGH = 12;
export const MAX_SYSCALL_ARGS = 6;
export function argLowOffset(index: number): number {
  return 16 + 8 * index;
}
export function argHighOffset(index: number): number {
  return 20 + 8 * index;
}

/** Name of a seccomp_data word, as listings show it. */
export function dataWordName(offset: number): string {
  if (offset === OFFSET_NR) return 'sys_number';
  if (offset === OFFSET_ARCH) return 'arch';
  if (offset === OFFSET_IP_LOW) return 'instruction_pointer';
  if (offset === OFFSET_IP_HIGH) return 'instruction_pointer >> 32';
  const index = Math.floor((offset - 16) / 8);
  return (offset - 16) % 8 === 0 ? `args[${index}]` : `args[${index}] >> 32`;
}

export const BPF_MAXINSNS = 4096;

/** seccomp(SECCOMP_SET_MODE_FILTER) flags. */
export const FILTER_FLAGS = {
  tsync: 1,
  log: 2,
  spec_allow: 4,
  new_listener: 8,
  tsync_esrch: 16,
  wait_killable_recv: 32,
} as const;
export type FilterFlagName = keyof typeof FILTER_FLAGS;

/** AUDIT_ARCH_* values of the ABIs seccompile targets, as listings name them. */
const AUDIT_ARCH_NAMES: ReadonlyMap<number, string> = new Map([
  [AUDIT_ARCH_X86_64, 'ARCH_X86_64'], [AUDIT_ARCH_I386, 'ARCH_I386'], [0xc00000b7, 'ARCH_AARCH64'],
  [0x40000028, 'ARCH_ARM'], [0xc00000f3, 'ARCH_RISCV64'],
]);

export function archName(arch: number): string {
  const known = AUDIT_ARCH_NAMES.get(arch >>> 0);
  if (known) return known;
  return `0x${(arch >>> 0).toString(16)}`;
}
