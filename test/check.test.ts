import { X86_64 } from '../src/arch/index.ts';
import { X32 } from '../src/arch/x32.ts';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../src/check/checked.ts';
import { compilePolicy } from '../src/compile.ts';
import type { Diagnostic } from '../src/diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../src/diagnostics/format.ts';
import type { FileHost } from '../src/parser/load.ts';

function compile(text: string, host?: FileHost) {
  return compilePolicy(text, { path: 'main.policy', ...(host ? { host } : {}) });
}

function errors(text: string, host?: FileHost): Diagnostic[] {
  const result = compile(text, host);
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error');
}

function warnings(text: string): Diagnostic[] {
  const result = compile(text);
  if (!result.ok) throw new Error(formatDiagnostics(result.diagnostics, { color: false }));
  return result.diagnostics.filter((d) => d.severity === 'warning');
}

function ruleCondition(text: string): Condition | undefined {
  const result = compile(`default allow\n${text}`);
  if (!result.ok) throw new Error(formatDiagnostics(result.diagnostics, { color: false }));
  return result.filter.policy.rules[0]!.condition;
}

function memoryHost(files: Record<string, string>): FileHost {
  return {
    resolve: (from, spec) => (from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '') + spec,
    readFile: (path) => (files[path] === undefined ? { error: 'no such file' } : { text: files[path]! }),
  };
}

describe('actions', () => {
  it.each([
    ['allow', { kind: 'allow' }], ['log', { kind: 'log' }], ['kill', { kind: 'kill_process' }], ['kill_process', { kind: 'kill_process' }],
    ['kill_thread', { kind: 'kill_thread' }], ['trap', { kind: 'trap', data: 0 }], ['trap(65535)', { kind: 'trap', data: 65535 }],
    ['errno(EPERM)', { kind: 'errno', errno: 1 }], ['errno(4095)', { kind: 'errno', errno: 4095 }], ['errno(0)', { kind: 'errno', errno: 0 }],
    ['errno(EACCES + 0)', { kind: 'errno', errno: 13 }], ['trace(7)', { kind: 'trace', data: 7 }], ['trace', { kind: 'trace', data: 0 }], ['notify', { kind: 'notify' }],
  ])('%s', (text, action) => {
    const result = compile(`default ${text}`);
    expect(result.ok && result.filter.policy.defaultAction).toEqual(action);
  });

  it('rejects bad action arguments', () => {
    expect(errors('default errno(4096)')[0]!.message).toBe('errno 4096 is out of range 0..4095');
    expect(errors('default errno(-1)')[0]!.message).toBe('errno -1 is out of range 0..4095');
    expect(errors('default errno')[0]!.message).toBe('`errno` needs a value');
    expect(errors('default allow(1)')[0]!.message).toBe('`allow` takes no argument');
    expect(errors('default trap(65536)')[0]!.message).toBe('trap data 65536 is out of range 0..65535');
    expect(errors('default errno(EPREM)')[0]).toMatchObject({ code: 'SC2003', hint: 'did you mean `EPERM`?' });
  });

  it('defaults x32 and foreign-arch calls to kill_process and lets the policy choose', () => {
    const plain = compile('default allow');
    expect(plain.ok && [plain.filter.policy.x32Action, plain.filter.policy.foreignArchAction]).toEqual([{ kind: 'kill_process' }, { kind: 'kill_process' }]);
    const chosen = compile('default allow\nx32 errno(ENOSYS)\nforeign_arch trap');
    expect(chosen.ok && [chosen.filter.policy.x32Action, chosen.filter.policy.foreignArchAction]).toEqual([{ kind: 'errno', errno: 38 }, { kind: 'trap', data: 0 }]);
  });

  it('requires exactly one default', () => {
    expect(errors('allow read')[0]).toMatchObject({ code: 'SC3001', message: 'the policy has no `default` action' });
    expect(errors('')[0]).toMatchObject({ code: 'SC3001', message: 'the policy is empty' });
    expect(errors('# only a comment\n')[0]!.code).toBe('SC3001');
    const twice = errors('default allow\ndefault kill');
    expect(twice[0]).toMatchObject({ code: 'SC3002' });
    expect(twice[0]!.related![0]!.message).toBe('first given here');
    expect(errors('default allow\nx32 kill\nx32 allow')[0]!.code).toBe('SC3008');
  });
});

describe('syscalls', () => {
  it('resolves user-facing names and numbers', () => {
    const result = compile('default allow\nerrno(1) fstat, newfstatat, 5, 999');
    expect(result.ok && result.filter.policy.rules.map((r) => [r.syscall.name, r.syscall.nr])).toEqual([['fstat', 5], ['newfstatat', 262], ['syscall_999', 999]]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SC3003']); // fstat and 5 are the same syscall
  });

  it('suggests names for unknown syscalls', () => {
    expect(errors('default allow\nallow opne')[0]).toMatchObject({ code: 'SC2001', message: 'unknown syscall `opne`', hint: 'did you mean `open`?' });
    expect(errors('default allow\nallow newfstat')[0]!.hint).toBe('did you mean `fstat`?');
    expect(errors('default allow\nallow xyzzy_plugh')[0]!.hint).toBe('name a syscall from the x86-64 table, or give its number');
  });

  it('knows the width of every parameter type in the table', () => {
    // Parameters are described lazily: an unknown type would only show when a policy names it.
    const described = [...X86_64.syscalls.all(), ...X32.syscalls.all()].flatMap((s) => s.args.map((a) => `${a.width}${a.pointer ? '*' : ''}`));
    expect(described.length).toBeGreaterThan(1000);
    expect(new Set(described)).toEqual(new Set(['16', '32', '64', '64*']));
  });

  it('rejects x32 and out-of-range numbers', () => {
    expect(errors('default allow\nallow 0x40000001')[0]!.message).toContain('is an x32 number');
    expect(errors('default allow\nallow 0x100000000')[0]!.message).toContain('out of range');
  });
});

describe('conditions', () => {
  it('resolves argument names per syscall, and argN', () => {
    const result = compile('default allow\nerrno(1) open, openat if flags & O_CREAT');
    expect(result.ok).toBe(true);
    const indexes = result.ok && result.filter.policy.rules.map((r) => r.condition!.kind === 'bits' && r.condition!.operand.arg.index);
    expect(indexes).toEqual([1, 2]);
    expect(ruleCondition('allow lseek if arg2 == 1')).toMatchObject({ kind: 'compare', operand: { arg: { name: 'whence', width: 32 } } });
  });

  it('reduces values to the argument width', () => {
    // fd is `unsigned int`: -1 is 0xffffffff; lseek's offset is `off_t`: -1 is 2^64-1.
    expect(ruleCondition('allow close if fd == -1')).toMatchObject({ value: 0xffffffffn });
    expect(ruleCondition('allow lseek if offset == -1')).toMatchObject({ value: 0xffffffffffffffffn });
    // readv's fd is declared `unsigned long`, but the kernel reads it as an `unsigned int`.
    expect(ruleCondition('allow readv if fd == -1')).toMatchObject({ value: 0xffffffffn, operand: { arg: { width: 32 } } });
    expect(ruleCondition('allow openat if dfd == AT_FDCWD')).toMatchObject({ value: 0xffffff9cn });
    expect(ruleCondition('allow mkdirat if mode == -1')).toMatchObject({ value: 0xffffn, operand: { arg: { width: 16 } } });
    expect(ruleCondition('allow openat if flags & ~O_CREAT')).toMatchObject({ kind: 'bits', operand: { mask: 0xffffffbfn } });
  });

  it('rejects values beyond the width', () => {
    expect(errors('default allow\nallow close if fd == 0x100000000')[0]).toMatchObject({
      code: 'SC2005', message: 'value 0x100000000 does not fit the 32-bit argument `fd` (unsigned int): the kernel reads only the low 32 bits',
    });
    expect(errors('default allow\nallow close if fd == -0x80000001')[0]!.code).toBe('SC2005');
    expect(errors('default allow\nallow mkdirat if mode == 0x10000')[0]!.code).toBe('SC2005');
    expect(errors('default allow\nallow lseek if offset == 0xffffffffffffffff + 1')[0]!.code).toBe('SC2005');
  });

  it('flips constants on the left', () => {
    expect(ruleCondition('allow close if 3 < fd')).toMatchObject({ op: '>', value: 3n });
  });

  it('turns sets and bare operands into conditions', () => {
    expect(ruleCondition('allow socket if family in {AF_UNIX, AF_INET}')).toMatchObject({ kind: 'in', values: [1n, 2n] });
    expect(ruleCondition('allow socket if family not in {AF_UNIX}')).toMatchObject({ kind: 'not', operand: { kind: 'in' } });
    expect(ruleCondition('allow close if fd')).toMatchObject({ kind: 'compare', op: '!=', value: 0n });
    expect(ruleCondition('allow openat if (flags & O_ACCMODE) & 1')).toMatchObject({ kind: 'bits', operand: { mask: 1n } });
  });

  it('evaluates constant expressions exactly', () => {
    expect(ruleCondition('allow close if fd == (1 << 4 | 0b11) ^ 0o7')).toMatchObject({ value: 0x14n });
    expect(ruleCondition('allow lseek if offset == ~0 - 1')).toMatchObject({ value: 0xfffffffffffffffen });
    expect(ruleCondition('allow lseek if offset == 0x8000_0000_0000_0000 >> 4')).toMatchObject({ value: 0x0800000000000000n });
  });

  it('uses defines, in order, and refuses redefinition', () => {
    expect(ruleCondition('define A = 3\ndefine B = A << 1\nallow close if fd == B')).toMatchObject({ value: 6n });
    const redefined = errors('default allow\ndefine A = 1\ndefine A = 2');
    expect(redefined[0]).toMatchObject({ code: 'SC2008' });
    expect(errors('default allow\ndefine A = B')[0]).toMatchObject({ code: 'SC2003', message: 'unknown name `B`' });
    expect(errors('default allow\ndefine A = fd')[0]!.code).toBe('SC2003');
  });

  it('rejects what a filter cannot test', () => {
    expect(errors('default allow\nallow close if fd + 1 == 3')[0]!.code).toBe('SC2007');
    expect(errors('default allow\nallow close if ~fd == 3')[0]!.code).toBe('SC2007');
    expect(errors('default allow\nallow lseek if fd == whence')[0]!.message).toBe('two arguments cannot be compared with each other');
    expect(errors('default allow\nallow close if 1')[0]!.message).toBe('expected a condition, found a constant');
    expect(errors('default allow\nallow close if 1 == 1')[0]!.code).toBe('SC2006');
    expect(errors('default allow\nallow close if (fd == 1) == 1')[0]!.code).toBe('SC2006');
    expect(errors('default allow\nallow close if fd == 1 << 64')[0]!.message).toBe('shift by 64: shifts take 0..63');
    expect(errors('default allow\nallow close if fd in {flags}')[0]!.code).toBe('SC2003');
  });

  it('explains unknown names with suggestions', () => {
    const [d] = errors('default allow\nallow openat if flgs & O_CREAT');
    expect(d!.message).toBe('unknown name `flgs`: not an argument of openat(int dfd, const char __user * filename, int flags, umode_t mode) and not a constant');
    expect(d!.hint).toBe('did you mean `flags`?');
    expect(errors('default allow\nallow openat if flags & O_CRAET')[0]!.hint).toBe('did you mean `O_CREAT`?');
    expect(errors('default allow\nallow close if arg6 == 0')[0]!.message).toContain('at most 6 arguments');
  });

  it('warns about unsigned comparisons with negative numbers and unused argument registers', () => {
    expect(warnings('default allow\nallow close if fd < -1').map((d) => d.code)).toEqual(['SC2011']);
    expect(warnings('default allow\nallow getpid if arg0 == 1')[0]).toMatchObject({ code: 'SC2014', message: '`getpid` takes no arguments: the kernel ignores arg0' });
  });
});

describe('rule analysis', () => {
  it('reports rules that never apply and conditions that always hold', () => {
    const found = warnings('default allow\nerrno(1) read\nerrno(2) read if fd == 1\nerrno(3) close if fd == 1 and fd == 2\nerrno(4) close if fd < 5 or fd >= 5');
    expect(found.map((d) => [d.code, d.message])).toEqual([
      ['SC3004', 'this rule never applies to `read`: an earlier rule decides every call'],
      ['SC3004', 'this rule never applies to `close`: its condition can never hold'],
      ['SC3005', 'the condition always holds for `close`'],
    ]);
    expect(found[0]!.related![0]!.message).toBe('decided here');
  });

  it('warns about a syscall listed twice in one rule', () => {
    expect(warnings('default allow\nerrno(1) read, write, read')[0]).toMatchObject({ code: 'SC3003', message: '`read` is listed twice in this rule' });
  });
});

describe('include', () => {
  it('reads files relative to the includer, once each', () => {
    const host = memoryHost({
      'dir/a.policy': 'include "sub/b.policy"\ninclude "sub/b.policy"\nallow read',
      'dir/sub/b.policy': 'define X = 7\nerrno(X) write',
    });
    const result = compilePolicy('default kill\ninclude "a.policy"\nerrno(X) close', { path: 'dir/main.policy', host });
    expect(result.ok && result.filter.policy.rules.map((r) => [r.syscall.name, r.action])).toEqual([
      ['write', { kind: 'errno', errno: 7 }], ['read', { kind: 'allow' }], ['close', { kind: 'errno', errno: 7 }],
    ]);
  });

  it('reports cycles with the chain, and missing files', () => {
    const host = memoryHost({ 'a.policy': 'include "b.policy"', 'b.policy': 'include "a.policy"' });
    const [cycle] = errors('default allow\ninclude "a.policy"', host);
    expect(cycle).toMatchObject({ code: 'SC3006', message: 'include cycle: a.policy → b.policy → a.policy' });
    expect(errors('default allow\ninclude "missing.policy"', host)[0]).toMatchObject({ code: 'SC3007', message: 'cannot include missing.policy: no such file' });
    expect(errors('default allow\ninclude "main.policy"', host)[0]!.message).toBe('include cycle: main.policy → main.policy');
  });

  it('reports syntax errors inside included files at their place', () => {
    const host = memoryHost({ 'bad.policy': 'allow read,' });
    const [d] = errors('default allow\ninclude "bad.policy"', host);
    expect(d!.span!.file.path).toBe('bad.policy');
  });
});

describe('argument names inside sets', () => {
  it('a set element that names an argument is an error, as `fd == fd` is, even when a define has the name', () => {
    const [error] = errors('default allow\ndefine fd = 5\nerrno(1) close if fd in {fd}');
    expect(error).toMatchObject({ code: 'SC2007', message: 'an argument cannot be an element of a set: sets hold constants' });
    expect(errors('default allow\ndefine fd = 5\nerrno(1) close if fd == fd')[0]).toMatchObject({ code: 'SC2007' });
  });

  it('for each syscall of the rule: the define is a constant only where no argument has its name', () => {
    // `count` is an argument of read, not of close: an error for read only.
    const found = errors('default allow\ndefine count = 3\nerrno(1) close, read if fd in {count, 7}');
    expect(found.map((d) => [d.code, d.hint])).toEqual([['SC2007', expect.stringMatching(/^`count` names an argument of read\(/)]]);
    const condition = ruleCondition('define count = 3\nerrno(1) close if fd in {count, 7}');
    expect(condition).toMatchObject({ kind: 'in', values: [3n, 7n] });
  });
});

describe('checks that stay linear', () => {
  it('a syscall listed many times in one rule gets one warning, with the count, at its second place', () => {
    const text = `default allow\nerrno(1) ${Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 'read' : 'write')).join(', ')}`;
    const found = warnings(text);
    expect(found.map((d) => d.message)).toEqual(['`read` is listed 2500 times in this rule', '`write` is listed 2500 times in this rule']);
    expect(found.map((d) => [d.span?.start, d.related?.[0]?.span.start])).toEqual([[text.indexOf('read, write, read') + 13, text.indexOf('read')], [text.indexOf('write, read, write') + 13, text.indexOf('write')]]);
  });

  it('`in` tests count towards the 1,000 operators of an expression, so a chain of them stops before it is checked', () => {
    const chain = Array.from({ length: 1001 }, (_, i) => `fd in {${i}}`).join(' or ');
    expect(errors(`default allow\nerrno(1) read if ${chain}`).map((d) => [d.code, d.message])).toEqual([['SC1005', 'more than 1000 operators in one expression']]);
  });

  it('a long chain of one logical operator is one node with every operand, in order', () => {
    const condition = ruleCondition(`errno(1) read if ${Array.from({ length: 900 }, (_, i) => `fd == ${i}`).join(' or ')}`);
    expect(condition?.kind).toBe('or');
    const operands = (condition as unknown as { operands: { value: bigint }[] }).operands;
    expect(operands.map((o) => o.value)).toEqual(Array.from({ length: 900 }, (_, i) => BigInt(i)));
  });
});
