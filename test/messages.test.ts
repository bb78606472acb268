/**
 * The messages a new user meets first: the argument names people type (the man pages'), `=` for
 * `==`, a string where a value goes, names of other architectures' syscalls, a rule written twice,
 * a policy given to `disasm`, and profile options given where no profile is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/compile.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { runCli } from './support/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The diagnostics of one rule after `default errno(EPERM)`, as `CODE message | hint`. */
function messages(rule: string): string[] {
  const result = compilePolicy(`default errno(EPERM)\n${rule}\n`, { path: 'p.policy' });
  return result.diagnostics.map((d: Diagnostic) => `${d.code} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);
}

describe('argument names as the man pages spell them', () => {
  it.each([
    ['socket', 'domain', 'family'],
    ['clone', 'flags', 'clone_flags'],
    ['ioctl', 'request', 'cmd'],
    ['openat', 'path', 'filename'],
    ['openat', 'pathname', 'filename'],
    ['openat', 'dirfd', 'dfd'],
    ['mmap', 'length', 'len'],
    ['kill', 'signal', 'sig'],
  ])('%s(%s …) suggests the kernel\'s `%s`', (syscall, typed, kernel) => {
    const [message] = messages(`allow ${syscall} if ${typed} == 1`);
    expect(message).toMatch(new RegExp(`^SC2003 unknown name \`${typed}\`: ${syscall}\\(.*\\) calls this argument \`${kernel}\` \\| did you mean \`${kernel}\`\\?`));
  });

  it('an alias is suggested only for a syscall that has the argument; other names keep the usual suggestion', () => {
    expect(messages('allow read if domain == 1')[0]).toMatch(/^SC2003 unknown name `domain`: not an argument of read/);
    expect(messages('allow read if constructor == 1')[0]).toMatch(/^SC2003 unknown name `constructor`: not an argument of read/);
    expect(messages('allow read if fdd == 1')[0]).toMatch(/did you mean `fd`\?$/);
  });
});

describe('syntax people try', () => {
  it('`=` for `==` says so', () => {
    expect(messages('allow read if fd = 1')).toEqual(['SC1002 unexpected `=`: a comparison is written `==` | write `fd == 1`; a single `=` only appears in `define NAME = VALUE`']);
  });

  it('a string in a condition explains that seccomp cannot read memory and points to user notification', () => {
    const [message] = messages('allow openat if filename == "/etc/passwd"');
    expect(message).toMatch(/^SC1002 expected a value .* found `"\/etc\/passwd"` \| a seccomp filter sees only the address a pointer holds, never the memory behind it, so it cannot compare paths or strings; decide on them in a supervisor with a `notify` rule \(docs\/user-notification\.md\)/);
  });
});

describe('syscalls of other architectures', () => {
  it.each([
    ['socketcall', 'i386', 'on x86-64 each socket operation is a syscall of its own: `socket`, `connect`'],
    ['ipc', 'i386', 'on x86-64 each System V IPC operation is a syscall of its own'],
    ['chown32', 'i386, arm', 'x86-64 has `chown`'],
    ['fcntl64', 'i386, arm', 'x86-64 has `fcntl`'],
    ['clock_gettime64', 'i386, arm', 'x86-64 has `clock_gettime`'],
    ['_llseek', 'i386, arm', 'x86-64 has `lseek`'],
    ['sigreturn', 'i386, arm', 'x86-64 has `rt_sigreturn`'],
    ['vm86', 'i386', 'x86-64 has no such syscall: leave it out'],
    ['s390_sthyi', 'other architectures', 'x86-64 has no such syscall: leave it out'],
  ])('%s is named as %s\'s, not as a typo', (name, where, hint) => {
    const [message] = messages(`allow ${name}`);
    expect(message).toContain(`SC2001 \`${name}\` is a syscall of ${where}, not of x86-64 | ${hint}`);
  });

  it('a typo still gets the nearest name', () => {
    expect(messages('allow socketpiar')).toEqual(['SC2001 unknown syscall `socketpiar` | did you mean `socketpair`?']);
  });
});

describe('a conditional rule written twice', () => {
  it('the second never applies: a warning points at the first', () => {
    const result = compilePolicy('default errno(EPERM)\nallow read if fd == 1\nerrno(EACCES) read if fd == 1\nallow read if fd == 2\n', { path: 'p.policy' });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.span?.start, d.related?.[0]?.span.start])).toEqual([
      ['SC3004', 'this rule never applies to `read`: an earlier rule has the same condition', 57, 21],
    ]);
  });

  it('the same condition spelt otherwise counts as the same', () => {
    const result = compilePolicy('default errno(EPERM)\nallow ioctl if cmd == 0x5401\nallow ioctl if cmd == TCGETS\n', { path: 'p.policy' });
    expect(result.diagnostics.map((d) => d.message)).toEqual(['this rule never applies to `ioctl`: an earlier rule has the same condition']);
  });
});

describe('the command line', () => {
  it('disasm given a policy says to compile it', async () => {
    const result = await runCli(['disasm', 'examples/web-server.policy']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('examples/web-server.policy: error: this is text (a policy or a profile), not a compiled filter [SC5003]');
    expect(result.stderr).toContain('help: compile it first: `seccompile compile examples/web-server.policy --format asm` prints its listing');
  });

  it('--cap, --docker-default-caps and --kernel with a policy or a raw filter are usage errors in every command', async () => {
    const bpf = join(dir, 'web.bpf');
    expect((await runCli(['compile', 'examples/web-server.policy', '-o', bpf])).code).toBe(0);
    writeFileSync(join(dir, 'x'), '');
    for (const args of [
      ['compile', 'examples/web-server.policy', '--cap', 'SYS_ADMIN', '-o', join(dir, 'x.bpf')],
      ['sim', 'examples/web-server.policy', 'read', '--cap', 'SYS_ADMIN'],
      ['stats', 'examples/web-server.policy', '--kernel', '5.10'],
      ['sim', bpf, 'read', '--docker-default-caps'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/only appl(y|ies) to OCI profiles, and this input is (a policy|a compiled filter)/);
    }
  });
});

describe('argN in policies and in sim: one rule, prototype names first', () => {
  it.each([
    ['prctl', 'arg2', 1],
    ['keyctl', 'arg3', 2],
    ['arch_prctl', 'arg2', 1],
    ['read', 'arg2', 2],
    ['prctl', 'arg2_64', 2],
  ])('%s %s is register %i in a policy and in sim', async (syscall, name, register) => {
    const policy = join(dir, `${syscall}-${name}.policy`);
    writeFileSync(policy, `default allow\nerrno(99) ${syscall} if ${name} == 5\n`);
    const compiled = compilePolicy(`default allow\nerrno(99) ${syscall} if ${name} == 5\n`, { path: 'p.policy' });
    expect(compiled.ok).toBe(true);
    // The policy's rule tests the register the name means: 5 there is refused, 5 elsewhere is not.
    const sims = await Promise.all([0, 1, 2, 3].map((r) => runCli(['sim', policy, syscall, `arg${r}_64=${r === register ? 5 : 0}`, '-q'])));
    expect(sims.map((s) => s.out.trim().split(' -> ')[1])).toEqual([0, 1, 2, 3].map((r) => (r === register ? 'ERRNO(99)' : 'ALLOW')));
    // sim reads the name as the policy does.
    const byName = await runCli(['sim', policy, syscall, `${name}=5`, '-q']);
    expect(byName.out.trim().split(' -> ')[1]).toBe('ERRNO(99)');
  });

  it('sim refuses a syscall number wider than 32 bits instead of truncating it', async () => {
    const wide = await runCli(['sim', 'examples/web-server.policy', '0x100000000', '-q']);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain('the syscall number 0x100000000 does not fit 32 bits');
    const minusOne = await runCli(['sim', 'examples/web-server.policy', '-1', '-q']);
    expect(minusOne.code).toBe(0);
  });
});
