// What an OCI profile means, as runc and libseccomp apply it: Docker's includes/excludes, runc's
// action mapping and rule splitting, libseccomp's 64-bit comparisons and its way of combining the
// rules of one syscall. Each behaviour is checked on the verdicts of the compiled filter.
import { X86_64 } from '../../src/arch/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/bpf/emulate.ts';
import { loadProfile, type ProfileOptions } from '../../src/oci/index.ts';
import { compileProfile } from '../../src/compile-profile.ts';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from '../../src/seccomp/abi.ts';
import { formatReturnValue } from '../../src/seccomp/action.ts';
import { PROFILES_DIR, toJson } from './support.ts';

const KERNEL = { major: 6, minor: 1 };

type Filter = (name: string, ...args: bigint[]) => string;

/** Compiles a profile (must succeed) and returns a function giving a call's verdict. */
function filter(profile: unknown, options: ProfileOptions = {}): Filter & { diagnostics: string[] } {
  const result = compileProfile(typeof profile === 'string' ? profile : toJson(profile), { kernel: KERNEL, ...options });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  const program = result.filter.program;
  const run = (name: string, ...args: bigint[]): string => formatReturnValue(emulate(program, { nr: X86_64.syscalls.byName(name)!.nr, arch: AUDIT_ARCH_X86_64, args }).value);
  return Object.assign(run, { diagnostics: result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`) });
}

function refusal(profile: unknown, options: ProfileOptions = {}): string[] {
  const result = compileProfile(toJson(profile), { kernel: KERNEL, ...options });
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
}

const entry = (names: string[], action: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ names, action, ...extra });
const arg = (index: number, op: string, value: bigint | number, valueTwo?: bigint | number): Record<string, unknown> =>
  ({ index, op, value: BigInt(value), ...(valueTwo === undefined ? {} : { valueTwo: BigInt(valueTwo) }) });

describe('Docker\'s includes and excludes', () => {
  const docker = readFileSync(join(PROFILES_DIR, 'docker-default.json'), 'utf8');

  it('without capabilities: chroot and clone with namespace flags are refused, clone3 fails with ENOSYS', () => {
    const f = filter(docker);
    expect(f('chroot')).toBe('ERRNO(1)');
    expect(f('clone', 0x10000000n)).toBe('ERRNO(1)'); // CLONE_NEWUSER
    expect(f('clone', 0x11n)).toBe('ALLOW');
    expect(f('clone3')).toBe('ERRNO(38)');
    expect(f('mount')).toBe('ERRNO(1)');
    expect(f('read')).toBe('ALLOW');
  });

  it('with Docker\'s default capabilities, CAP_SYS_CHROOT allows chroot', () => {
    expect(filter(docker, { dockerDefaultCaps: true })('chroot')).toBe('ALLOW');
  });

  it('with CAP_SYS_ADMIN, mount, unshare and clone3 are allowed and clone is not restricted', () => {
    const f = filter(docker, { caps: ['sys_admin'] });
    expect(f('mount')).toBe('ALLOW');
    expect(f('unshare')).toBe('ALLOW');
    expect(f('clone3')).toBe('ALLOW');
    expect(f('clone', 0x10000000n)).toBe('ALLOW');
  });

  it('includes.minKernel against --kernel: ptrace needs 4.8', () => {
    expect(filter(docker, { kernel: { major: 4, minor: 7 } })('ptrace')).toBe('ERRNO(1)');
    expect(filter(docker, { kernel: { major: 4, minor: 8 } })('ptrace')).toBe('ALLOW');
  });

  it('every listed cap must be present for includes, any one excludes', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        entry(['read'], 'SCMP_ACT_ALLOW', { includes: { caps: ['CAP_BPF', 'CAP_PERFMON'] } }),
        entry(['write'], 'SCMP_ACT_ALLOW', { excludes: { caps: ['CAP_BPF', 'CAP_PERFMON'] } }),
        entry(['close'], 'SCMP_ACT_ALLOW', { includes: { arches: ['amd64', 'x32'] } }),
        entry(['dup'], 'SCMP_ACT_ALLOW', { includes: { arches: ['arm64'] } }),
        entry(['dup2'], 'SCMP_ACT_ALLOW', { excludes: { arches: ['amd64'] } }),
        entry(['dup3'], 'SCMP_ACT_ALLOW', { excludes: { minKernel: '6.0' } }),
      ],
    };
    const none = filter(profile);
    expect([none('read'), none('write'), none('close'), none('dup'), none('dup2'), none('dup3')]).toEqual(['ERRNO(1)', 'ALLOW', 'ALLOW', 'ERRNO(1)', 'ERRNO(1)', 'ERRNO(1)']);
    const one = filter(profile, { caps: ['CAP_BPF'], kernel: { major: 5, minor: 15 } });
    expect([one('read'), one('write'), one('dup3')]).toEqual(['ERRNO(1)', 'ERRNO(1)', 'ALLOW']);
    const both = filter(profile, { caps: ['CAP_BPF', 'CAP_PERFMON'] });
    expect(both('read')).toBe('ALLOW');
  });

  it('the metadata says which entries were left out, and why', () => {
    const loaded = loadProfile(docker, 'docker.json', { kernel: KERNEL });
    expect(loaded.metadata?.droppedEntries).toContainEqual({ index: 17, reason: 'needs CAP_SYS_ADMIN' });
    expect(loaded.metadata?.droppedEntries).toContainEqual({ index: 10, reason: 'only for ppc64le' });
    expect(loaded.metadata?.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(loaded.metadata?.compiledAbis).toEqual(['x86_64', 'i386', 'x32']);
    expect(loaded.metadata?.uncompiledArchitectures).toEqual([]);
  });
});

describe('runc\'s reading of entries', () => {
  it('actions: KILL is kill_thread, ERRNO and TRACE default to EPERM, errnoRet is used', () => {
    const f = filter({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        entry(['read'], 'SCMP_ACT_KILL'), entry(['write'], 'SCMP_ACT_KILL_THREAD'), entry(['close'], 'SCMP_ACT_KILL_PROCESS'),
        entry(['dup'], 'SCMP_ACT_TRAP', { errnoRet: 5 }), entry(['dup2'], 'SCMP_ACT_ERRNO'), entry(['dup3'], 'SCMP_ACT_ERRNO', { errnoRet: 13 }),
        entry(['pipe'], 'SCMP_ACT_TRACE'), entry(['pipe2'], 'SCMP_ACT_TRACE', { errnoRet: 42 }), entry(['getpid'], 'SCMP_ACT_LOG'),
        entry(['getppid'], 'SCMP_ACT_NOTIFY'),
      ],
    });
    expect(['read', 'write', 'close', 'dup', 'dup2', 'dup3', 'pipe', 'pipe2', 'getpid', 'getppid', 'getuid'].map((n) => f(n))).toEqual([
      'KILL_THREAD', 'KILL_THREAD', 'KILL_PROCESS', 'TRAP(0)', 'ERRNO(1)', 'ERRNO(13)', 'TRACE(1)', 'TRACE(42)', 'LOG', 'USER_NOTIF', 'ALLOW',
    ]);
  });

  it('defaultErrnoRet sets the default errno', () => {
    expect(filter({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 })('read')).toBe('ERRNO(38)');
  });

  it('an entry with the default action is skipped (libseccomp refuses such rules), with a note', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 1 }), entry(['read'], 'SCMP_ACT_ALLOW')] });
    expect(f('read')).toBe('ALLOW');
    expect(f.diagnostics).toContain('info SC7006 syscalls[0] has the default action (errno(1)): runc skips it');
  });

  it('the args of an entry are ANDed', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['socket'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1), arg(1, 'SCMP_CMP_EQ', 2)] })] });
    expect([f('socket', 1n, 2n), f('socket', 1n, 3n), f('socket', 2n, 2n)]).toEqual(['ALLOW', 'ERRNO(1)', 'ERRNO(1)']);
  });

  it('a repeated index makes each comparison a rule of its own, ORed (runc\'s fallback)', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['socket'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1), arg(0, 'SCMP_CMP_EQ', 2), arg(1, 'SCMP_CMP_EQ', 7)] })] });
    expect([f('socket', 1n, 0n), f('socket', 2n, 0n), f('socket', 3n, 7n), f('socket', 3n, 0n)]).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'ERRNO(1)']);
  });

  it('names unknown on x86-64 are skipped with a warning, names of other arches with a note', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['read', 'chown32', 'reed'], 'SCMP_ACT_ALLOW')] });
    expect(f('read')).toBe('ALLOW');
    expect(f.diagnostics).toEqual([
      'info SC7005 syscalls[0]: chown32 is a syscall of other architectures, skipped on x86-64',
      'warning SC7004 `reed` is not an x86-64 syscall: runtimes skip it',
    ]);
  });

  it('--strict makes unknown names errors', () => {
    expect(refusal({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['read', 'reed'], 'SCMP_ACT_ALLOW')] }, { strict: true })).toEqual(['SC7004 `reed` is not an x86-64 syscall: runtimes skip it']);
  });

  it('refuses what runc refuses: a notify default, notify on write, an errno libseccomp rejects', () => {
    expect(refusal({ defaultAction: 'SCMP_ACT_NOTIFY' })).toEqual([expect.stringContaining('SCMP_ACT_NOTIFY cannot be the default action')]);
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [entry(['write'], 'SCMP_ACT_NOTIFY')] })).toEqual([expect.stringContaining('cannot be used for `write`')]);
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 4095 })] })).toEqual(['SC7007 syscalls[0].errnoRet: libseccomp refuses errno 4095: an errno must be below 4095 (runc fails to start the container)']);
    expect(refusal({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 5000 })).toEqual([expect.stringContaining('libseccomp refuses errno 5000')]);
  });

  it('an errnoRet above 16 bits keeps its low 16 bits, as runc passes it through an int16', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 65536 + 13 })] });
    expect(f('read')).toBe('ERRNO(13)');
    expect(f.diagnostics).toContain('warning SC7010 syscalls[0].errnoRet: runc keeps the low 16 bits of errnoRet 65549: 13');
  });

  it('flags become the filter\'s flags; notify adds a listener', () => {
    const result = compileProfile(toJson({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], syscalls: [entry(['read'], 'SCMP_ACT_NOTIFY')], listenerPath: '/run/agent.sock', listenerMetadata: 'x' }), { kernel: KERNEL });
    expect(result.ok && result.filter.ir.metadata.flags).toEqual(['log', 'spec_allow', 'new_listener']);
    expect(result.metadata).toMatchObject({ flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], listenerPath: '/run/agent.sock', listenerMetadata: 'x' });
  });
});

describe('libseccomp\'s comparisons: all 64 bits, on x86-64', () => {
  it('a 32-bit parameter is still compared on 64 bits (personality(0xffffffff) only)', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['personality'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 0xffffffff)] })] });
    expect(f('personality', 0xffffffffn)).toBe('ALLOW');
    expect(f('personality', 0xffffffffffffffffn)).toBe('ERRNO(1)');
  });

  it('ordered comparisons decide on the high word, then the low word', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['lseek'], 'SCMP_ACT_ALLOW', { args: [arg(1, 'SCMP_CMP_GT', 0x100000005n)] })] });
    expect([0xffffffffn, 0x100000005n, 0x100000006n, 0x200000000n].map((v) => f('lseek', 0n, v))).toEqual(['ERRNO(1)', 'ERRNO(1)', 'ALLOW', 'ALLOW']);
  });

  it('SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo, with valueTwo masked as libseccomp masks it', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['clone'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_MASKED_EQ', 0xff, 0x1234)] })] });
    expect([0x34n, 0x1234n, 0xff34n, 0x35n].map((v) => f('clone', v))).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'ERRNO(1)']);
  });
});

describe('how libseccomp combines the entries of one syscall', () => {
  it('an unconditional entry wins over conditional ones, before or after them', () => {
    for (const order of [0, 1]) {
      const rules = [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 5, args: [arg(0, 'SCMP_CMP_EQ', 3)] }), entry(['read'], 'SCMP_ACT_ALLOW')];
      const f = filter({ defaultAction: 'SCMP_ACT_LOG', syscalls: order ? rules.reverse() : rules });
      expect(f('read', 3n)).toBe('ALLOW');
      expect(f.diagnostics.some((d) => d.includes('never applies to `read`'))).toBe(true);
    }
  });

  it('the first unconditional entry wins; a later one is ignored', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_LOG', syscalls: [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 5 }), entry(['read'], 'SCMP_ACT_ALLOW')] });
    expect(f('read')).toBe('ERRNO(5)');
  });

  it('the same conditions with another action are refused (EEXIST: runc fails)', () => {
    expect(refusal({ defaultAction: 'SCMP_ACT_LOG', syscalls: [entry(['read'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 1)] }), entry(['read'], 'SCMP_ACT_ERRNO', { args: [arg(0, 'SCMP_CMP_EQ', 1)] })] }))
      .toEqual(['SC7007 libseccomp refuses this rule for `read`: it conflicts with an earlier rule with another action (runc fails to start the container)']);
  });

  it('a longer rule after a shorter one with the same start is dropped, whatever its action', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_LOG', syscalls: [entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 5, args: [arg(0, 'SCMP_CMP_EQ', 3)] }), entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 6, args: [arg(0, 'SCMP_CMP_EQ', 3), arg(1, 'SCMP_CMP_EQ', 4)] })] });
    expect(f('read', 3n, 4n)).toBe('ERRNO(5)');
  });

  it('overlapping entries are not tried in profile order: higher arguments and == come first', () => {
    const f = filter({
      defaultAction: 'SCMP_ACT_LOG',
      syscalls: [
        entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 6, args: [arg(0, 'SCMP_CMP_GT', 1)] }),
        entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 5, args: [arg(0, 'SCMP_CMP_EQ', 3)] }),
        entry(['read'], 'SCMP_ACT_ERRNO', { errnoRet: 7, args: [arg(1, 'SCMP_CMP_GE', 1n << 40n)] }),
      ],
    });
    expect(f('read', 3n)).toBe('ERRNO(5)'); // == before >
    expect(f('read', 3n, 1n << 40n)).toBe('ERRNO(7)'); // argument 1 before argument 0
    expect(f('read', 2n)).toBe('ERRNO(6)');
    expect(f.diagnostics.some((d) => d.startsWith('warning SC7009 entries for `read` overlap with different actions'))).toBe(true);
  });

  it('disjoint entries with different actions read as written, without a warning', () => {
    const f = filter({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [entry(['socket'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_LT', 10)] }), entry(['socket'], 'SCMP_ACT_TRAP', { args: [arg(0, 'SCMP_CMP_GE', 10)] })] });
    expect([f('socket', 9n), f('socket', 10n)]).toEqual(['ALLOW', 'TRAP(0)']);
    expect(f.diagnostics).toEqual([]);
  });
});

describe('the architectures a profile lists', () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      entry(['read', '_llseek'], 'SCMP_ACT_ALLOW'),
      entry(['socket'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_EQ', 0x100000001n)] }),
      entry(['personality'], 'SCMP_ACT_ALLOW', { args: [arg(0, 'SCMP_CMP_LE', 8)] }),
    ],
  };
  const compiled = (listed: unknown): ReturnType<typeof compileProfile> => compileProfile(toJson({ ...profile, architectures: listed }), { kernel: KERNEL });
  const runner = (result: ReturnType<typeof compileProfile>) => (arch: number, nr: number, ...args: bigint[]): string => {
    if (!result.ok) throw new Error('does not compile');
    return formatReturnValue(emulate(result.filter.program, { nr, arch, args }).value);
  };

  it('each listed ABI gets the rules by its own numbers, its 32-bit arguments compared on their low word, as libseccomp does', () => {
    const result = compiled(profile.architectures);
    expect(result.ok && result.filter.sections?.map((s) => s.policy.arch.name)).toEqual(['x86_64', 'i386', 'x32']);
    const run = runner(result);
    // read: x86-64 0, i386 3, x32 0x40000000
    expect([run(AUDIT_ARCH_X86_64, 0), run(AUDIT_ARCH_I386, 3), run(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT)]).toEqual(['ALLOW', 'ALLOW', 'ALLOW']);
    // _llseek, an i386 call x86-64 lacks (i386 140; x86-64's 140 is getpriority)
    expect([run(AUDIT_ARCH_I386, 140), run(AUDIT_ARCH_X86_64, 140)]).toEqual(['ALLOW', 'ERRNO(1)']);
    // socket == 0x100000001: all 64 bits on x86-64; the low word on i386 (359) and x32
    expect([run(AUDIT_ARCH_X86_64, 41, 1n), run(AUDIT_ARCH_X86_64, 41, 0x100000001n)]).toEqual(['ERRNO(1)', 'ALLOW']);
    expect([run(AUDIT_ARCH_I386, 359, 1n), run(AUDIT_ARCH_I386, 359, 0x500000001n), run(AUDIT_ARCH_I386, 359, 2n)]).toEqual(['ALLOW', 'ALLOW', 'ERRNO(1)']);
    expect([run(AUDIT_ARCH_X86_64, (X32_SYSCALL_BIT | 41) >>> 0, 1n), run(AUDIT_ARCH_X86_64, (X32_SYSCALL_BIT | 41) >>> 0, 2n)]).toEqual(['ALLOW', 'ERRNO(1)']);
    // on i386 socket also comes through socketcall (102) with SYS_SOCKET (1) in argument 0, which
    // libseccomp tests instead of the entry's condition on argument 0
    expect([run(AUDIT_ARCH_I386, 102, 1n), run(AUDIT_ARCH_I386, 102, 2n)]).toEqual(['ALLOW', 'ERRNO(1)']);
    // personality <= 8: the upper half of an i386 argument decides nothing
    expect([run(AUDIT_ARCH_I386, 136, 0xffffffff00000008n), run(AUDIT_ARCH_X86_64, 135, 0xffffffff00000008n)]).toEqual(['ALLOW', 'ERRNO(1)']);
    // numbers neither x86-64 nor x32 names, and nr -1, get the default action; other arches are rejected
    expect([run(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT + 5000), run(AUDIT_ARCH_X86_64, 0xffffffff), run(0xc00000b7, 63)]).toEqual(['ERRNO(1)', 'ERRNO(1)', 'KILL_PROCESS']);
    expect(result.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('an ABI not listed is rejected with kill_process (x32 calls with nr -1 excepted, which get the default)', () => {
    const run = runner(compiled(['SCMP_ARCH_X86_64']));
    expect([run(AUDIT_ARCH_X86_64, 0), run(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT), run(AUDIT_ARCH_I386, 3), run(AUDIT_ARCH_X86_64, 0xffffffff)]).toEqual(['ALLOW', 'KILL_PROCESS', 'KILL_PROCESS', 'ERRNO(1)']);
  });

  it('architectures seccompile has no table for are reported (SC7008), their calls rejected', () => {
    const result = compiled(['SCMP_ARCH_X86_64', 'SCMP_ARCH_S390X']);
    expect(result.diagnostics.filter((d) => d.code === 'SC7008').map((d) => d.message)).toEqual([expect.stringContaining('SCMP_ARCH_S390X is not compiled')]);
    expect(runner(result)(0x80000016, 3)).toBe('KILL_PROCESS');
  });
});
