// One filter for several ABIs (`arches`): a section per ABI chosen by the arch value, each with its
// own numbers, widths and constants; names some of them lack are notes there; the proof covers
// every section; the kernel's action cache keeps every argument-free allowed syscall of each.
import { describe, expect, it } from 'vitest';
import { isCachedAllow } from '../src/analysis/action-cache.ts';
import { archByName, type Arch } from '../src/arch/index.ts';
import { emulate } from '../src/bpf/emulate.ts';
import { compilePolicy } from '../src/compile.ts';
import { proveFilter } from '../src/verify/index.ts';
import { Random } from './support/random.ts';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const EACCES = 0x0005000d;
const KILL_PROCESS = 0x80000000;
const arches = (...names: string[]): Arch[] => names.map((n) => archByName(n)!);

function compile(text: string, targets: Arch[]) {
  const result = compilePolicy(text, { arches: targets });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result;
}

describe('a filter for several ABIs', () => {
  const POLICY = 'default errno(EPERM)\nallow read, getpid\nerrno(EACCES) close if fd == 5\nallow open\nallow socketcall\narch i386 { allow getuid32 }\n';

  it('x86_64 and i386: each ABI by its own numbers, others rejected; names one lacks are notes', () => {
    const result = compile(POLICY, arches('x86_64', 'i386'));
    expect(result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.message}`)).toEqual(['SC2016 info `socketcall` does not exist on x86-64: its rules apply on i386']);
    const { program, sections } = result.filter;
    expect(sections!.map((s) => s.ir.arch.name)).toEqual(['x86_64', 'i386']);
    const v = (arch: number, nr: number, args: bigint[] = []) => emulate(program, { arch, nr, args }).value >>> 0;
    const X64 = 0xc000003e;
    const I386 = 0x40000003;
    // x86-64 102 is getuid, which no rule allows: the i386 socketcall rule stays in its section
    expect([v(X64, 0), v(X64, 3, [5n]), v(X64, 3, [6n]), v(X64, 2), v(X64, 102)]).toEqual([ALLOW, EACCES, EPERM, ALLOW, EPERM]);
    // i386: read 3, close 6, open 5, socketcall 102, getuid32 199; x86-64's getuid (102) is i386's socketcall
    expect([v(I386, 3), v(I386, 6, [5n]), v(I386, 6, [0x1_0000_0005n]), v(I386, 5), v(I386, 102), v(I386, 199), v(I386, 0)]).toEqual([ALLOW, EACCES, EACCES, ALLOW, ALLOW, ALLOW, EPERM]);
    expect([v(0xc00000b7, 63), v(X64, 0x40000000)]).toEqual([KILL_PROCESS, KILL_PROCESS]);
  });

  it('x86_64 and x32: x32 numbers go to the x32 section instead of the x32 action', () => {
    const { filter } = compile('default errno(EPERM)\nallow read\nerrno(EACCES) getpid\n', arches('x86_64', 'x32'));
    const v = (nr: number) => emulate(filter.program, { arch: 0xc000003e, nr, args: [] }).value >>> 0;
    expect([v(0), v(39), v(0x40000000), v(0x40000027), v(0x40000001), v(0xffffffff)]).toEqual([ALLOW, EACCES, ALLOW, EACCES, EPERM, EPERM]);
  });

  it('a name no requested ABI has is one error; a syscall every ABI lacks is one too', () => {
    const result = compilePolicy('default allow\nerrno(EPERM) opne\n', { arches: arches('aarch64', 'arm') });
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['SC2001 unknown syscall `opne`']);
    const iopl = compilePolicy('default allow\nerrno(EPERM) iopl\n', { arches: arches('aarch64', 'arm') });
    expect(iopl.diagnostics.map((d) => d.code)).toEqual(['SC2001']);
  });

  it('proved, and every argument-free allowed syscall of each section cacheable, on random policies', async () => {
    const rng = new Random(16);
    for (const pair of [['x86_64', 'i386'], ['aarch64', 'arm'], ['x86_64', 'x32', 'i386'], ['riscv64']]) {
      const targets = arches(...pair);
      const names = targets[0]!.syscalls.all().map((s) => s.name).filter((n) => targets.every((a) => a.syscalls.byName(n)));
      for (let round = 0; round < 4; round++) {
        const free = new Set<string>();
        const lines = ['default errno(EPERM)'];
        for (let i = 0; i < 30; i++) {
          const name = rng.pick(names);
          const args = targets[0]!.syscalls.byName(name)!.args;
          if (args.length > 0 && rng.chance(0.3)) {
            lines.push(`errno(EACCES) ${name} if ${args[0]!.name} == ${rng.int(8)}`);
          } else {
            lines.push(`allow ${name}`);
            if (!lines.some((l) => l.startsWith(`errno(EACCES) ${name} `))) free.add(name);
          }
        }
        const { filter } = compile(lines.join('\n'), targets);
        const policies = filter.sections?.map((s) => s.policy) ?? [filter.policy];
        expect((await proveFilter(policies, filter.program)).status).toBe('proven');
        for (const arch of targets.filter((a) => a.name !== 'x32')) {
          const uncached = [...free].filter((n) => !isCachedAllow(filter.program, arch.syscalls.byName(n)!.nr, arch.auditArch));
          expect(uncached, `${pair.join('+')}: ${arch.name}`).toEqual([]);
        }
      }
    }
  }, 120_000);

  it('the proof catches a section that differs from its policy', async () => {
    const { filter } = compile('default errno(EPERM)\nallow read\n', arches('x86_64', 'i386'));
    const other = compile('default errno(EPERM)\nallow write\n', arches('x86_64', 'i386')).filter;
    const result = await proveFilter(other.sections!.map((s) => s.policy), filter.program);
    expect(result.status).toBe('counterexample');
  });
});

describe('diff of filters for several ABIs', () => {
  it('sees a change in the second section', async () => {
    const { diffVerdicts } = await import('../src/verify/diff.ts');
    const targets = arches('x86_64', 'i386');
    const before = compile('default errno(EPERM)\nallow read\n', targets).filter;
    const after = compile('default errno(EPERM)\nallow read\narch i386 { allow write }\n', targets).filter;
    const side = (f: typeof before) => ({ policy: f.policy, sections: f.sections!.map((s) => s.policy) });
    const changes = await diffVerdicts(side(before), side(after));
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.example.arch === 0x40000003 && c.example.nr === 4)).toBe(true);
    expect(await diffVerdicts(side(before), { program: before.program })).toEqual([]);
  }, 60_000);
});

describe('explain for a filter of several ABIs', () => {
  it('explains a record by the section of its ABI', async () => {
    const { explainRecords } = await import('../src/cli/commands/explain.ts');
    const { filter } = compile('default kill_process\nallow read\narch i386 { errno(EPERM) socketcall }\n', arches('x86_64', 'i386'));
    const record = (arch: string, nr: number, code: string) => `audit: type=1326 audit(1.0:2): pid=1 comm="p" exe="/p" sig=0 arch=${arch} syscall=${nr} compat=1 ip=0x1 code=${code}`;
    const { text, unexplained } = explainRecords([record('40000003', 102, '0x50001'), record('c000003e', 102, '0x80000000')], filter.sections!.map((s) => s.policy), false);
    expect(unexplained).toBe(0);
    expect(text).toContain('socketcall (syscall 102, i386)');
    expect(text).toContain('getuid (syscall 102, x86-64)');
  });
});
