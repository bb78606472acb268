// Profiles on the command line (the built CLI): `compile` tells a profile from a policy, takes
// --input, --cap, --docker-default-caps, --kernel and --strict; `convert` writes the policy;
// `sim` runs a profile; errors read like every other diagnostic.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeProgram, type Instruction } from '../../src/bpf/insn.ts';
import { emulate } from '../../src/bpf/emulate.ts';
import { formatReturnValue } from '../../src/seccomp/action.ts';
import { BIN, ROOT } from '../support/cli-build.ts';
import { run as runProcess, runCli, type RunResult } from '../support/run.ts';
import { PROFILES_DIR } from './support.ts';

const DOCKER = join(PROFILES_DIR, 'docker-default.json');
/** Runs a command with `uname -r` reporting 2.6.x (setarch, util-linux). */
const UNAME_2_6 = ['setarch', 'x86_64', '--uname-2.6'];
const dir = mkdtempSync(join(tmpdir(), 'seccompile-oci-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], input?: string): Promise<RunResult> {
  return runCli(args, input === undefined ? {} : { input });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function verdictOf(bytes: Uint8Array, nr: number, ...args: bigint[]): string {
  return formatReturnValue(emulate(decodeProgram(bytes)!, { nr, arch: 0xc000003e, args }).value);
}

describe('compile with a profile', () => {
  it('a JSON object is read as a profile: docker-default.json compiles to a raw filter', async () => {
    const out = join(dir, 'docker.bpf');
    const r = await run(['--verbose', 'compile', DOCKER, '--docker-default-caps', '--kernel', '6.1', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('info: the filter has a section for each ABI the profile lists for amd64 hosts: x86-64, i386, x32');
    // Notes are for --verbose: a plain compile of the same profile is silent.
    const quiet = await run(['compile', DOCKER, '--docker-default-caps', '--kernel', '6.1', '-o', out]);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    const bytes = readFileSync(out);
    expect(verdictOf(bytes, 161)).toBe('ALLOW'); // chroot, with CAP_SYS_CHROOT
    expect(verdictOf(bytes, 272)).toBe('ERRNO(1)'); // unshare
    expect(verdictOf(bytes, 0)).toBe('ALLOW');
  });

  it('the output does not depend on the machine: without --kernel, minKernel is resolved for 7.0 whatever the running kernel reports', async () => {
    const here = join(dir, 'here.bpf');
    const old = join(dir, 'old-uname.bpf');
    const explicit = join(dir, 'explicit.bpf');
    const compile = (out: string, prefix: readonly string[] = [], extra: readonly string[] = []): Promise<RunResult> =>
      prefix.length === 0 ? run(['compile', DOCKER, '--docker-default-caps', ...extra, '-o', out]) : runProcess(prefix[0]!, [...prefix.slice(1), process.execPath, BIN, 'compile', DOCKER, '--docker-default-caps', ...extra, '-o', out]);
    const results = await Promise.all([compile(here), compile(old, UNAME_2_6), compile(explicit, [], ['--kernel', '7.0'])]);
    for (const r of results) expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readFileSync(old)).toEqual(readFileSync(here));
    expect(readFileSync(explicit)).toEqual(readFileSync(here));
    expect(verdictOf(readFileSync(here), 101)).toBe('ALLOW'); // ptrace: minKernel 4.8
    // --kernel host takes the running kernel: under `uname -r` 2.6, ptrace is refused.
    const host = join(dir, 'host.bpf');
    const hosted = await runProcess(UNAME_2_6[0]!, [...UNAME_2_6.slice(1), process.execPath, BIN, '--verbose', 'compile', DOCKER, '--docker-default-caps', '--kernel', 'host', '-o', host]);
    expect(hosted.code).toBe(0);
    expect(hosted.stderr).toMatch(/info: Docker's minKernel conditions are resolved for Linux 2\.6, the running kernel \(--kernel host\) \[SC7011\]/);
    expect(verdictOf(readFileSync(host), 101)).toBe('ERRNO(1)');
    const noted = await run(['--verbose', 'compile', DOCKER, '-o', join(dir, 'noted.bpf')]);
    expect(noted.stderr).toContain("info: Docker's minKernel conditions are resolved for Linux 7.0, the newest seccompile knows (the default, the same on every machine; --kernel host takes the running kernel) [SC7011]");
  });

  it('--cap takes capabilities with or without CAP_, in any case', async () => {
    const out = join(dir, 'admin.bpf');
    const r = await run(['compile', DOCKER, '--cap', 'sys_admin', '--cap', 'CAP_SYS_CHROOT', '--kernel', '6.1', '-o', out]);
    expect(r.code).toBe(0);
    expect(verdictOf(readFileSync(out), 272)).toBe('ALLOW');
  });

  it('an unknown capability or kernel version is a usage error', async () => {
    const cap = await run(['compile', DOCKER, '--cap', 'CAP_SYS_ADMN', '-o', join(dir, 'x.bpf')]);
    expect(cap.code).toBe(2);
    expect(cap.stderr).toContain('--cap "CAP_SYS_ADMN" is not a Linux capability');
    expect(cap.stderr).toContain('did you mean CAP_SYS_ADMIN?');
    const kernel = await run(['compile', DOCKER, '--kernel', 'six', '-o', join(dir, 'x.bpf')]);
    expect(kernel.code).toBe(2);
    expect(kernel.stderr).toContain('--kernel "six" is not a kernel version');
    expect(existsSync(join(dir, 'x.bpf'))).toBe(false);
  });

  it('profile options given with a policy are a usage error', async () => {
    const r = await run(['compile', 'test/fixtures/cli/small.policy', '--cap', 'CAP_KILL', '--format', 'asm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cap only applies to OCI profiles, and this input is a policy');
  });

  it('--input oci reads standard input as a profile; --format asm lists it', async () => {
    const r = await run(['compile', '-', '--input', 'oci', '--format', 'asm'], '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}]}');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ptrace');
    expect(r.out).toContain('ERRNO(1)');
  });

  it('--input policy reads a JSON-looking input as a policy', async () => {
    const r = await run(['compile', '-', '--input', 'policy', '--format', 'asm'], '{}');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<stdin>:1:1: error');
    expect(r.stderr).not.toContain('SC7');
  });

  it('schema errors give the file, line, column and JSON path; exit 1 and no output file', async () => {
    const path = file('bad.json', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    {"names": ["read"], "action": "SCMP_ACT_ALLOW",\n     "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}\n  ]\n}\n');
    const out = join(dir, 'bad.bpf');
    const r = await run(['compile', path, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:5:46: error: syscalls[0].args[0].op: unknown operator "SCMP_CMP_XX" [SC7002]`);
    expect(r.stderr).toContain('5 |      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}');
    expect(existsSync(out)).toBe(false);
  });

  it('malformed JSON is an error with its position, not a crash', async () => {
    const path = file('broken.json', '{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [\n');
    const r = await run(['compile', path, '--format', 'asm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.json:3:1: error: invalid JSON: expected a JSON value, found the end of the input \[SC7001\]/);
    expect(r.stderr).not.toContain('internal error');
  });

  it('--strict turns unknown names into errors', async () => {
    const path = file('typo.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["raed"], "action": "SCMP_ACT_ALLOW"}]}');
    const lax = await run(['compile', path, '--format', 'asm']);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toContain('warning: `raed` is not an x86-64 syscall: runtimes skip it [SC7004]');
    expect(lax.stderr).toContain('did you mean `read`?');
    const strict = await run(['compile', path, '--format', 'asm', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('error: `raed` is not an x86-64 syscall');
  });
});

describe('convert', () => {
  it('writes the policy to -o, and the policy compiles to the profile\'s filter verdicts', async () => {
    const policy = join(dir, 'docker.policy');
    const r = await run(['convert', DOCKER, '--docker-default-caps', '--kernel', '6.1', '-o', policy]);
    expect(r.code).toBe(0);
    const text = readFileSync(policy, 'utf8');
    expect(text).toContain('default errno(EPERM)');
    expect(text).toContain('allow socket if family_64 <= AF_CAIF');
    expect(text).toContain('allow clone if (clone_flags_64 & (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)) == 0');
    expect(text).toContain('allow personality if personality_64 in {PER_LINUX, PER_LINUX32, 0x20000, 0x20008, 0xffffffff}');
    // the profile lists x86-64, x86 and x32 for amd64: the policy says how to compile it
    expect(text).toContain('(compile it with --arch x86_64,i386,x32)');
    expect(text).toMatch(/^arch i386 \{\n(.*\n)*  allow socket if family <= AF_CAIF\n/m);
    const fromPolicy = join(dir, 'from-policy.bpf');
    const fromProfile = join(dir, 'from-profile.bpf');
    expect((await run(['compile', policy, '--arch', 'x86_64,i386,x32', '-o', fromPolicy])).code).toBe(0);
    expect((await run(['compile', DOCKER, '--docker-default-caps', '--kernel', '6.1', '-o', fromProfile])).code).toBe(0);
    const a = decodeProgram(readFileSync(fromPolicy))!;
    const b = decodeProgram(readFileSync(fromProfile))!;
    const verdict = (program: Instruction[], arch: number, nr: number, arg: bigint): string => formatReturnValue(emulate(program, { nr, arch, args: [arg] }).value);
    for (const [arch, base] of [[0xc000003e, 0], [0x40000003, 0], [0xc000003e, 0x40000000]] as const) {
      for (let nr = base; nr < base + 470; nr++) {
        for (const arg of [0n, 1n, 38n, 39n, 40n, 41n, 0xffffffffn, 0x7e020000n, 0x100000027n]) expect(verdict(a, arch, nr, arg)).toBe(verdict(b, arch, nr, arg));
      }
    }
  });

  it('writes to standard output, and refuses a profile with errors', async () => {
    const ok = await run(['convert', '-', '--kernel', '6.1'], '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('errno(EACCES) ptrace');
    const bad = await run(['convert', '-'], '{"defaultAction": "SCMP_ACT_NOTIFY"}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SCMP_ACT_NOTIFY cannot be the default action');
    expect(bad.out).toBe('');
  });
});

describe('convert --to oci', () => {
  const POLICY = 'default errno(EPERM)\nallow read, write, exit_group\nerrno(EACCES) ptrace if arg0_64 == 16\nallow socket if family in {AF_UNIX, AF_INET}\nerrno(EAFNOSUPPORT) socket\n';

  it('writes a profile that compiles to the policy\'s verdicts (a policy is exported by default)', async () => {
    const r = await run(['convert', '-'], POLICY);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const profile = JSON.parse(r.out) as { defaultAction: string; defaultErrnoRet: number; architectures: string[]; syscalls: { names: string[]; action: string }[] };
    expect([profile.defaultAction, profile.defaultErrnoRet, profile.architectures]).toEqual(['SCMP_ACT_ERRNO', 1, ['SCMP_ARCH_X86_64']]);
    expect(profile.syscalls[0]).toEqual({ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' });
    const fromPolicy = join(dir, 'export-policy.bpf');
    const fromProfile = join(dir, 'export-profile.bpf');
    expect((await run(['compile', '-', '-o', fromPolicy], POLICY)).code).toBe(0);
    expect((await run(['compile', file('exported.json', r.out), '-o', fromProfile])).code).toBe(0);
    const a = readFileSync(fromPolicy);
    const b = readFileSync(fromProfile);
    for (let nr = 0; nr < 470; nr++) {
      for (const arg of [0n, 1n, 2n, 10n, 16n, 0x100000001n, 0x100000010n, 0xffffffffn]) expect(verdictOf(a, nr, arg), `nr ${nr} arg ${arg}`).toBe(verdictOf(b, nr, arg));
    }
  });

  it('wraps the profile in a Kubernetes SeccompProfile with --k8s-name, and checks the name', async () => {
    const r = await run(['convert', '-', '--k8s-name', 'web-server'], POLICY);
    expect(r.code).toBe(0);
    const object = JSON.parse(r.out) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { defaultAction: string } };
    expect([object.apiVersion, object.kind, object.metadata.name, object.spec.defaultAction]).toEqual(['security-profiles-operator.x-k8s.io/v1beta1', 'SeccompProfile', 'web-server', 'SCMP_ACT_ERRNO']);
    const bad = await run(['convert', '-', '--k8s-name', 'Web_Server'], POLICY);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: `Web_Server` is not a Kubernetes object name [SC7012]');
    const policyOut = await run(['convert', DOCKER, '--to', 'policy', '--k8s-name', 'x']);
    expect(policyOut.code).toBe(2);
  });

  it('refuses a rule OCI cannot express, at the rule, and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const r = await run(['convert', '-', '--to', 'oci', '-o', out], 'default allow\nerrno(EPERM) kill if sig <= 16\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^<stdin>:2:22: error: cannot export the rules of `kill` to OCI: `sig <= 16`: `sig` is a 32-bit `int` whose register's upper half the policy ignores, and OCI compares the whole 64-bit register except with SCMP_CMP_MASKED_EQ \[SC7012\]$/m);
    expect(existsSync(out)).toBe(false);
  });

  it('--approximate gives a rule OCI cannot say one verdict per syscall, the strictest (deny) or the laxest (allow), with a warning', async () => {
    const policy = 'default allow\nerrno(EPERM) kill if sig <= 16\nallow read\n';
    const kill = 62;
    for (const [direction, verdict] of [['deny', 'ERRNO(1)'], ['allow', 'ALLOW']] as const) {
      const r = await run(['convert', '-', '--approximate', direction], policy);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`warning: \`kill\` (x86-64) is exported with one verdict for every call, ${direction === 'deny' ? 'errno(EPERM)' : 'allow'} (--approximate ${direction})`);
      const out = join(dir, `approximate-${direction}.bpf`);
      expect((await run(['compile', file(`approximate-${direction}.json`, r.out), '-o', out])).code).toBe(0);
      for (const sig of [1n, 16n, 17n, 0x100000001n]) expect(verdictOf(readFileSync(out), kill, 0n, sig)).toBe(verdict);
    }
    expect((await run(['convert', DOCKER, '--approximate', 'deny'])).code).toBe(2);
  });

  it('lists the ABIs of --arch, and refuses verdicts for other ABIs that runc cannot give', async () => {
    const r = await run(['convert', '-', '--arch', 'x86_64,i386,x32'], 'default kill_process\nallow read\nerrno(1) personality if arg0 == 40\n');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { architectures: string[] }).architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const x32 = await run(['convert', '-'], 'default kill_process\nx32 errno(ENOSYS)\nallow read\n');
    expect(x32.code).toBe(1);
    expect(x32.stderr).toContain('error: the profile would give kill_process where the policy gives errno(ENOSYS), for x32:');
    expect(x32.stderr).toContain('runc kills calls of ABIs the profile does not list');
    // On i386 libseccomp also applies a socket rule to socketcall(SYS_SOCKET, …): the policy must say the same.
    const multiplexed = await run(['convert', '-', '--arch', 'x86_64,i386'], 'default kill_process\nallow read\nerrno(1) socket if arg0 == 40\n');
    expect(multiplexed.code).toBe(1);
    expect(multiplexed.stderr).toContain('[nr 0x66, arch i386]');
    expect(multiplexed.stderr).toContain('socketcall');
  });

  it('round-trips Docker\'s profile: profile → policy → profile, proven at each export', async () => {
    const policy = join(dir, 'docker-round.policy');
    expect((await run(['convert', DOCKER, '--docker-default-caps', '--kernel', '6.1', '-o', policy])).code).toBe(0);
    const r = await run(['convert', policy, '--to', 'oci', '--arch', 'x86_64,i386,x32', '-o', join(dir, 'docker-round.json')]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const direct = await run(['convert', DOCKER, '--to', 'oci', '--docker-default-caps', '--kernel', '6.1']);
    expect([direct.code, direct.stderr]).toEqual([0, '']);
    const same = await run(['diff', join(dir, 'docker-round.json'), file('docker-direct.json', direct.out)]);
    expect([same.code, same.out.trim()]).toEqual([0, `${join(dir, 'docker-round.json')} and ${join(dir, 'docker-direct.json')} give every call the same verdict`]);
    const refused = await run(['convert', policy, '--to', 'policy']);
    expect(refused.code).toBe(2);
  });
});

describe('sim with a profile', () => {
  it('runs a call against the compiled profile', async () => {
    const r = await run(['sim', DOCKER, 'socket', 'family=40', '-q', '--kernel', '6.1']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('socket(family=0x28, type=0x0, protocol=0x0) [nr 0x29, arch ARCH_X86_64] -> ERRNO(1)\n');
    const admin = await run(['sim', DOCKER, 'unshare', '-q', '--cap', 'CAP_SYS_ADMIN', '--kernel', '6.1']);
    expect(admin.out).toContain('-> ALLOW');
  });
});

describe('--profile with every input kind and command (issue: optimiser, second round)', () => {
  it('compile and stats take a syscall mix for a policy, a profile and (stats) a raw filter', async () => {
    const mix = file('mix.tsv', 'read\t0.5\nwrite\t0.5\n');
    const examplePolicy = join(ROOT, 'examples', 'web-server.policy');
    const raw = join(dir, 'mix.bpf');
    const runs = await Promise.all([
      run(['compile', DOCKER, '--profile', mix, '-o', join(dir, 'mix-docker.bpf')]),
      run(['compile', examplePolicy, '--profile', mix, '-o', raw]),
      run(['stats', DOCKER, '--profile', mix]),
      run(['stats', examplePolicy, '--profile', mix]),
    ]);
    for (const r of runs) expect([r.code, r.stderr]).toEqual([0, '']);
    const stats = await run(['stats', raw, '--profile', mix]);
    expect([stats.code, stats.stderr]).toEqual([0, '']);
    expect(stats.out).toContain(`profile:            ${mix}`);
    // The mix lays the dispatch out: read and write come first, in the fewest instructions.
    const laid = readFileSync(join(dir, 'mix-docker.bpf'));
    expect((await run(['compile', DOCKER, '-o', join(dir, 'plain-docker.bpf')])).code).toBe(0);
    const plain = readFileSync(join(dir, 'plain-docker.bpf'));
    const cost = (bytes: Buffer, nr: number): number => emulate(decodeProgram(bytes)!, { nr, arch: 0xc000003e, args: [] }).trace.length;
    expect(cost(laid, 0) + cost(laid, 1)).toBeLessThanOrEqual(cost(plain, 0) + cost(plain, 1));
  });
});
