/**
 * `seccompile lint` as CI runs it: the built CLI in fresh processes, its exit codes (0 clean,
 * 1 error-level findings or too many warnings, 2 usage errors), the GitHub annotation format,
 * the project configuration file and standard input.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type RunOptions, type RunResult } from '../support/run.ts';
import { PROFILES_DIR } from '../oci/support.ts';

/** `seccompile lint ARGS` in a fresh process. */
function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCli(['lint', ...args], options);
}

const dir = mkdtempSync(join(tmpdir(), 'seccompile-lint-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

const CLEAN = write('clean/app.policy', 'default errno(ENOSYS)\nallow exit_group, rt_sigreturn, read, write\n');
const DANGEROUS = write('dangerous/app.policy', 'default errno(ENOSYS)\nallow exit_group, rt_sigreturn, read\nallow bpf\n');
const WARNING = write('warning/app.policy', 'default errno(ENOSYS)\nallow exit_group, rt_sigreturn, read\nkill_thread ptrace\n');
const BROKEN = write('broken/app.policy', 'default errno(ENOSYS)\nallow read write\n');
const DOCKER = join(PROFILES_DIR, 'docker-default.json');

describe('exit status', () => {
  it('0 for a clean policy, 1 for an error-level finding, 1 for a policy that does not compile', async () => {
    const [clean, dangerous, broken] = await Promise.all([run([CLEAN]), run([DANGEROUS]), run([BROKEN])]);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.out).toBe('no problems in 1 file\n');
    expect(dangerous.code).toBe(1);
    expect(dangerous.out).toContain(`${DANGEROUS}:3:7: error: \`bpf\` is allowed whatever its arguments`);
    expect(dangerous.out).toContain('[dangerous-syscall]\n3 | allow bpf\n  |       ^^^');
    expect(dangerous.out).toContain('= note: see docs/lint-rules.md#dangerous-syscall in seccompile ');
    expect(dangerous.out.trimEnd().split('\n').pop()).toBe('1 error, 0 warnings and 0 infos in 1 file');
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('[invalid-policy]');
  });

  it('warnings pass, unless there are more than --max-warnings', async () => {
    const [plain, zero, one] = await Promise.all([run([WARNING]), run([WARNING, '--max-warnings', '0']), run([WARNING, '--max-warnings', '1'])]);
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('[kill-thread]');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toBe('seccompile: error: 1 warning, more than --max-warnings 0 allows\n');
    expect(one.code).toBe(0);
  });

  it('2 for usage errors', async () => {
    const results = await Promise.all([
      run([CLEAN, '--rule', 'no-such-rule=off']),
      run([CLEAN, '--rule', 'kill-thread=loud']),
      run([CLEAN, '--rule', 'kill-thread']),
      run([CLEAN, '--rule', 'invalid-policy=off']),
      run([join(dir, 'missing.policy')]),
      run([CLEAN, '--format', 'xml']),
      run([CLEAN, '--target-kernel', 'five']),
      run([CLEAN, '--max-warnings', 'many']),
      run([CLEAN, '--config', join(dir, 'missing.json')]),
      run([CLEAN, '--cap', 'CAP_NOPE']),
      run([join(dir, 'clean'), '--no-such-option']),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    expect(results[0]!.stderr).toContain('unknown rule "no-such-rule"');
    expect(results[1]!.stderr).toContain('"loud" is not a level for kill-thread');
    expect(results[4]!.stderr).toContain('missing.policy: no such file or directory');
    expect(results.every((r) => r.out === '')).toBe(true);
  });
});

describe('--format github', () => {
  it('writes annotations GitHub Actions understands', async () => {
    const result = await run([DANGEROUS, WARNING, '--format', 'github']);
    expect(result.code).toBe(1);
    const lines = result.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^::error file=${DANGEROUS.replace(/[.]/g, '\\.')},line=3,col=7,endLine=3,endColumn=10,title=dangerous-syscall::\`bpf\` is allowed whatever its arguments: it loads eBPF programs`));
    expect(lines[1]).toMatch(/^::warning file=[^,]+,line=3,col=1,endLine=3,endColumn=12,title=kill-thread::kill_thread kills only the calling thread/);
    for (const line of lines) expect(line).not.toMatch(/[\r]/);
  });

  it('annotates profiles at their JSON line, with the JSON path', async () => {
    const result = await run([DOCKER, '--format', 'github', '--kernel', '6.1', '--docker-default-caps']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^::error file=[^,]*docker-default\.json,line=432,col=5,endLine=432,endColumn=13,title=dangerous-syscall::`ptrace` is allowed whatever its arguments: .* \(at \$\.syscalls\[1\]\.names\[2\]\)%0A/m);
    // ioctl, process_vm_readv, process_vm_writev, ptrace; socket's upper bits.
    expect(result.out.match(/^::error /gm)).toHaveLength(5);
    expect(result.out).toMatch(/^::error file=[^,]*docker-default\.json,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=upper-bits-bypass::`family` of `socket` is 32-bit for the kernel/m);
    expect(result.out.match(/^::notice /gm)).toHaveLength(2);
  });
});

describe('configuration', () => {
  it('.seccompile.json in a parent directory applies; --rule overrides it', async () => {
    const project = join(dir, 'project');
    write('project/.seccompile.json', JSON.stringify({ lint: { rules: { 'dangerous-syscall': 'warning' }, maxWarnings: 5 } }));
    write('project/sub/app.policy', readFileSync(DANGEROUS, 'utf8'));
    const cwd = join(project, 'sub');
    const [configured, overridden, explicit] = await Promise.all([
      run(['app.policy'], { cwd }),
      run(['app.policy', '--rule', 'dangerous-syscall=error'], { cwd }),
      run([DANGEROUS, '--config', join(project, '.seccompile.json')]),
    ]);
    expect(configured.code).toBe(0);
    expect(configured.out).toContain('app.policy:3:7: warning: `bpf`');
    expect(overridden.code).toBe(1);
    expect(explicit.code).toBe(0);
  });

  it('a broken configuration is a usage error', async () => {
    write('badconfig/.seccompile.json', JSON.stringify({ lint: { rules: { 'dangerous-sycall': 'off' } } }));
    write('badconfig/app.policy', readFileSync(CLEAN, 'utf8'));
    const result = await run(['app.policy'], { cwd: join(dir, 'badconfig') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown rule "dangerous-sycall"');
    expect(result.stderr).toContain('did you mean dangerous-syscall?');
  });

  it('--target-kernel turns the kernel-version rules on', async () => {
    const [old, recent, lowered] = await Promise.all([
      run([CLEAN, '--target-kernel', '4.9', '--format', 'json']),
      run([CLEAN, '--target-kernel', '5.4']),
      run([CLEAN, '--target-kernel', '4.9', '--rule', 'action-needs-newer-kernel=warning']),
    ]);
    // x32 and foreign_arch calls get the implicit kill_process, which 4.9 does not know.
    expect(old.code).toBe(1);
    const document = JSON.parse(old.out) as { files: { findings: { ruleId: string; message: string }[] }[] };
    expect(document.files[0]!.findings.map((f) => f.ruleId)).toEqual(['action-needs-newer-kernel']);
    expect(document.files[0]!.findings[0]!.message).toMatch(/^x32 calls and calls of other architectures get `kill_process`/);
    expect(recent.code).toBe(0);
    expect(lowered.code).toBe(0);
  });
});

describe('inputs and outputs', () => {
  it('reads a policy from standard input', async () => {
    const result = await run(['-'], { input: 'default errno(ENOSYS)\nallow exit_group, rt_sigreturn\nallow ptrace\n' });
    expect(result.code).toBe(1);
    expect(result.out).toContain('<stdin>:3:7: error: `ptrace` is allowed');
  });

  it('lints a directory tree, writes SARIF to a file', async () => {
    const out = join(dir, 'lint.sarif');
    const result = await run([join(dir, 'clean'), join(dir, 'warning'), '--format', 'sarif', '-o', out]);
    expect(result).toMatchObject({ code: 0, out: '' });
    const log = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(['kill-thread']);
  });

  it('lists the rules', async () => {
    const result = await run(['--list-rules']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^dangerous-syscall +security +error +A dangerous syscall/m);
    expect(result.out).toMatch(/^invalid-policy +correctness +error\* /m);
  });

  it('colours a terminal only when asked', async () => {
    const [plain, forced] = await Promise.all([run([DANGEROUS]), run([DANGEROUS], { env: { FORCE_COLOR: '1' } })]);
    expect(plain.out).not.toMatch(/\x1b\[/);
    expect(forced.out).toMatch(/\x1b\[/);
  });
});
