// `convert`: a profile written as policy text. The text must compile, through the policy
// language, to a filter with the profile's verdicts on every call, for the shared profiles and for
// random ones (overlapping entries included); and it must read well.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archByName, X86_64, type Arch } from '../../src/arch/index.ts';
import { emulate } from '../../src/bpf/emulate.ts';
import { compilePolicy } from '../../src/compile.ts';
import { DOCKER_DEFAULT_CAPS } from '../../src/oci/caps.ts';
import { loadProfile } from '../../src/oci/index.ts';
import { compileProfile } from '../../src/compile-profile.ts';
import { profileToPolicy } from '../../src/oci/to-policy.ts';
import { Random } from '../support/random.ts';
import { callsFor, describeCall, namedSyscalls, PROFILES_DIR, randomProfile, toJson } from './support.ts';

const KERNEL = { major: 6, minor: 1 };

function convert(text: string, caps: readonly string[] = [], arch: Arch = X86_64): string | undefined {
  const loaded = loadProfile(text, 'p.json', { caps, kernel: KERNEL, arch });
  if (!loaded.policy || !loaded.profile || !loaded.resolved || !loaded.metadata) return undefined;
  return profileToPolicy({ policy: loaded.policy, ...(loaded.policies ? { policies: loaded.policies } : {}), profile: loaded.profile, resolved: loaded.resolved, metadata: loaded.metadata }, { source: 'p.json', caps, kernel: KERNEL, version: 'test' });
}

/**
 * Calls on which the profile and its conversion disagree. The conversion is compiled for the ABIs
 * its header names (`--arch`, the host's and those the profile lists), and run on each ABI's calls.
 */
function roundTrip(text: string, profile: unknown, values: readonly bigint[], caps: readonly string[] = [], arch: Arch = X86_64): string[] {
  const policy = convert(text, caps, arch);
  if (policy === undefined) return [];
  const original = compileProfile(text, { caps, kernel: KERNEL, arch });
  const arches = (/--arch ([a-z0-9_,]+)\)/.exec(policy)?.[1] ?? arch.name).split(',').map((n) => archByName(n)!);
  const converted = compilePolicy(policy, { path: 'converted.policy', arches });
  if (!original.ok) return ['the profile does not compile'];
  if (!converted.ok) return [`the converted policy does not compile:\n${converted.diagnostics.map((d) => d.message).join('\n')}\n${policy}`];
  const sections = original.filter.sections?.map((s) => s.policy.arch.name) ?? [arch.name];
  if (sections.join(',') !== arches.map((a) => a.name).join(',')) return [`the header says --arch ${arches.map((a) => a.name).join(',')}, the profile compiles for ${sections.join(',')}`];
  const problems: string[] = [];
  for (const abi of arches) {
    for (const call of callsFor(namedSyscalls(profile as never, abi), values, new Random(3), 24, abi)) {
      const a = emulate(original.filter.program, call).value;
      const b = emulate(converted.filter.program, call).value;
      if (a !== b) problems.push(`${describeCall(call)}: profile 0x${a.toString(16)}, converted 0x${b.toString(16)}`);
      if (problems.length > 3) return problems;
    }
  }
  return problems;
}

describe('convert: the converted policy has the profile\'s verdicts', () => {
  for (const file of ['docker-default.json', 'podman-default.json']) {
    for (const caps of [[], DOCKER_DEFAULT_CAPS]) {
      it(`${file}${caps.length > 0 ? ' with Docker\'s default caps' : ''}`, () => {
        const text = readFileSync(join(PROFILES_DIR, file), 'utf8');
        expect(roundTrip(text, JSON.parse(text), [], caps)).toEqual([]);
      });
    }
  }

  for (const name of ['aarch64', 'riscv64', 'i386', 'arm']) {
    it(`docker-default.json for ${name} hosts, and 30 random profiles`, () => {
      const arch = archByName(name)!;
      const text = readFileSync(join(PROFILES_DIR, 'docker-default.json'), 'utf8');
      expect(convert(text, [], arch)).toContain(`(compile it with --arch ${name === 'aarch64' ? 'aarch64,arm' : name})`);
      expect(roundTrip(text, JSON.parse(text), [], [], arch)).toEqual([]);
      const rng = new Random(78);
      const problems: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { profile, values } = randomProfile(rng, arch);
        const random = toJson(profile, 2);
        problems.push(...roundTrip(random, profile, values, [], arch).map((p) => `random ${i}: ${p}\n${random}`));
      }
      expect(problems).toEqual([]);
    });
  }

  it('80 random profiles, overlapping entries included', () => {
    const rng = new Random(77);
    let converted = 0;
    const problems: string[] = [];
    for (let i = 0; i < 80; i++) {
      const { profile, values } = randomProfile(rng);
      const text = toJson(profile, 2);
      if (convert(text) !== undefined) converted++;
      problems.push(...roundTrip(text, profile, values).map((p) => `random ${i}: ${p}\n${text}`));
    }
    expect(problems).toEqual([]);
    expect(converted).toBeGreaterThan(60);
  });
});

describe('convert: readable output', () => {
  it('one statement per entry and action, names and comments from the profile, errno and constant names, 64-bit arguments', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['read', 'write', 'close'], action: 'SCMP_ACT_ALLOW', comment: 'basic I/O' },
        { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['chown32', 'openat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      ],
    };
    expect(convert(toJson(profile))).toBe([
      '# Converted by seccompile test from p.json, an OCI seccomp profile,',
      '# for x86-64 hosts with no capabilities and kernel 6.1.',
      '# Rules follow runc and libseccomp: the arguments of an entry are ANDed, every comparison is on',
      '# all 64 bits of the argument\'s register (`family_64`, `arg0_64`; a name alone where the argument',
      '# has 64 bits), on 32-bit ABIs and x32 on its low 32 bits (`_32`), and entries whose action is the',
      '# default are left out.',
      '# Filter flags: SECCOMP_FILTER_FLAG_LOG (give them to `seccompile compile --flag`).',
      '# Entries that do not apply to this host:',
      '# syscalls[3] (mount): needs CAP_SYS_ADMIN',
      '# Syscalls of other architectures, skipped: chown32',
      '',
      'default errno(EPERM)',
      'x32 kill_process',
      'foreign_arch kill_process',
      '',
      '# syscalls[0]: read, write, close (basic I/O)',
      'allow read, write, close',
      '',
      '# syscalls[1]: socket',
      'allow socket if family_64 == AF_UNIX',
      '',
      // clone reads only the low 32 bits of clone_flags (kernel/fork.c): all 64 are `clone_flags_64`.
      '# syscalls[2]: clone',
      'allow clone if (clone_flags_64 & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)) == 0',
      '',
      '# syscalls[4]: chown32, openat',
      'errno(EACCES) openat',
      '',
    ].join('\n'));
  });

  it('overlapping entries get their own block in libseccomp\'s order', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_LOG',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 6, args: [{ index: 0, value: 1, op: 'SCMP_CMP_GT' }] },
        { names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 3, op: 'SCMP_CMP_EQ' }] },
      ],
    };
    const text = convert(toJson(profile))!;
    expect(text.split('\n').slice(-5).join('\n')).toBe([
      '# read: entries syscalls[0], syscalls[1] overlap with different actions.',
      '# Rules in the order libseccomp tries them (argument by argument, high word first), not in profile order.',
      'errno(EIO) read if fd_64 == 3',
      'errno(ENXIO) read if fd_64 >= 2',
      '',
    ].join('\n'));
  });

  it('long syscall lists are wrapped under their action', () => {
    const names = ['accept', 'accept4', 'access', 'adjtimex', 'alarm', 'bind', 'brk', 'capget', 'capset', 'chdir', 'chmod', 'chown', 'clock_getres', 'clock_gettime'];
    const lines = convert(toJson({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] }))!.split('\n').filter((l) => /^ *allow|^      /.test(l));
    expect(lines.length).toBe(2);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines[1]).toMatch(/^ {6}\S/);
  });
});

describe('convert: proven', () => {
  it('Docker\'s and Podman\'s converted policies give every call of every ABI the profile\'s verdict (Z3)', async () => {
    const { diffVerdicts } = await import('../../src/verify/diff.ts');
    for (const file of ['docker-default.json', 'podman-default.json']) {
      const text = readFileSync(join(PROFILES_DIR, file), 'utf8');
      const policy = convert(text, DOCKER_DEFAULT_CAPS)!;
      const original = compileProfile(text, { caps: DOCKER_DEFAULT_CAPS, kernel: KERNEL });
      const arches = /--arch ([a-z0-9_,]+)\)/.exec(policy)![1]!.split(',').map((n) => archByName(n)!);
      const converted = compilePolicy(policy, { path: 'converted.policy', arch: arches[0]!, arches });
      if (!original.ok || !converted.ok) throw new Error(`${file} does not compile`);
      const sections = (f: typeof original.filter) => f.sections!.map((s) => s.policy);
      const changes = await diffVerdicts({ policy: original.filter.policy, sections: sections(original.filter) }, { policy: converted.filter.policy, sections: sections(converted.filter) });
      expect(changes.map((c) => `${file}: ${c.group}`), file).toEqual([]);
    }
  }, 120_000);
});
