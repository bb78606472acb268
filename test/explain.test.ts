/**
 * `seccompile explain`: seccomp audit records, in the form the kernel writes them (kernel/auditsc.c,
 * audit_seccomp: `… pid=%d comm=… exe=… sig=%ld arch=%x syscall=%ld compat=%d ip=0x%lx code=0x%x`),
 * traced back to the syscall's name and the statements of the policy that give its action.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainRecord, parseAuditRecord, type AuditRecord } from '../src/analysis/explain.ts';
import { compilePolicy } from '../src/compile.ts';
import { runCli } from './support/run.ts';

const POLICY = 'default errno(EPERM)\nallow read, write\nkill_process unshare\nallow openat if flags == 0\nerrno(EACCES) openat if flags == 1\nerrno(EACCES) openat\nlog mkdir\nx32 errno(ENOSYS)\n';
const dir = mkdtempSync(join(tmpdir(), 'seccompile-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A record as dmesg prints it. */
function record(arch: string, nr: number, code: string): string {
  return `audit: type=1326 audit(1764725000.123:45): auid=4294967295 uid=1000 gid=1000 ses=4294967295 subj=unconfined pid=4242 comm="my prog" exe="/usr/bin/prog" sig=31 arch=${arch} syscall=${nr} compat=0 ip=0x7f3c2a1b2c3d code=${code}`;
}

function policy() {
  const result = compilePolicy(POLICY, { path: 'app.policy' });
  if (!result.ok) throw new Error('does not compile');
  return result.filter.policy;
}

describe('parseAuditRecord', () => {
  it('reads dmesg, journald and audit.log forms', () => {
    expect(parseAuditRecord(record('c000003e', 272, '0x80000000'))).toEqual({ arch: 0xc000003e, nr: 272, code: 0x80000000, pid: 4242, comm: 'my prog', exe: '/usr/bin/prog', ip: '0x7f3c2a1b2c3d' });
    expect(parseAuditRecord('type=SECCOMP msg=audit(1764725000.1:46): pid=9 comm="cat" sig=0 arch=c000003e syscall=257 compat=0 ip=0x7f code=0x5000d')).toMatchObject({ nr: 257, code: 0x5000d });
  });

  it('refuses lines that are not seccomp records, or lack a field', () => {
    expect(parseAuditRecord('type=1300 audit(1.0:2): arch=c000003e syscall=59')).toEqual({ error: 'not a seccomp audit record (type=1326 or type=SECCOMP)' });
    expect(parseAuditRecord('type=1326 audit(1.0:2): arch=c000003e code=0x0')).toEqual({ error: 'the record has no readable syscall field' });
    expect(parseAuditRecord('type=1326 audit(1.0:2): arch=zz syscall=1 code=0x0')).toEqual({ error: 'the record has no readable arch field' });
  });
});

describe('explainRecord', () => {
  const explain = (r: string) => explainRecord(policy(), parseAuditRecord(r) as AuditRecord);
  const lines = (e: ReturnType<typeof explain>) => e.deciders.map((d) => (d.kind === 'rule' ? d.rule.span.file.text.slice(d.rule.span.start, d.rule.span.end) : d.kind));

  it('an unconditional rule', () => {
    const e = explain(record('c000003e', 272, '0x80000000'));
    expect([e.syscall?.name, e.abi, lines(e), e.dependsOnArguments]).toEqual(['unshare', 'native', ['kill_process unshare'], false]);
  });

  it('rules with conditions the record cannot tell apart: every rule giving the action, in order', () => {
    const e = explain(record('c000003e', 257, '0x5000d'));
    expect([lines(e), e.dependsOnArguments]).toEqual([['errno(EACCES) openat if flags == 1', 'errno(EACCES) openat'], true]);
    // openat is decided by its last rule: the default never applies to it.
    expect(lines(explain(record('c000003e', 257, '0x50001')))).toEqual([]);
  });

  it('the default, x32 and foreign_arch', () => {
    expect(lines(explain(record('c000003e', 39, '0x50001')))).toEqual(['default']);
    expect(explain(record('c000003e', 0x40000000 + 1, '0x50026'))).toMatchObject({ abi: 'x32', syscall: { name: 'write' }, deciders: [{ kind: 'x32' }] });
    expect(explain(record('40000003', 5, '0x80000000'))).toMatchObject({ abi: 'foreign', deciders: [{ kind: 'foreign_arch' }] });
  });

  it('an action this policy never gives that call: no decider', () => {
    expect(lines(explain(record('c000003e', 0, '0x80000000')))).toEqual([]);
  });
});

describe('seccompile explain', () => {
  const path = join(dir, 'app.policy');
  writeFileSync(path, POLICY);

  it('names the syscall and shows the deciding line; records as arguments or on standard input', async () => {
    const result = await runCli(['explain', path, record('c000003e', 272, '0x80000000')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.out).toBe([
      'unshare (syscall 272, x86-64) (pid 4242, comm "my prog", exe /usr/bin/prog): KILL_PROCESS',
      `${path}:3:1: info: this rule gives \`unshare\` kill_process [rule]`,
      '3 | kill_process unshare',
      '  | ^^^^^^^^^^^^^^^^^^^^',
      '',
    ].join('\n'));
    const piped = await runCli(['explain', path], { input: `unrelated line\n${record('c000003e', 39, '0x50001')}\n` });
    expect(piped.code).toBe(0);
    expect(piped.out).toContain('getpid (syscall 39, x86-64) (pid 4242, comm "my prog", exe /usr/bin/prog): ERRNO(1)\n');
    expect(piped.out).toContain(`${path}:1:1: info: no rule decides this call: the default gives errno(EPERM) [default]`);
  });

  it('exit 1 when no statement explains a record; 2 for a line that is not a record or a compiled filter', async () => {
    const other = await runCli(['explain', path, record('c000003e', 0, '0x80000000')]);
    expect(other.code).toBe(1);
    expect(other.out).toContain('no statement of this policy gives `read` kill_process: the record comes from another filter');
    const bad = await runCli(['explain', path, 'hello']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('not a seccomp audit record')]);
    const bpf = join(dir, 'app.bpf');
    await runCli(['compile', path, '-o', bpf]);
    expect((await runCli(['explain', bpf, record('c000003e', 0, '0x0')])).code).toBe(2);
  });
});
