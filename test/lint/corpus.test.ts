/**
 * The project's example policies and the two shared real-world profiles (Docker's and Podman's
 * defaults), linted with every finding asserted: a change in a rule that changes what it says
 * about real policies shows up here.
 */
import { ARCHES } from '../../src/arch/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../src/diagnostics/source.ts';
import { discoverInputs } from '../../src/lint/discover.ts';
import { lintText } from '../../src/lint/engine.ts';
import { lintFiles, type RunOptions } from '../../src/lint/run.ts';
import type { FileResult } from '../../src/lint/types.ts';
import { ROOT } from '../support/cli-build.ts';
import { PROFILES_DIR } from '../oci/support.ts';

const DOCKER = join(PROFILES_DIR, 'docker-default.json');
const PODMAN = join(PROFILES_DIR, 'podman-default.json');
const KERNEL = { major: 6, minor: 1 };

function lines(results: readonly FileResult[]): string[] {
  return results.flatMap((r) => r.findings.map((f) => `${f.path.slice(ROOT.length)}:${f.span ? positionOf(f.span.file, f.span.start).line : '-'} ${f.severity} ${f.ruleId}`));
}

function profileFindings(path: string, options: RunOptions): string[] {
  const [result] = lintFiles([path], options);
  return result!.findings.map((f) => `${f.severity} ${f.ruleId} ${f.jsonPath}`);
}

describe('examples/', () => {
  const results = lintFiles(discoverInputs([join(ROOT, 'examples')]));

  it('lints every policy, and the included fragment only through its includer', () => {
    expect(results.map((r) => r.path.slice(ROOT.length))).toEqual([
      'examples/build-sandbox.policy',
      'examples/deny-list.policy',
      'examples/notify-mkdir/notify-mkdir.policy',
      'examples/portable-worker.policy',
      'examples/web-server.policy',
    ]);
  });

  it('examples/portable-worker.policy lints clean on every target', () => {
    for (const arch of ARCHES) {
      const [result] = lintFiles([join(ROOT, 'examples', 'portable-worker.policy')], { arch });
      expect(result!.findings.map((f) => `${arch.name}: ${f.ruleId} ${f.message}`)).toEqual([]);
    }
  });

  it('finds nothing left to report: the intended exceptions are suppressed, with reasons', () => {
    const active = results.flatMap((r) => r.findings.filter((f) => !f.suppression));
    expect(active).toEqual([]);
    const suppressed = results.flatMap((r) => r.findings.filter((f) => f.suppression).map((f) => `${f.path.slice(ROOT.length)} ${f.ruleId}`));
    expect(suppressed).toEqual([
      'examples/build-sandbox.policy same-as-default',
      'examples/deny-list.policy default-allow',
      'examples/notify-mkdir/notify-mkdir.policy clone-namespaces',
      'examples/notify-mkdir/notify-mkdir.policy dangerous-syscall',
      'examples/notify-mkdir/notify-mkdir.policy default-allow',
      'examples/web-server.policy same-as-default',
    ]);
  });

  it('still reports the deny-list\'s default of allow once its suppression is removed', () => {
    const path = join(ROOT, 'examples', 'deny-list.policy');
    const text = readFileSync(path, 'utf8').replace(/# seccompile-disable-next-line default-allow[^\n]*\n/, '');
    const result = lintText(text, path);
    expect(result.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['warning default-allow']);
  });
});

describe('Docker\'s default profile', () => {
  const expected = [
    // The filter's sections (x86-64, i386, x32), as the importer notes them.
    'info compiler-note $.archMap[0].architecture',
    // ioctl without a request filter, and ptrace with process_vm_* (allowed from kernel 4.8).
    'error dangerous-syscall $.syscalls[0].names[123]',
    // riscv_hwprobe: a name of none of the filter's ABIs.
    'info compiler-note $.syscalls[0].names[233]',
    'error dangerous-syscall $.syscalls[1].names[0]',
    'error dangerous-syscall $.syscalls[1].names[1]',
    'error dangerous-syscall $.syscalls[1].names[2]',
    // socket(AF_VSOCK | 1 << 32) passes `family > AF_VSOCK`, and the kernel reads AF_VSOCK
    // (test/kernel/upper-bits.test.ts shows it in the kernel).
    'error upper-bits-bypass $.syscalls[4].args[0]',
  ];

  it('without capabilities', () => {
    expect(profileFindings(DOCKER, { profile: { kernel: KERNEL } })).toEqual(expected);
  });

  it('with Docker\'s default capabilities: the same (they unlock no dangerous entry)', () => {
    expect(profileFindings(DOCKER, { profile: { kernel: KERNEL, dockerDefaultCaps: true } })).toEqual(expected);
  });

  it('with CAP_SYS_ADMIN: mount, namespaces, bpf and clone without a mask come in', () => {
    const findings = profileFindings(DOCKER, { profile: { kernel: KERNEL, dockerDefaultCaps: true, caps: ['CAP_SYS_ADMIN'] } });
    expect(findings).toContain('error clone-namespaces $.syscalls[17].names[1]');
    expect(findings.filter((f) => f.includes('dangerous-syscall $.syscalls[17]')).length).toBe(13);
  });

  it('on kernel 4.4, ptrace is not allowed (minKernel 4.8)', () => {
    expect(profileFindings(DOCKER, { profile: { kernel: { major: 4, minor: 4 } } })).toEqual([...expected.slice(0, 3), ...expected.slice(-1)]);
  });

  it('messages name the syscall and the reason', () => {
    const [result] = lintFiles([DOCKER], { profile: { kernel: KERNEL } });
    const ptrace = result!.findings.find((f) => f.jsonPath === '$.syscalls[1].names[2]')!;
    expect(ptrace.message).toMatch(/^`ptrace` is allowed whatever its arguments: it lets the process read and change other processes/);
    expect(positionOf(ptrace.span!.file, ptrace.span!.start)).toEqual({ line: 432, column: 5 });
  });
});

describe('Podman\'s default profile', () => {
  const dangerous = [69, 71, 72, 73, 131, 135, 168, 169, 170, 193, 197, 202, 215, 216, 219, 290, 355, 359];
  const expected = [
    'info compiler-note $.archMap[0].architecture',
    // names of none of the filter's ABIs (the other arch-specific names are rules on i386 now)
    'info compiler-note $.syscalls[0].names[20]',
    // futex_wait, futex_wake, futex_requeue (6.7) get EPERM; the newest syscall allowed is fchmodat2 (6.6).
    'warning new-syscall-not-enosys $.syscalls[0].action',
    // Podman relies on capabilities, not seccomp, for mount, namespaces and keyctl.
    'error clone-namespaces $.syscalls[1].names[23]',
    ...dangerous.map((n) => `error dangerous-syscall $.syscalls[1].names[${n}]`),
    'warning compiler-warning $.syscalls[16].names[6]',
    // NETLINK_AUDIT sockets are refused by `family == AF_NETLINK and protocol == NETLINK_AUDIT`
    // and allowed by `protocol != NETLINK_AUDIT`, `family != AF_NETLINK`: bit 32 gets past both.
    'error upper-bits-bypass $.syscalls[31].args[0]',
    'error upper-bits-bypass $.syscalls[31].args[1]',
    'error upper-bits-bypass $.syscalls[32].args[0]',
    'error upper-bits-bypass $.syscalls[33].args[0]',
    'error upper-bits-bypass $.syscalls[34].args[0]',
  ];

  it('without capabilities', () => {
    expect(profileFindings(PODMAN, { profile: { kernel: KERNEL } })).toEqual(expected);
  });

  it('with Docker\'s default capabilities: the same', () => {
    expect(profileFindings(PODMAN, { profile: { kernel: KERNEL, dockerDefaultCaps: true } })).toEqual(expected);
  });

  it('the futex2 finding names the syscalls and the release', () => {
    const [result] = lintFiles([PODMAN], { profile: { kernel: KERNEL } });
    const finding = result!.findings.find((f) => f.ruleId === 'new-syscall-not-enosys')!;
    expect(finding.message).toContain('`futex_requeue` (Linux 6.7), `futex_wait` (Linux 6.7) and `futex_wake` (Linux 6.7)');
    expect(finding.message).toContain('the newest is `fchmodat2`, Linux 6.6');
  });
});
