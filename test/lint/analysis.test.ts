/**
 * The lint rules' reading of a policy's IR: its verdict for concrete arguments must be the verdict
 * of the compiled filter (checked on every syscall a set of policies names, with the values their
 * conditions compare with and their neighbours), whatever kinds of condition the IR uses.
 */
import { describe, expect, it } from 'vitest';
import { emulate } from '../../src/bpf/emulate.ts';
import { compilePolicy } from '../../src/compile.ts';
import { AUDIT_ARCH_X86_64 } from '../../src/seccomp/abi.ts';
import { actionValue } from '../../src/seccomp/action.ts';
import { candidateValues, openness, reachableActions, verdict } from '../../src/lint/analysis.ts';
import { Random } from '../support/random.ts';

const POLICIES = [
  'default kill_process\nallow read if fd < 5 or (fd > 10 and fd < 20) or fd == 100\nerrno(EBADF) read\nallow write if fd in {1, 2}',
  'default errno(ENOSYS)\nallow openat if dfd == AT_FDCWD and (flags & O_ACCMODE) == O_RDONLY and not (flags & O_CREAT)\nerrno(EACCES) openat',
  'default allow\nerrno(EPERM) clone if clone_flags & (CLONE_NEWUSER | CLONE_NEWNET)\nkill_process ioctl if cmd in {TIOCSTI, TIOCLINUX}',
  'default kill_process\nallow mmap if prot <= 3 and len >= 0x1000 and len < 0x100000000\nallow pread64 if pos > 0x100000005\nallow lseek if offset != -1 and whence in {SEEK_SET, SEEK_END}',
  'default kill_process\nallow fcntl if cmd >= 1 and cmd <= 4\nallow fcntl if cmd == 1030\ntrap fcntl',
];

describe('verdict agrees with the compiled filter', () => {
  for (const [i, text] of POLICIES.entries()) {
    it(`policy ${i}`, () => {
      const result = compilePolicy(text);
      expect(result.ok, JSON.stringify(result.diagnostics.map((d) => d.message))).toBe(true);
      if (!result.ok) return;
      const { ir, program } = result.filter;
      const rng = new Random(i + 1);
      let checked = 0;
      for (const decision of ir.syscalls) {
        const values = [0, 1, 2, 3, 4, 5].map((index) => candidateValues(ir, decision.nr, index));
        for (let trial = 0; trial < 300; trial++) {
          const args = values.map((v) => (rng.chance(0.8) ? rng.pick(v) : rng.next64()));
          const expected = emulate(program, { nr: decision.nr, arch: AUDIT_ARCH_X86_64, args }).value >>> 0;
          expect(actionValue(verdict(ir, decision.nr, args).action) >>> 0, `${decision.name}(${args.join(', ')})`).toBe(expected);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('openness', () => {
  it('tells open, filtered and refused syscalls apart', () => {
    const result = compilePolicy('default errno(ENOSYS)\nallow read\nallow write if fd == 1\nerrno(EPERM) ptrace');
    if (!result.ok) throw new Error('does not compile');
    const { ir } = result.filter;
    const nr = (name: string): number => ir.syscalls.find((s) => s.name === name)?.nr ?? -1;
    expect(openness(ir, nr('read'))).toBe('open');
    expect(openness(ir, nr('write'))).toBe('filtered');
    expect(openness(ir, nr('ptrace'))).toBe('refused');
    // A syscall without rules gets the default.
    expect(openness(ir, 9999)).toBe('refused');
    expect(reachableActions(ir, nr('write')).map((a) => a.kind)).toEqual(['allow', 'errno']);
  });
});
