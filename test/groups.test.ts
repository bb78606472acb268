// Syscall groups (`allow @basic-io`): systemd 252's groups as data/systemd-252-syscall-groups.txt
// has them, expanded to the members the target has, in every command that reads policies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archByName, X86_64 } from '../src/arch/index.ts';
import { emulate } from '../src/bpf/emulate.ts';
import { compilePolicy } from '../src/compile.ts';
import { groupSyscalls, syscallGroup, syscallGroups } from '../src/syscalls/groups.ts';
import { runCli } from './support/run.ts';

const DATA = readFileSync(join(import.meta.dirname, '..', 'data', 'systemd-252-syscall-groups.txt'), 'utf8');

function compile(text: string, arch = X86_64) {
  const result = compilePolicy(text, { path: 't.policy', arch });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result;
}

describe('syscall groups', () => {
  it('are systemd 252\'s, as its systemd-analyze lists them', () => {
    // Read here line by line, apart from the generator: `@name`, a `# description`, members.
    const blocks = DATA.split('\n\n').filter((b) => b.startsWith('@'));
    expect(blocks.length).toBe(29);
    expect(syscallGroups().map((g) => g.name)).toEqual(blocks.map((b) => b.split('\n')[0]!.slice(1)));
    for (const block of blocks) {
      const [head, help, ...members] = block.trim().split('\n').map((l) => l.trim());
      expect(syscallGroup(head!.slice(1))).toEqual({ name: head!.slice(1), help: help!.slice(2), members });
    }
    expect(syscallGroup('system-service')!.members.slice(0, 4)).toEqual(['@aio', '@basic-io', '@chown', '@default']);
  });

  it('stand for their members the target has, nested groups included', () => {
    const members = (text: string, arch = X86_64) => compile(text, arch).filter.policy.rules.map((r) => r.syscall.name);
    expect(members('default kill_process\nallow @basic-io\n')).toEqual(['close', 'close_range', 'dup', 'dup2', 'dup3', 'lseek', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readv', 'write', 'writev']);
    // i386 has _llseek, x86-64 does not.
    expect(members('default kill_process\nallow @basic-io\n', archByName('i386')!)).toContain('_llseek');
    // @privileged includes @chown, @clock, @module, @raw-io, @reboot and @swap.
    const privileged = members('default allow\nerrno(EPERM) @privileged\n');
    for (const name of ['chown', 'clock_settime', 'init_module', 'iopl', 'reboot', 'swapon', 'setuid', 'bpf']) expect(privileged).toContain(name);
    expect(new Set(privileged).size).toBe(privileged.length);
    expect(groupSyscalls('system-service')!.length).toBeGreaterThan(300);
  });

  it('compile to the filter the listed names compile to', () => {
    const names = groupSyscalls('io-event')!.filter((n) => X86_64.syscalls.byName(n));
    const a = compile('default errno(EPERM)\nallow @io-event, @timer if arg0_64 != 7\nkill_process @mount\n').filter.program;
    const timer = groupSyscalls('timer')!.filter((n) => X86_64.syscalls.byName(n));
    const mount = groupSyscalls('mount')!.filter((n) => X86_64.syscalls.byName(n));
    const b = compile(`default errno(EPERM)\nallow ${[...names, ...timer.filter((n) => !names.includes(n))].join(', ')} if arg0_64 != 7\nkill_process ${mount.join(', ')}\n`).filter.program;
    for (let nr = 0; nr < 480; nr++) {
      for (const arg of [0n, 7n]) {
        const call = { nr, arch: X86_64.auditArch, args: [arg] };
        expect(emulate(a, call).value, `nr ${nr}`).toBe(emulate(b, call).value);
      }
    }
  });

  it('say what is wrong: an unknown group (with a suggestion), a group that repeats what an earlier rule decides', () => {
    const result = compilePolicy('default allow\nerrno(EPERM) @mout\n', { path: 't.policy' });
    expect(result.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([['SC2017', 'unknown syscall group `@mout`', 'did you mean `@mount`?']]);
    const shadowed = compilePolicy('default allow\nerrno(EPERM) @privileged\nerrno(EACCES) @chown, mount\n', { path: 't.policy' });
    expect(shadowed.diagnostics.map((d) => d.message)).toEqual(['this rule never applies to `chown`, `fchown`, `fchownat`, `lchown`: an earlier rule decides every call']);
    // A name listed beside a group that has it is no repeat worth a warning.
    expect(compilePolicy('default allow\nerrno(EPERM) @basic-io, read\n', { path: 't.policy' }).diagnostics).toEqual([]);
  });

  it('`seccompile groups` lists them, and one group\'s syscalls on a target', async () => {
    const all = await runCli(['groups']);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^@basic-io +16  Basic IO$/m);
    const one = await runCli(['groups', 'basic-io', '--arch', 'x86_64']);
    expect(one.out).toBe('# @basic-io: Basic IO\nclose\nclose_range\ndup\ndup2\ndup3\nlseek\npread64\npreadv\npreadv2\npwrite64\npwritev\npwritev2\nread\nreadv\nwrite\nwritev\n# not on x86-64 (left out of rules there): _llseek\n');
    const bad = await runCli(['groups', '@nope']);
    expect([bad.code, bad.stderr]).toEqual([2, 'error: unknown syscall group `@nope` [SC2017]\n = help: `seccompile groups` lists them\n']);
  });
});
