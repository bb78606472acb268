// `unknown <action> [since X.Y]`: the verdict for syscalls newer than the policy. Compiled filters
// agree with the reference interpreter on every number around the table's, Z3 proves them, the
// release history covers every syscall the tables number from 403 on, and the OCI export gives
// the verdict as runc's default with the table's syscalls named.
import { describe, expect, it } from 'vitest';
import { ARCHES, archByName, X86_64 } from '../src/arch/index.ts';
import { emulate } from '../src/bpf/emulate.ts';
import { compilePolicy, type CompileOptions } from '../src/compile.ts';
import { exportOciProfile } from '../src/oci/export-profile.ts';
import { compileProfile } from '../src/compile-profile.ts';
import { actionValue, formatReturnValue } from '../src/seccomp/action.ts';
import { syscallIntroduced } from '../src/syscalls/versions.ts';
import { proveCompiled } from '../src/verify/index.ts';
import { referenceVerdict } from './support/reference.ts';

function compile(text: string, options: CompileOptions = {}) {
  const result = compilePolicy(text, { path: 't.policy', ...options });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result;
}

function errors(text: string): string[] {
  return compilePolicy(text, { path: 't.policy' }).diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
}

/** Every number of the table and around it, beyond it, the x32 and top ranges, and -1. */
function numbers(): number[] {
  const out = new Set<number>([0xffffffff, 0xfffffffe, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000]);
  for (const s of X86_64.syscalls.all()) for (const d of [-1, 0, 1]) out.add((s.nr + d) >>> 0);
  for (let nr = 0; nr < 1200; nr += 7) out.add(nr);
  return [...out];
}

describe('unknown', () => {
  it('gives numbers the table does not name, and -1, its verdict; the table\'s syscalls keep the default', () => {
    const policy = 'default errno(EPERM)\nunknown errno(ENOSYS)\nallow read, write\nerrno(44) 1000\nerrno(45) ptrace if arg0_64 == 16\n';
    const { filter } = compile(policy);
    let unknown = 0;
    for (const nr of numbers()) {
      for (const args of [[], [16n], [17n]]) {
        const call = { nr, arch: X86_64.auditArch, args };
        const ours = emulate(filter.program, call).value;
        const expected = actionValue(referenceVerdict(filter.policy, call));
        expect(formatReturnValue(ours), `nr ${nr} args ${args}`).toBe(formatReturnValue(expected));
        if (ours === actionValue({ kind: 'errno', errno: 38 })) unknown++;
      }
    }
    expect(unknown).toBeGreaterThan(300);
    // Written out: a gap in the table, beyond it, a number a rule names, a known syscall, -1.
    const verdict = (nr: number, ...args: bigint[]): string => formatReturnValue(emulate(filter.program, { nr, arch: X86_64.auditArch, args }).value);
    expect([verdict(472), verdict(999), verdict(1000), verdict(39), verdict(0xffffffff), verdict(101, 16n), verdict(101, 1n)])
      .toEqual(['ERRNO(38)', 'ERRNO(38)', 'ERRNO(44)', 'ERRNO(1)', 'ERRNO(38)', 'ERRNO(45)', 'ERRNO(1)']);
  });

  it('with `since`, gives it to the syscalls added after that release that no rule names', () => {
    const { filter } = compile('default errno(EPERM)\nunknown errno(ENOSYS) since 6.1\nallow getpid\nallow fchmodat2\n');
    const verdict = (name: string): string => formatReturnValue(emulate(filter.program, { nr: X86_64.syscalls.byName(name)!.nr, arch: X86_64.auditArch, args: [] }).value);
    expect(['cachestat', 'futex_waitv', 'mseal', 'uretprobe', 'fchmodat2', 'getpid', 'getuid'].map(verdict))
      .toEqual(['ERRNO(38)', 'ERRNO(1)', 'ERRNO(38)', 'ERRNO(38)', 'ALLOW', 'ALLOW', 'ERRNO(1)']);
  });

  it('is proven on every ABI, alone and in a filter of several', async () => {
    const text = 'default kill_process\nunknown errno(ENOSYS) since 5.10\nallow read, write, exit_group\n';
    for (const arch of ARCHES) {
      const result = await proveCompiled(compile(text, { arch }).filter);
      expect(result.status, arch.name).toBe('proven');
    }
    const many = compile(text, { arch: X86_64, arches: [X86_64, archByName('i386')!, archByName('x32')!] });
    expect((await proveCompiled(many.filter)).status).toBe('proven');
  });

  it('is refused where it cannot mean anything, and warned about when it lets calls run', () => {
    expect(errors('default allow\nunknown errno(38) since 2.6\n')).toEqual(['error SC3013 `since` names a release before Linux 3.0, where seccompile\'s history of x86-64 syscalls starts']);
    expect(compilePolicy('default allow\nunknown errno(38) since 4.19\n', { path: 't.policy', arch: archByName('aarch64')! }).diagnostics.map((d) => d.message))
      .toEqual(['`since` names a release before Linux 5.0, where seccompile\'s history of AArch64 syscalls starts']);
    expect(errors('default allow\nunknown errno(38)\nunknown errno(1)\n')).toEqual(['error SC3008 `unknown` is given twice']);
    expect(errors('default allow\narch x86_64 { unknown errno(38) }\n')).toEqual(['error SC3011 `unknown` cannot be inside an `arch` block']);
    expect(errors('default kill_process\nunknown allow\n')).toEqual(['warning SC3009 `unknown allow` lets syscalls newer than the policy run without any rule being checked']);
    expect(errors('default allow\nunknown errno(38) since 6\n')[0]).toContain('expected a kernel release such as `6.1`');
  });

  it('knows the release of every syscall numbered from 403 on (x86-64: from 310), and only of syscalls some table has', () => {
    for (const arch of ARCHES) {
      const from = arch.auditArch === X86_64.auditArch ? 310 : 403;
      const undated = arch.syscalls.all().filter((s) => (s.nr & ~0x40000000) >= from && (s.nr & ~0x40000000) < 512 && !syscallIntroduced(s.name, arch));
      expect(undated.map((s) => s.name), arch.name).toEqual([]);
    }
    const release = (name: string, arch = X86_64) => syscallIntroduced(name, arch)?.version;
    expect([release('clone3'), release('openat2'), release('read'), release('clock_gettime64', archByName('i386')!), release('riscv_hwprobe', archByName('riscv64')!)])
      .toEqual([[5, 3], [5, 6], undefined, [5, 1], [6, 4]]);
  });

  it('exports to OCI as the profile\'s default, with the table\'s syscalls named for the policy\'s default', async () => {
    const { filter } = compile('default errno(EPERM)\nunknown errno(ENOSYS)\nallow read, write\nerrno(EACCES) ptrace if arg0_64 == 16\n');
    const exported = await exportOciProfile([filter.policy]);
    expect(exported.diagnostics).toEqual([]);
    const profile = JSON.parse(exported.text!) as { defaultAction: string; defaultErrnoRet: number; syscalls: { names: string[]; errnoRet?: number }[] };
    expect([profile.defaultAction, profile.defaultErrnoRet]).toEqual(['SCMP_ACT_ERRNO', 38]);
    expect(profile.syscalls[0]!.names).toContain('getpid');
    expect(profile.syscalls[0]!.errnoRet).toBe(1);
    const back = compileProfile(exported.text!);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    for (const nr of [0, 39, 101, 472, 1000, 0xffffffff]) {
      for (const args of [[], [16n]]) {
        const call = { nr, arch: X86_64.auditArch, args };
        expect(formatReturnValue(emulate(back.filter.program, call).value), `nr ${nr}`).toBe(formatReturnValue(emulate(filter.program, call).value));
      }
    }
  });
});
