import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/compile.ts';
import { and, not, or, simplify, test as wordTest } from '../src/ir/simplify.ts';
import { FALSE, TRUE, type Cond } from '../src/ir/types.ts';

/** The IR condition of the first rule, printed compactly: offsets are seccomp_data words. */
function lowered(rule: string): string {
  const result = compilePolicy(`default allow\n${rule}`);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return show(result.filter.ir.syscalls[0]!.rules[0]!.condition);
}

function show(c: Cond): string {
  switch (c.kind) {
    case 'true':
    case 'false': return c.kind;
    case 'not': return `!${show(c.operand)}`;
    case 'and':
    case 'or': return `(${c.operands.map(show).join(c.kind === 'and' ? ' & ' : ' | ')})`;
    case 'in': return `{${c.words.map((w) => (w.mask === undefined ? `w${w.offset}` : `(w${w.offset}&0x${w.mask.toString(16)})`)).join(',')}} in {${c.values.map((t) => t.map((v) => `0x${v.toString(16)}`).join(':')).join(', ')}}`;
    case 'ranges': return `{${c.words.map((w) => (w.mask === undefined ? `w${w.offset}` : `(w${w.offset}&0x${w.mask.toString(16)})`)).join(',')}} in ${c.pieces.map((p) => p.map(([lo, hi]) => `[0x${lo.toString(16)},0x${hi.toString(16)}]`).join(':')).join(' ')}`;
    case 'test': {
      const { offset, op, mask, value } = c.test;
      const word = mask === undefined ? `w${offset}` : `(w${offset}&0x${mask.toString(16)})`;
      return `${word} ${op} 0x${value.toString(16)}`;
    }
  }
}

describe('lowering comparisons to 32-bit word tests', () => {
  // lseek(unsigned int fd @16, off_t offset @24/28, unsigned int whence @32)
  it('compares 32-bit arguments on the low word only', () => {
    expect(lowered('errno(1) lseek if fd == 3')).toBe('w16 eq 0x3');
    expect(lowered('errno(1) lseek if fd != 3')).toBe('!w16 eq 0x3');
    expect(lowered('errno(1) lseek if fd > 3')).toBe('w16 gt 0x3');
    expect(lowered('errno(1) lseek if fd >= 3')).toBe('w16 ge 0x3');
    expect(lowered('errno(1) lseek if fd < 3')).toBe('!w16 ge 0x3');
    expect(lowered('errno(1) lseek if fd <= 3')).toBe('!w16 gt 0x3');
  });

  it('compares 64-bit arguments high word first, low word on a tie', () => {
    expect(lowered('errno(1) lseek if offset == 0x100000002')).toBe('(w28 eq 0x1 & w24 eq 0x2)');
    expect(lowered('errno(1) lseek if offset > 0x100000002')).toBe('(w28 gt 0x1 | (w28 eq 0x1 & w24 gt 0x2))');
    expect(lowered('errno(1) lseek if offset >= 0x100000002')).toBe('(w28 gt 0x1 | (w28 eq 0x1 & w24 ge 0x2))');
    expect(lowered('errno(1) lseek if offset < 0x100000002')).toBe('!(w28 gt 0x1 | (w28 eq 0x1 & w24 ge 0x2))');
    expect(lowered('errno(1) lseek if offset <= 0x100000002')).toBe('!(w28 gt 0x1 | (w28 eq 0x1 & w24 gt 0x2))');
  });

  it('folds word tests that are decided by the constant', () => {
    expect(lowered('errno(1) lseek if offset >= 0x100000000')).toBe('(w28 gt 0x1 | w28 eq 0x1)');
    expect(lowered('errno(1) lseek if offset > 0xffffffff')).toBe('w28 gt 0x0');
    expect(lowered('errno(1) lseek if offset < 0x100000000')).toBe('!(w28 gt 0x1 | w28 eq 0x1)');
    expect(lowered('errno(1) lseek if offset >= 0')).toBe('true');
  });

  it('applies masks per word and the width of 16-bit arguments', () => {
    // openat(int dfd @16, filename @24, int flags @32, umode_t mode @40)
    expect(lowered('errno(1) openat if (flags & O_ACCMODE) == O_WRONLY')).toBe('(w32&0x3) eq 0x1');
    expect(lowered('errno(1) openat if flags & O_CREAT')).toBe('w32 set 0x40');
    expect(lowered('errno(1) openat if mode == 0o755')).toBe('(w40&0xffff) eq 0x1ed');
    expect(lowered('errno(1) lseek if offset & 0x100000001')).toBe('(w24 set 0x1 | w28 set 0x1)');
    expect(lowered('errno(1) lseek if (offset & 0xff00000000) == 0x100000000')).toBe('(w28&0xff) eq 0x1');
  });

  it('keeps sets as sets, one word for 32-bit arguments and two for 64-bit ones', () => {
    expect(lowered('errno(1) socket if family in {AF_INET, AF_UNIX, AF_INET}')).toBe('{w16} in {0x1, 0x2}');
    expect(lowered('errno(1) socket if family not in {AF_UNIX}')).toBe('!w16 eq 0x1');
    expect(lowered('errno(1) lseek if offset in {0x100000002, 1, 0x100000001}')).toBe('{w28,w24} in {0x0:0x1, 0x1:0x1, 0x1:0x2}');
    expect(lowered('errno(1) openat if (flags & 3) in {1, 2, 4}')).toBe('{(w32&0x3)} in {0x1, 0x2}');
    expect(lowered('errno(1) lseek if (offset & 0xff) in {1, 2}')).toBe('{(w24&0xff)} in {0x1, 0x2}');
  });

  it('merges alternatives on the same word into a set', () => {
    expect(lowered('errno(1) close if fd == 1 or fd == 3 or fd in {2, 5}')).toBe('{w16} in [0x1,0x3] [0x5,0x5]');
    expect(lowered('errno(1) lseek if fd == 1 or whence == 3 or fd == 2')).toBe('({w16} in {0x1, 0x2} | w32 eq 0x3)');
    expect(lowered('errno(1) lseek if offset == 0x100000002 or offset == 7')).toBe('{w28,w24} in {0x0:0x7, 0x1:0x2}');
  });
});

describe('rule merging', () => {
  it('makes one rule of neighbouring rules with the same action, in order', () => {
    const r = compilePolicy('default allow\nerrno(1) ioctl if cmd == 1\nerrno(1) ioctl if cmd == 2\nerrno(2) ioctl if cmd == 3\nerrno(1) ioctl if cmd == 4');
    if (!r.ok) throw new Error('no');
    const rules = r.filter.ir.syscalls[0]!.rules;
    expect(rules.map((rule) => [show(rule.condition), rule.action])).toEqual([
      ['(w24 ge 0x1 & !w24 gt 0x2)', { kind: 'errno', errno: 1 }],
      ['w24 eq 0x3', { kind: 'errno', errno: 2 }],
      ['w24 eq 0x4', { kind: 'errno', errno: 1 }],
    ]);
  });

  it('warns about rules after a run that together decides every call', () => {
    const r = compilePolicy('default allow\nerrno(1) close if fd < 5\nerrno(1) close if fd >= 5\nerrno(2) close');
    expect(r.ok && r.filter.ir.syscalls[0]!.rules).toHaveLength(1);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([['SC3004', 'this rule never applies to `close`: an earlier rule decides every call']]);
  });
});

describe('simplification', () => {
  const t = (op: 'eq' | 'gt' | 'ge' | 'set', value: number, offset = 16, mask?: number): Cond => wordTest({ offset, op, value, ...(mask === undefined ? {} : { mask }) });

  it('folds constants and flattens', () => {
    expect(and([TRUE, t('eq', 1)])).toEqual(t('eq', 1));
    expect(and([FALSE, t('eq', 1)])).toEqual(FALSE);
    expect(or([TRUE, t('eq', 1)])).toEqual(TRUE);
    expect(or([])).toEqual(FALSE);
    expect(and([])).toEqual(TRUE);
    expect(not(not(t('eq', 1)))).toEqual(t('eq', 1));
    expect(and([and([t('eq', 1), t('eq', 2, 20)]), t('eq', 3, 24)])).toMatchObject({ kind: 'and', operands: [{}, {}, {}] });
    expect(or([t('eq', 1), t('eq', 1)])).toEqual(t('eq', 1));
  });

  it('decides tests whose mask or value leaves no choice', () => {
    expect(t('eq', 4, 16, 3)).toEqual(FALSE);
    expect(t('eq', 0, 16, 0)).toEqual(TRUE);
    expect(t('gt', 0xffffffff)).toEqual(FALSE);
    expect(t('gt', 3, 16, 3)).toEqual(FALSE);
    expect(t('ge', 0)).toEqual(TRUE);
    expect(t('set', 0)).toEqual(FALSE);
    expect(t('eq', 5, 16, 0xffffffff)).toEqual({ kind: 'test', test: { offset: 16, op: 'eq', value: 5, mask: undefined } });
  });

  it('finds contradictions and tautologies on one word', () => {
    expect(and([t('eq', 1), t('eq', 2)])).toEqual(FALSE);
    expect(and([t('eq', 1), t('eq', 2, 20)])).not.toEqual(FALSE);
    expect(and([t('gt', 5), not(t('ge', 5))])).toEqual(FALSE);
    expect(and([t('ge', 5), not(t('gt', 5)), not(t('eq', 5))])).toEqual(FALSE);
    expect(or([not(t('ge', 5)), t('ge', 5)])).toEqual(TRUE);
    expect(and([t('gt', 5), not(t('gt', 7))])).toMatchObject({ kind: 'and' });
    expect(simplify({ kind: 'not', operand: { kind: 'and', operands: [t('eq', 1), t('eq', 2)] } })).toEqual(TRUE);
  });
});

describe('policy metadata', () => {
  it('records the listener flag and the oldest kernel', () => {
    const plain = compilePolicy('default errno(1)\nallow read');
    expect(plain.ok && plain.filter.ir.metadata).toEqual({ needsListener: false, flags: [], minKernel: [4, 14] }); // x32/foreign default kill_process
    const notify = compilePolicy('default allow\nx32 kill_thread\nforeign_arch kill_thread\nnotify mkdir');
    expect(notify.ok && notify.filter.ir.metadata).toEqual({ needsListener: true, flags: ['new_listener'], minKernel: [5, 0] });
    const old = compilePolicy('default allow\nx32 kill_thread\nforeign_arch errno(1)');
    expect(old.ok && old.filter.ir.metadata.minKernel).toEqual([3, 5]);
    const flagged = compilePolicy('default allow\nnotify mkdir', { flags: ['tsync', 'tsync_esrch', 'log'] });
    expect(flagged.ok && flagged.filter.ir.metadata).toEqual({ needsListener: true, flags: ['tsync', 'log', 'new_listener', 'tsync_esrch'], minKernel: [5, 7] });
  });

  it('refuses flag combinations the kernel refuses', () => {
    const tsync = compilePolicy('default allow\nnotify mkdir', { flags: ['tsync'] });
    expect(tsync.ok).toBe(false);
    expect(tsync.diagnostics[0]).toMatchObject({ code: 'SC4003' });
    expect(tsync.diagnostics[0]!.message).toContain('needs tsync_esrch');
    const killable = compilePolicy('default allow', { flags: ['wait_killable_recv'] });
    expect(killable.ok).toBe(false);
    expect(compilePolicy('default allow', { flags: ['wait_killable_recv', 'new_listener'] }).ok).toBe(true);
  });
});

describe('several comparisons of one argument', () => {
  it('become one set of values, searched together', () => {
    // socket family: everything but 38 and 40, as Docker's profile says it with three entries.
    expect(lowered('errno(1) lseek if whence <= 37 or whence == 39 or whence >= 41')).toBe('!{w32} in {0x26, 0x28}');
    expect(lowered('errno(1) lseek if offset <= 37 or offset == 39 or offset >= 41')).toBe('!{w28,w24} in {0x0:0x26, 0x0:0x28}');
    expect(lowered('errno(1) lseek if offset >= 0x100000005 and offset < 0x300000000')).toBe('{w28,w24} in [0x1,0x1]:[0x5,0xffffffff] [0x2,0x2]:[0x0,0xffffffff]');
    expect(lowered('errno(1) lseek if whence > 5 and (whence < 9 or whence == 12)')).toBe('{w32} in [0x6,0x8] [0xc,0xc]');
  });

  it('find conditions that always or never hold', () => {
    const always = compilePolicy('default allow\nerrno(1) lseek if whence < 5 or not (whence < 5)');
    expect(always.ok && always.diagnostics.map((d) => d.code)).toEqual(['SC3005']);
    const never = compilePolicy('default allow\nerrno(1) lseek if whence < 5 and whence in {7, 9}');
    expect(never.ok && never.diagnostics.map((d) => d.code)).toEqual(['SC3004']);
  });
});
