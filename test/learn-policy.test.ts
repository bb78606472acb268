/**
 * `seccompile learn` without a kernel: the helper's records read into a run, the run written as a
 * policy (groups, order, counts, --default, --args conditions with constant names and argument
 * widths, --merge, --profile), and every policy written compiles without a diagnostic and means
 * what it says, checked in the emulator.
 */
import { archByName, X86_64 } from '../src/arch/index.ts';
import { describe, expect, it } from 'vitest';
import { x86_64Call, emulate } from '../src/bpf/emulate.ts';
import { compilePolicy } from '../src/compile.ts';
import { createSourceFile } from '../src/diagnostics/source.ts';
import { resolvedTracking, TRACKED_ARGUMENTS } from '../src/learn/args.ts';
import { topicOf, TOPICS } from '../src/learn/topics.ts';
import { learnedPolicy, learnedProfile, mergeLearned, shellQuote } from '../src/learn/policy.ts';
import { parseRecords, RecordReader, type LearnedRun } from '../src/learn/records.ts';
import { lintText } from '../src/lint/engine.ts';
import { parseProfile } from '../src/optimize/profile.ts';
import { RET_ALLOW } from '../src/seccomp/action.ts';
import { groupSyscalls } from '../src/syscalls/groups.ts';

const EPERM_VERDICT = 0x00050001;

function nr(name: string): number {
  const syscall = X86_64.syscalls.byName(name);
  if (!syscall) throw new Error(`no syscall ${name}`);
  return syscall.nr;
}

/** A record stream as the helper writes it. */
function stream(options: { counts: Record<string, number>; values?: { name: string; arg: number; values: bigint[]; overflow?: boolean }[]; foreign?: string; exit?: string }): string {
  const lines = ['{"t":"hello","protocol":1,"pid":10}', '{"t":"ready","pid":11}', '{"t":"task","tid":11,"tgid":11}', '{"t":"exec","tid":11,"path":"/bin/prog"}', '{"t":"exec","tid":12,"path":"/bin/prog"}'];
  for (const v of options.values ?? []) {
    for (const value of v.values) lines.push(JSON.stringify({ t: 'value', nr: nr(v.name), arg: v.arg, value: `0x${value.toString(16)}` }));
  }
  lines.push(options.exit ?? '{"t":"exit","code":0}');
  const pairs = Object.entries(options.counts).map(([name, count]) => [/^\d+$/.test(name) ? Number(name) : nr(name), count]);
  lines.push(JSON.stringify({ t: 'counts', arch: 'x86_64', counts: pairs }));
  if (options.foreign) lines.push(options.foreign);
  for (const v of options.values ?? []) {
    const union = v.values.reduce((a, b) => a | b, 0n);
    lines.push(JSON.stringify({ t: 'values', nr: nr(v.name), arg: v.arg, count: v.values.length, union: `0x${union.toString(16)}`, overflow: v.overflow ?? false }));
  }
  const calls = Object.values(options.counts).reduce((a, b) => a + b, 0);
  lines.push(`{"t":"done","calls":${calls},"distinct":${pairs.length},"processes":2,"threads":3,"interrupted":0,"timed_out":false,"elapsed_ms":5,"status":0}`);
  return `${lines.join('\n')}\n`;
}

const BASIC = { execve: 1, read: 10, write: 4, close: 7, openat: 3, mmap: 12, mprotect: 2, exit_group: 1, getdents64: 2, socket: 2, clone: 2, fcntl: 3, ioctl: 2, prctl: 1 };

function run(options: Parameters<typeof stream>[0]): LearnedRun {
  return parseRecords(stream(options));
}

function write(learned: LearnedRun, extra: { args?: boolean; defaultAction?: string } = {}): string {
  return learnedPolicy(learned, { defaultAction: extra.defaultAction ?? 'errno(EPERM)', args: extra.args ?? false, command: ['prog', '--flag', 'two words'], version: '0.0.test' });
}

/** Compiles and insists on no diagnostic at all. */
function compileClean(text: string) {
  const result = compilePolicy(text, { path: 'learned.policy' });
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  if (!result.ok) throw new Error('did not compile');
  return result.filter;
}

function verdict(program: ReturnType<typeof compileClean>['program'], name: string, args: bigint[] = []): number {
  return emulate(program, x86_64Call(nr(name), args)).value >>> 0;
}

describe('records', () => {
  it('reads counts, programs, the exit and the totals', () => {
    const learned = run({ counts: BASIC });
    expect(learned.complete).toBe(true);
    expect(learned.protocol).toBe(1);
    expect(learned.counts.get(nr('read'))).toBe(10);
    expect(learned.counts.size).toBe(Object.keys(BASIC).length);
    expect(learned.programs).toEqual(['/bin/prog']);
    expect(learned.exit).toEqual({ code: 0 });
    expect({ processes: learned.processes, threads: learned.threads }).toEqual({ processes: 2, threads: 3 });
  });

  it('gives the same run whatever the chunks the stream arrives in', () => {
    const text = stream({ counts: BASIC, values: [{ name: 'socket', arg: 0, values: [1n, 2n] }] });
    const whole = parseRecords(text);
    const reader = new RecordReader();
    for (let at = 0; at < text.length; at += 7) reader.push(text.slice(at, at + 7));
    const chunked = reader.result();
    expect([...chunked.counts]).toEqual([...whole.counts]);
    expect([...chunked.values]).toEqual([...whole.values]);
  });

  it('keeps other ABIs apart and drops numbers no x86-64 call has', () => {
    const learned = parseRecords(stream({ counts: { read: 1 }, foreign: '{"t":"counts","arch":"i386","counts":[[5,2]]}' }).replace('[[0,1]]', '[[0,1],[4294967295,3]]'));
    expect([...learned.counts]).toEqual([[0, 1]]);
    expect([...(learned.foreign.get('i386') ?? [])]).toEqual([[5, 2]]);
  });

  it('reports progress records as they come, and keeps lines that are not records aside', () => {
    const seen: number[] = [];
    const reader = new RecordReader((p) => seen.push(p.calls));
    reader.push('{"t":"progress","calls":5,"distinct":2,"processes":1,"threads":1}\nnot json\n{"t":"progress","calls":9,"distinct":3,"processes":1,"threads":1}\n');
    expect(seen).toEqual([5, 9]);
    expect(reader.garbage).toEqual(['not json']);
  });
});

describe('the learned policy', () => {
  const learned = run({ counts: BASIC });
  const text = write(learned);

  it('compiles without errors or warnings and allows exactly the syscalls seen', () => {
    const filter = compileClean(text);
    for (const name of Object.keys(BASIC)) expect(verdict(filter.program, name), name).toBe(RET_ALLOW);
    for (const name of ['mkdir', 'ptrace', 'getpriority', 'unlinkat']) expect(verdict(filter.program, name), name).toBe(EPERM_VERDICT);
  });

  it('says default errno(EPERM), lists syscalls under group headings, sorted, with their counts', () => {
    expect(text).toMatch(/^default errno\(EPERM\)$/m);
    expect(text).toMatch(/^allow read +# 10 calls$/m);
    expect(text).toMatch(/^allow execve +# 1 call$/m);
    const rules = text.split('\n').filter((l) => l.startsWith('allow '));
    // And rt_sigreturn, which every program needs, seen or not.
    expect(rules).toHaveLength(Object.keys(BASIC).length + 1);
    expect(text).toMatch(/^allow rt_sigreturn +# 0 calls; not seen in this run; every signal handler returns through it/m);
    // Within each topic, names are sorted; topics come in their fixed order.
    const topics = text.split('\n\n').filter((block) => block.startsWith('# ') && block.includes('\nallow '));
    for (const block of topics) {
      const names = block.split('\n').filter((l) => l.startsWith('allow ')).map((l) => l.split(/\s+/)[1]!);
      expect(names).toEqual([...names].sort());
      const title = block.split('\n')[0]!.slice(2);
      for (const name of names) expect(topicOf(name)).toBe(title);
    }
    expect(text.indexOf('# Processes and threads')).toBeLessThan(text.indexOf('# Memory'));
  });

  it('describes the run in its header, as comments that stay comments', () => {
    expect(text).toContain("#   prog --flag 'two words'");
    expect(text).toContain('# Programs executed: /bin/prog');
    expect(text).toContain('from 2 processes and 3 threads; the command exited with status 0.');
    const evil = learnedPolicy(learned, { defaultAction: 'errno(EPERM)', args: false, command: ['sh', '-c', 'echo hi\nallow ptrace'], version: 'x' });
    expect(evil).not.toMatch(/^allow ptrace/m);
    compileClean(evil);
  });

  it('takes another default action', () => {
    const killing = write(learned, { defaultAction: 'kill_process' });
    expect(killing).toMatch(/^default kill_process$/m);
    compileClean(killing);
  });

  it('allows a syscall the table does not know by its number', () => {
    const text = write(run({ counts: { read: 1, 1000: 4 } }));
    expect(text).toMatch(/^allow 1000 +# 4 calls; not in seccompile's syscall table$/m);
    compileClean(text);
  });

  it('writes calls through the i386 ABI as an arch block, for a filter of x86_64 and i386', () => {
    const text = write(parseRecords(stream({ counts: { read: 1 }, foreign: '{"t":"counts","arch":"i386","counts":[[5,2],[4,1]]}' })));
    expect(text).toContain('# Also 3 calls through the i386 ABI, `int $0x80`: numbers 4, 5. The `arch i386` block at the end allows them in a filter compiled with `--arch x86_64,i386`; a filter for x86_64 alone gives them the `foreign_arch` action.');
    expect(text).toMatch(/\narch i386 \{\n  allow write, open\n\}\n$/);
    compileClean(text);
    // Compiled for both ABIs, i386's open (5) is allowed and i386's close (6) is not.
    const both = compilePolicy(text, { arches: [archByName('x86_64')!, archByName('i386')!] });
    expect(both.ok).toBe(true);
    if (!both.ok) return;
    const verdict = (nr: number) => emulate(both.filter.program, { arch: 0x40000003, nr, args: [] }).value >>> 0;
    expect([verdict(5), verdict(4)]).toEqual([0x7fff0000, 0x7fff0000]);
    expect(verdict(6)).not.toBe(0x7fff0000);
  });

  it('writes x32 calls by x32 names; calls of other architectures stay a note', () => {
    const text = write(parseRecords(stream({ counts: { read: 1 }, foreign: '{"t":"counts","arch":"x32","counts":[[0,1],[39,2]]}\n{"t":"counts","arch":"other","counts":[[63,1]]}' })));
    expect(text).toMatch(/\narch x32 \{\n  allow read, getpid\n\}\n$/);
    expect(text).toContain('# Also 1 call of another architecture (they get the `foreign_arch` action): numbers 63. No rule can allow them.');
    compileClean(text);
  });
});

describe('--args', () => {
  const HIGH = 0xffffffff_00000000n; // garbage a C library may leave above a 32-bit argument
  const learned = run({
    counts: BASIC,
    values: [
      { name: 'socket', arg: 0, values: [1n, 2n | HIGH, 2n] },
      { name: 'fcntl', arg: 1, values: [1n, 2n, 1030n, 6n] },
      { name: 'ioctl', arg: 1, values: [0x5401n, 0x541bn, 0x12345678n] },
      { name: 'prctl', arg: 0, values: [15n] },
      { name: 'clone', arg: 0, values: [0x1200011n, 0x3d0f00n] },
      { name: 'mmap', arg: 2, values: [0n, 1n, 3n, 5n] },
      { name: 'mprotect', arg: 2, values: [1n] },
    ],
  });
  const text = write(learned, { args: true });
  const filter = compileClean(text);

  it('names values with the constants of the right family, one name per value', () => {
    expect(text).toMatch(/^allow socket if family in \{AF_UNIX, AF_INET\} +# 2 calls$/m);
    expect(text).toContain('allow fcntl if cmd in {F_GETFD, F_SETFD, F_SETLK, F_DUPFD_CLOEXEC}');
    expect(text).toContain('allow ioctl if cmd in {TCGETS, FIONREAD, 0x12345678}');
    expect(text).toContain('allow prctl if option == PR_SET_NAME');
    expect(text).toContain('allow mmap if prot in {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC}');
    expect(text).toContain('allow mprotect if prot == PROT_READ');
  });

  it('writes clone flags as the union of the bits seen, with the exit signal by name', () => {
    expect(text).toContain(
      'allow clone if not (clone_flags & ~(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD))',
    );
  });

  it('compares 32-bit arguments on their low word', () => {
    expect(verdict(filter.program, 'socket', [2n])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'socket', [2n | HIGH])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'socket', [10n])).toBe(EPERM_VERDICT); // AF_INET6, never seen
    expect(verdict(filter.program, 'fcntl', [0n, 4n])).toBe(EPERM_VERDICT); // F_SETFL
    expect(verdict(filter.program, 'fcntl', [0n, 1030n | HIGH])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'ioctl', [0n, 0x5412n])).toBe(EPERM_VERDICT); // TIOCSTI
    expect(verdict(filter.program, 'prctl', [22n])).toBe(EPERM_VERDICT); // PR_SET_SECCOMP
  });

  it('lets clone combine the bits seen but refuses any other bit', () => {
    expect(verdict(filter.program, 'clone', [0x1200011n])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'clone', [0x3d0f00n])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'clone', [0x100n | 0x11n])).toBe(RET_ALLOW); // CLONE_VM | SIGCHLD
    expect(verdict(filter.program, 'clone', [0x10000000n | 0x11n])).toBe(EPERM_VERDICT); // CLONE_NEWUSER
    // The legacy clone reads only the low 32 bits of its flags (kernel/fork.c, lower_32_bits): bit
    // 32 (CLONE_CLEAR_SIGHAND, clone3's) is ignored, so the call is clone(0), within the bits seen.
    expect(verdict(filter.program, 'clone', [0x1n << 32n])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'clone', [(0x1n << 32n) | 0x10000000n])).toBe(EPERM_VERDICT);
  });

  it('allows the protections seen, not their union: no writable and executable memory', () => {
    expect(verdict(filter.program, 'mmap', [0n, 0n, 5n])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'mmap', [0n, 0n, 7n])).toBe(EPERM_VERDICT);
    expect(verdict(filter.program, 'mprotect', [0n, 0n, 3n])).toBe(EPERM_VERDICT);
  });

  it('writes no condition when too many values were seen, and says so', () => {
    const many = write(run({ counts: { ioctl: 300 }, values: [{ name: 'ioctl', arg: 1, values: [1n, 2n], overflow: true }] }), { args: true });
    expect(many).toMatch(/^allow ioctl +# 300 calls; more than 2 distinct cmd values: no condition$/m);
    compileClean(many);
  });

  it('records only plain arguments, never pointers, each with its width', () => {
    const tracked = resolvedTracking();
    expect(tracked).toHaveLength(TRACKED_ARGUMENTS.length);
    for (const t of tracked) expect(t.arg.pointer, `${t.syscall}(${t.arg.name})`).toBe(false);
    expect(Object.fromEntries(tracked.map((t) => [`${t.syscall}.${t.arg.name}`, t.arg.width]))).toMatchObject({ 'socket.family': 32, 'fcntl.cmd': 32, 'ioctl.cmd': 32, 'prctl.option': 32, 'clone.clone_flags': 32, 'mmap.prot': 64 });
  });
});

describe('learned policies pass lint, its rules unchanged', () => {
  /** Findings lint reports (not suppressed), as `rule: message`. */
  function lintFindings(text: string): string[] {
    return lintText(text, 'learned.policy').findings.filter((f) => !f.suppression).map((f) => `${f.ruleId}: ${f.message}`);
  }
  const IOCTL_CMD = 1;
  const CLONE_FLAGS = 0;
  const TCGETS = 0x5401n;
  const FORK_FLAGS = 0x1200011n; // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
  const values = [{ name: 'ioctl', arg: IOCTL_CMD, values: [TCGETS] }, { name: 'clone', arg: CLONE_FLAGS, values: [FORK_FLAGS] }];

  it('without --args: ioctl, clone and personality still get conditions on what lint checks, rt_sigreturn is allowed, the default is ENOSYS', () => {
    const learned = run({ counts: { ...BASIC, personality: 1 }, values: [...values, { name: 'personality', arg: 0, values: [0xffffffffn] }] });
    const text = learnedPolicy(learned, { defaultAction: 'errno(ENOSYS)', args: false, command: ['prog'], version: '0.0.test' });
    expect(lintFindings(text)).toEqual([]);
    expect(text).toMatch(/^allow ioctl if cmd == TCGETS +# 2 calls$/m);
    expect(text).toMatch(/^allow clone if not \(clone_flags & ~\(CLONE_CHILD_CLEARTID \| CLONE_CHILD_SETTID \| SIGCHLD\)\) +# 2 calls$/m);
    expect(text).toMatch(/^allow personality if personality == 0xffffffff +# 1 call$/m);
    // Arguments lint does not ask about stay open without --args.
    expect(text).toMatch(/^allow socket +# 2 calls$/m);
    const filter = compileClean(text);
    expect(verdict(filter.program, 'ioctl', [3n, 0x5412n])).toBe(0x50026); // TIOCSTI: ENOSYS
    expect(verdict(filter.program, 'ioctl', [3n, TCGETS])).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'rt_sigreturn')).toBe(RET_ALLOW);
  });

  it('clone3, whose flags no filter reads, is left to ENOSYS; clone, its fallback, is allowed without namespace flags', () => {
    const learned = run({ counts: { ...BASIC, clone3: 5 }, values });
    for (const defaultAction of ['errno(ENOSYS)', 'errno(EPERM)']) {
      const text = learnedPolicy(learned, { defaultAction, args: true, command: ['prog'], version: '0.0.test' });
      const filter = compileClean(text);
      expect(verdict(filter.program, 'clone3'), defaultAction).toBe(0x50026);
      const thread = 0x3d0f00n; // glibc's pthread_create flags
      expect(verdict(filter.program, 'clone', [thread]), defaultAction).toBe(RET_ALLOW);
      expect(verdict(filter.program, 'clone', [FORK_FLAGS]), defaultAction).toBe(RET_ALLOW);
      expect(verdict(filter.program, 'clone', [0x10000000n | 0x11n]), defaultAction).not.toBe(RET_ALLOW); // CLONE_NEWUSER
      if (defaultAction === 'errno(ENOSYS)') {
        expect(lintFindings(text)).toEqual([]);
        expect(text).toMatch(/^# clone3: 5 calls; left to the default, errno\(ENOSYS\)/m);
      } else {
        // Only the default itself is lint's concern: the user chose it.
        expect(lintFindings(text)).toEqual([expect.stringMatching(/^new-syscall-not-enosys: the default action is `errno\(EPERM\)`/)]);
        expect(text).toMatch(/^errno\(ENOSYS\) clone3 +# 5 calls/m);
      }
    }
  });

  it('a program that makes fstat itself (no newfstatat): allowed, with a suppression of equivalent-syscall-refused that says why', () => {
    const learned = run({ counts: { ...BASIC, fstat: 4 }, values });
    const text = learnedPolicy(learned, { defaultAction: 'errno(ENOSYS)', args: true, command: ['prog'], version: '0.0.test' });
    expect(text).toMatch(/^# seccompile-disable-next-line equivalent-syscall-refused: the learned run made 4 calls of `fstat` itself\nallow fstat +# 4 calls$/m);
    expect(lintFindings(text)).toEqual([]);
    const both = learnedPolicy(run({ counts: { ...BASIC, fstat: 4, newfstatat: 2 }, values }), { defaultAction: 'errno(ENOSYS)', args: true, command: ['prog'], version: '0.0.test' });
    expect(both).not.toContain('seccompile-disable-next-line');
  });

  it('a dangerous syscall the run made, whose arguments learn cannot narrow, is allowed with a suppression that says why', () => {
    const learned = run({ counts: { ...BASIC, ptrace: 3 }, values });
    const text = learnedPolicy(learned, { defaultAction: 'errno(ENOSYS)', args: true, command: ['prog'], version: '0.0.test' });
    expect(text).toMatch(/^# seccompile-disable-next-line dangerous-syscall: the learned run made 3 calls; review: it lets the process read and change other processes.*\nallow ptrace +# 3 calls$/m);
    expect(lintFindings(text)).toEqual([]);
    expect(lintText(text, 'learned.policy').findings.filter((f) => f.suppression).map((f) => f.ruleId)).toEqual(['dangerous-syscall']);
  });
});

describe('--merge', () => {
  const existing = [
    '# my policy',
    'default errno(EACCES)',
    'allow read, write',
    'allow openat if (flags & O_ACCMODE) == O_RDONLY',
    'errno(EPERM) socket',
    '', // ends with a newline
  ].join('\n');
  const base = compilePolicy(existing, { path: 'mine.policy' });
  if (!base.ok) throw new Error('base policy');
  const learned = run({ counts: BASIC });
  const merged = mergeLearned(existing, base.filter.policy, learned, { args: false, command: ['prog'], version: '0.0.test' });

  it('keeps the original text and appends a marked section with the syscalls it did not decide', () => {
    expect(merged.text.startsWith(existing)).toBe(true);
    expect(merged.text).toContain('# ---- Learned by `seccompile learn`');
    expect(merged.text).toContain('# ---- end of the learned section ----');
    expect(merged.ruled).toEqual(['read', 'write', 'socket', 'openat'].sort((a, b) => nr(a) - nr(b)));
    expect(merged.added).not.toContain('openat');
    expect(merged.added).toEqual(expect.arrayContaining(['close', 'mmap', 'execve', 'clone']));
    expect(merged.text).toMatch(/^# Left to the rules above: read, write, socket, openat\.$/m);
  });

  it('compiles cleanly; the rules above still decide their syscalls', () => {
    const filter = compileClean(merged.text);
    expect(verdict(filter.program, 'close')).toBe(RET_ALLOW);
    expect(verdict(filter.program, 'socket', [1n])).toBe(EPERM_VERDICT);
    expect(verdict(filter.program, 'openat', [0n, 0n, 1n])).toBe(0x0005000d); // O_WRONLY: still EACCES
    expect(verdict(filter.program, 'mkdir')).toBe(0x0005000d);
  });

  it('merges calls through the i386 ABI into an arch block, leaving what the policy\'s own i386 block decides', () => {
    const text = 'default errno(EPERM)\nallow read\narch i386 {\n  errno(EACCES) write\n}\n';
    const x86_64 = archByName('x86_64')!;
    const i386 = archByName('i386')!;
    const both = compilePolicy(text, { arches: [x86_64, i386] });
    if (!both.ok) throw new Error('base');
    const seen = parseRecords(stream({ counts: { read: 1 }, foreign: '{"t":"counts","arch":"i386","counts":[[5,2],[4,1]]}' }));
    const result = mergeLearned(text, both.filter.policy, seen, { args: false, command: ['prog'], version: 'x' }, new Map([['i386', both.filter.sections![1]!.policy]]));
    expect(result.text.startsWith(text)).toBe(true);
    expect(result.text).toContain('# Left to the rules for i386: write.');
    expect(result.text).toMatch(/\narch i386 \{\n  allow open\n\}\n# ---- end of the learned section ----\n$/);
    const merged = compilePolicy(result.text, { arches: [x86_64, i386] });
    if (!merged.ok) throw new Error(merged.diagnostics.map((d) => d.message).join('\n'));
    const call = (nr: number): number => emulate(merged.filter.program, { nr, arch: i386.auditArch }).value >>> 0;
    // i386 open (5) is allowed now; write (4) keeps its EACCES; close (6) was not seen
    expect([call(5), call(4), call(6)]).toEqual([RET_ALLOW, 0x0005000d, 0x00050001]);
  });

  it('adds nothing to a policy whose default already lets everything run', () => {
    const open = 'default allow\nerrno(EPERM) ptrace\n';
    const compiled = compilePolicy(open);
    if (!compiled.ok) throw new Error('base');
    const result = mergeLearned(open, compiled.filter.policy, learned, { args: false, command: ['prog'], version: 'x' });
    expect(result.added).toEqual([]);
    expect(result.text).toContain('# Nothing to add');
    compileClean(result.text);
  });

  it('copes with a policy that does not end with a newline', () => {
    const text = 'default errno(EPERM)\nallow read';
    const compiled = compilePolicy(text);
    if (!compiled.ok) throw new Error('base');
    compileClean(mergeLearned(text, compiled.filter.policy, learned, { args: true, command: ['prog'], version: 'x' }).text);
  });
});

describe('--profile', () => {
  it('writes name<TAB>share lines, most frequent first, that --profile reads back', () => {
    const tsv = learnedProfile(run({ counts: BASIC }));
    const lines = tsv.trim().split('\n');
    expect(lines[0]).toBe(`mmap\t${Number((12 / 52).toPrecision(6))}`);
    const total = lines.reduce((sum, line) => sum + Number(line.split('\t')[1]), 0);
    expect(total).toBeCloseTo(1, 4);
    const parsed = parseProfile(createSourceFile('p.tsv', tsv), X86_64);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.profile?.weights.size).toBe(Object.keys(BASIC).length);
  });
});

describe('topics and quoting', () => {
  it('names only syscalls of the table, each in one topic', () => {
    const seen = new Set<string>();
    for (const topic of TOPICS) {
      for (const name of topic.names) {
        expect(X86_64.syscalls.byName(name), name).toBeDefined();
        expect(seen.has(name), `${name} twice`).toBe(false);
        seen.add(name);
      }
    }
  });

  it('quotes a command line for reading', () => {
    expect(shellQuote(['ls', '-l', '/tmp/a b', "it's"])).toBe(`ls -l '/tmp/a b' 'it'\\''s'`);
  });
});

describe('learn --groups', () => {
  it('writes the systemd groups the run used fully, and the other syscalls as before, to the same verdicts', () => {
    // Every x86-64 member of @basic-io and @timer, and two of @signal's.
    const counts: Record<string, number> = { exit_group: 1, rt_sigaction: 2, rt_sigprocmask: 1 };
    for (const name of [...groupSyscalls('basic-io')!, ...groupSyscalls('timer')!]) if (X86_64.syscalls.byName(name)) counts[name] = 2;
    const learned = run({ counts });
    const grouped = learnedPolicy(learned, { defaultAction: 'errno(EPERM)', args: false, groups: true, command: ['prog'], version: '0.0.test' });
    const plain = learnedPolicy(learned, { defaultAction: 'errno(EPERM)', args: false, command: ['prog'], version: '0.0.test' });
    expect(grouped).toMatch(/^allow @basic-io {2}# 32 calls of 16 syscalls$/m);
    expect(grouped).toMatch(/^allow @timer {2}# \d+ calls of \d+ syscalls$/m);
    expect(grouped).not.toMatch(/^allow @signal/m);
    expect(grouped).toMatch(/^allow rt_sigaction +# 2 calls$/m);
    expect(grouped).not.toMatch(/^allow read /m);
    const a = compileClean(grouped).program;
    const b = compileClean(plain).program;
    for (let n = 0; n < 480; n++) expect(emulate(a, { nr: n, arch: X86_64.auditArch, args: [] }).value, `nr ${n}`).toBe(emulate(b, { nr: n, arch: X86_64.auditArch, args: [] }).value);
  });
});
