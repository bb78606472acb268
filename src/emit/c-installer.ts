// The part of a `--format c` header that depends on the target: which compiler builds code for it
// (the installer exists only there, so that a header for another ABI never installs a filter that
// would reject every call of the process), and how the installer makes its two system calls.
// x86-64 uses the shared support block's seccompile_syscall; the other targets get a system call
// of their own in the header, GNU C inline assembly for the target's calling convention, so that
// the header still needs no feature-test macro and leaves errno alone.
import type { Arch } from '../arch/arch.ts';

export interface CInstaller {
  /** The preprocessor condition under which the installer is defined. */
  readonly guard: string;
  /** Definitions the installer needs (empty for x86-64, whose syscall is in the support block). */
  readonly prelude: string;
  /** The function that makes a system call: (nr, a1..a6) → result or -errno. */
  readonly syscall: string;
  readonly prctl: string;
  readonly seccomp: string;
}

/**
 * Inline assembly bodies: nr and five arguments (prctl(PR_SET_NO_NEW_PRIVS) insists that the
 * last three are 0, and the registers must say so).
 */
const ASM: Readonly<Record<Exclude<Arch['name'], 'x86_64'>, { guard: string; body: string }>> = {
  i386: {
    guard: 'defined(__i386__)',
    body: `\tlong ret;

\t__asm__ __volatile__("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5) : "memory");
\treturn ret;`,
  },
  x32: {
    // x32: 64-bit registers, 32-bit long; every value is widened as the kernel reads it.
    guard: 'defined(__x86_64__) && defined(__ILP32__)',
    body: `\tlong long ret;
\tregister long long r10 __asm__("r10") = (long long)(unsigned long)a4;
\tregister long long r8 __asm__("r8") = (long long)(unsigned long)a5;

\t__asm__ __volatile__("syscall"
\t\t\t     : "=a"(ret)
\t\t\t     : "a"((long long)nr), "D"((long long)(unsigned long)a1), "S"((long long)(unsigned long)a2), "d"((long long)(unsigned long)a3), "r"(r10), "r"(r8)
\t\t\t     : "rcx", "r11", "memory");
\treturn (long)ret;`,
  },
  aarch64: {
    guard: 'defined(__aarch64__)',
    body: `\tregister long x8 __asm__("x8") = nr;
\tregister long x0 __asm__("x0") = a1;
\tregister long x1 __asm__("x1") = a2;
\tregister long x2 __asm__("x2") = a3;
\tregister long x3 __asm__("x3") = a4;
\tregister long x4 __asm__("x4") = a5;

\t__asm__ __volatile__("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
\treturn x0;`,
  },
  arm: {
    // EABI: the number in r7, which Thumb code may use as its frame pointer: saved around the call.
    guard: 'defined(__arm__) && defined(__ARM_EABI__)',
    body: `\tregister long r0 __asm__("r0") = a1;
\tregister long r1 __asm__("r1") = a2;
\tregister long r2 __asm__("r2") = a3;
\tregister long r3 __asm__("r3") = a4;
\tregister long r4 __asm__("r4") = a5;

\t__asm__ __volatile__("push {r7}\\n\\tmov r7, %[nr]\\n\\tsvc #0\\n\\tpop {r7}" : "+r"(r0) : [nr] "r"(nr), "r"(r1), "r"(r2), "r"(r3), "r"(r4) : "memory");
\treturn r0;`,
  },
  riscv64: {
    guard: 'defined(__riscv) && __riscv_xlen == 64',
    body: `\tregister long a7 __asm__("a7") = nr;
\tregister long a0 __asm__("a0") = a1;
\tregister long r1 __asm__("a1") = a2;
\tregister long r2 __asm__("a2") = a3;
\tregister long r3 __asm__("a3") = a4;
\tregister long r4 __asm__("a4") = a5;

\t__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a7), "r"(r1), "r"(r2), "r"(r3), "r"(r4) : "memory");
\treturn a0;`,
  },
};

export function cInstaller(arch: Arch, name: string): CInstaller {
  const nr = (call: string): string => `0x${arch.syscalls.byName(call)!.nr.toString(16)}`;
  if (arch.name === 'x86_64') {
    return { guard: 'defined(SECCOMPILE_X86_64)', prelude: '', syscall: 'seccompile_syscall', prctl: 'SECCOMPILE_NR_prctl', seccomp: 'SECCOMPILE_NR_seccomp' };
  }
  const { guard, body } = ASM[arch.name];
  const syscall = `${name}_syscall`;
  const prelude = `/* A system call of ${arch.title}: the result, or -errno. errno is left alone. */
static inline long ${syscall}(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
\t(void)a6;
${body}
}

`;
  return { guard, prelude, syscall, prctl: nr('prctl'), seccomp: nr('seccomp') };
}
