/**
 * `seccompile learn` in the real kernel: the native helper (built here when missing or stale,
 * as at install time) runs real programs under its user-notification filter: a shell script
 * that lists a directory and writes a file, a multi-threaded program and a program that forks
 * (test/fixtures/learn/). Each learned policy must compile cleanly; bubblewrap then runs the same
 * program under the compiled policy (raw filter on fd 3), which must succeed, while a syscall the
 * program never made is refused with EPERM. Also: --args, --merge, --profile, the command's exit
 * status, --timeout, signals, calls through the i386 ABI, a missing command, a missing helper, the
 * progress line on a terminal (util-linux `script`) and a quiet standard error elsewhere.
 */
import { archByName, X86_64 } from '../src/arch/index.ts';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulate } from '../src/bpf/emulate.ts';
import { encodeProgram } from '../src/bpf/insn.ts';
import { compilePolicy } from '../src/compile.ts';
import { createSourceFile } from '../src/diagnostics/source.ts';
import { nodeFileHost } from '../src/host/node-host.ts';
import { parseProfile } from '../src/optimize/profile.ts';
import { BIN, ROOT } from './support/cli-build.ts';
import { run as runProgram, type RunOptions, type RunResult } from './support/run.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'learn');
const BWRAP = '/usr/bin/bwrap';
const dir = mkdtempSync(join(tmpdir(), 'seccompile-learn-'));
const WORK = join(dir, 'work');
const SCRIPT = join(FIXTURES, 'list-and-write.sh');
const THREADS = join(dir, 'threads');
const FORKS = join(dir, 'forks');
const I386 = join(dir, 'i386-call');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command in the test directory, colour off. */
function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProgram(command, args, { cwd: dir, ...options, env: { NO_COLOR: '1', ...options.env } });
}

function learn(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, 'learn', ...args], options);
}

let filters = 0;
/** Compiles a policy file (no diagnostic allowed) to a raw filter file. */
function compileFile(policyPath: string): string {
  const result = compilePolicy(readFileSync(policyPath, 'utf8'), { path: policyPath, host: nodeFileHost });
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`), policyPath).toEqual([]);
  if (!result.ok) throw new Error(`${policyPath} does not compile`);
  const out = join(dir, `filter-${filters++}.bpf`);
  writeFileSync(out, encodeProgram(result.filter.program));
  return out;
}

/** Runs a command in bubblewrap, with the filter on fd 3; the test directory is writable. */
async function bwrap(command: readonly string[], filter?: string): Promise<RunResult> {
  // The repository stays visible even when it lives under /tmp (a CI checkout may).
  const sandbox = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', ROOT, ROOT, '--bind', dir, dir, '--chdir', dir];
  if (filter === undefined) return run(BWRAP, [...sandbox, '--', ...command]);
  const fd = openSync(filter, 'r');
  try {
    return await run(BWRAP, [...sandbox, '--seccomp', '3', '--', ...command], { fd3: fd });
  } finally {
    closeSync(fd);
  }
}

function rules(policy: string): string[] {
  return policy.split('\n').filter((l) => /^allow /.test(l)).map((l) => l.split(/\s+/)[1]!);
}

beforeAll(() => {
  // As at install time, but failures are errors here.
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-native.mjs'), '--strict', '--if-stale', '--quiet'], { encoding: 'utf8' });
  expect(built.status, `building the helper:\n${built.stderr}`).toBe(0);
  for (const [source, out, flags] of [['threads.c', THREADS, ['-pthread']], ['forks.c', FORKS, []], ['i386-call.c', I386, []]] as const) {
    const cc = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', ...flags, '-o', out, join(FIXTURES, source)], { encoding: 'utf8' });
    expect(cc.status, `gcc ${source}:\n${cc.stderr}`).toBe(0);
  }
  mkdirSync(WORK);
});

describe('learning real programs, then running them under the learned policy in bubblewrap', () => {
  it('bwrap is installed (by .ci/run)', () => {
    expect(existsSync(BWRAP), `${BWRAP} is missing: install bubblewrap`).toBe(true);
  });

  it('a shell script that lists a directory and writes a file', async () => {
    const policy = join(dir, 'script.policy');
    const learned = await learn(['-o', policy, '--', '/bin/sh', SCRIPT, '/usr', WORK]);
    expect(learned.code, learned.stderr).toBe(0);
    expect(learned.out).toMatch(/^(.*\n)*bin\n(.*\n)*share\n(.*\n)*listed \/usr\n$/);
    expect(learned.stderr).toBe(''); // no progress line when standard error is not a terminal
    const text = readFileSync(policy, 'utf8');
    expect(text).toMatch(/^default errno\(ENOSYS\)$/m);
    expect(rules(text)).toEqual(expect.arrayContaining(['execve', 'openat', 'getdents64', 'write', 'exit_group', 'rt_sigreturn']));
    expect(text).toMatch(/# Programs executed: \/bin\/sh, \/(usr\/)?bin\/ls, \/(usr\/)?bin\/cat/);
    expect(text).toMatch(/from 3 processes and 3 threads; the command exited with status 0\./);
    const filter = compileFile(policy);

    rmSync(join(WORK, 'listing.txt'));
    const confined = await bwrap(['/bin/sh', SCRIPT, '/usr', WORK], filter);
    expect(confined, confined.stderr).toMatchObject({ code: 0, out: learned.out, stderr: '' });
    expect(readFileSync(join(WORK, 'listing.txt'), 'utf8')).toBe(learned.out);

    // mkdir(2) is a call the script never made: the same shell cannot create a directory.
    const refused = await bwrap(['/bin/sh', '-c', `mkdir ${WORK}/sub`], filter);
    expect(refused.stderr).toMatch(/cannot create directory.*Function not implemented/);
    expect(refused.code).not.toBe(0);
    expect(existsSync(join(WORK, 'sub'))).toBe(false);
    const control = await bwrap(['/bin/sh', '-c', `mkdir ${WORK}/sub && rmdir ${WORK}/sub`]);
    expect(control.code, control.stderr).toBe(0);
  });

  it('a multi-threaded program: every thread followed', async () => {
    const policy = join(dir, 'threads.policy');
    const learned = await learn(['-o', policy, '--', THREADS]);
    expect(learned, learned.stderr).toMatchObject({ code: 0, out: 'threads: 4 workers, total 4000\n', stderr: '' });
    const text = readFileSync(policy, 'utf8');
    expect(text).toMatch(/from 1 process and 5 threads/);
    // glibc makes threads with clone3, whose flags no filter can read: the policy leaves clone3 to
    // the default (ENOSYS), and glibc falls back to clone, allowed without namespace flags.
    expect(rules(text)).toEqual(expect.arrayContaining(['clone', 'futex', 'exit', 'read', 'write']));
    expect(rules(text)).not.toContain('clone3');
    expect(text).toMatch(/^# clone3: 4 calls; left to the default, errno\(ENOSYS\)/m);
    expect(text).toMatch(/^allow clone if not \(clone_flags & \(CLONE_NEWNS \| CLONE_NEWCGROUP \| CLONE_NEWUTS \| CLONE_NEWIPC \| CLONE_NEWUSER \| CLONE_NEWPID \| CLONE_NEWNET\)\) +# 0 calls; also clone3's 4 calls/m);
    expect(rules(text)).not.toContain('getpriority');
    const filter = compileFile(policy);

    expect(await bwrap([THREADS], filter)).toMatchObject({ code: 0, out: 'threads: 4 workers, total 4000\n', stderr: '' });
    expect(await bwrap([THREADS, '--probe'], filter)).toMatchObject({ code: 0, out: 'threads: 4 workers, total 4000\nprobe: errno 38\n' });
    expect(await bwrap([THREADS, '--probe'])).toMatchObject({ code: 0, out: 'threads: 4 workers, total 4000\nprobe: errno 0\n' });
  });

  it('a program that forks (and execs in a child), learned with --args', async () => {
    const policy = join(dir, 'forks.policy');
    const learned = await learn(['--args', '-o', policy, '--', FORKS]);
    const expected = 'forks: 3 children, statuses 1 2 0, 3 lines\n';
    expect(learned, learned.stderr).toMatchObject({ code: 0, out: expected, stderr: '' });
    const text = readFileSync(policy, 'utf8');
    expect(text).toMatch(/from 4 processes and 4 threads/);
    expect(text).toMatch(/# Programs executed: .*\/forks, \/bin\/true/);
    // fork() is clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD) in glibc.
    expect(text).toMatch(/^allow clone if not \(clone_flags & ~\(CLONE_CHILD_CLEARTID \| CLONE_CHILD_SETTID \| SIGCHLD\)\) +# 3 calls$/m);
    expect(text).toMatch(/^allow mmap if prot in \{[A-Z_ |,]+\}/m);
    expect(rules(text)).toEqual(expect.arrayContaining(['wait4', 'execve', 'pipe2']));
    const filter = compileFile(policy);

    expect(await bwrap([FORKS], filter)).toMatchObject({ code: 0, out: expected, stderr: '' });
    expect(await bwrap([FORKS, '--probe'], filter)).toMatchObject({ code: 0, out: `${expected}probe: errno 38\n` });
  });
});

describe('a learned policy passes lint as it is, and runs the program (docs/learn.md, learn then lint in CI)', () => {
  it('a Python program with files, a subprocess, a thread and a handled signal', async () => {
    const policy = join(dir, 'python.policy');
    const command = ['/usr/bin/python3', join(FIXTURES, 'python-app.py'), '/usr'];
    const expected = '{"names": 2, "true": 0, "got": ["usr1", "thread"]}\n';
    const learned = await learn(['-o', policy, '--', ...command]);
    expect(learned, learned.stderr).toMatchObject({ code: 0, out: expected });
    const linted = await runProgram(process.execPath, [BIN, 'lint', policy]);
    expect(linted, linted.out).toMatchObject({ code: 0, out: 'no problems in 1 file\n' });
    const confined = await bwrap(command, compileFile(policy));
    expect(confined, confined.stderr).toMatchObject({ code: 0, out: expected });
  });
});

describe('options and the command line', () => {
  it('--merge adds what was seen to a policy, keeping its text; the result runs the program', async () => {
    const base = join(dir, 'base.policy');
    const baseText = '# hand-written\ndefault errno(EPERM)\nallow read, write, close\nerrno(EACCES) mkdir\n';
    writeFileSync(base, baseText);
    const merged = join(dir, 'merged.policy');
    const learned = await learn(['--merge', base, '-o', merged, '--', '/bin/sh', SCRIPT, '/usr', WORK]);
    expect(learned.code, learned.stderr).toBe(0);
    const text = readFileSync(merged, 'utf8');
    expect(text.startsWith(baseText)).toBe(true);
    expect(text).toMatch(/^# Left to the rules above: read, write, close\.$/m);
    expect(rules(text.slice(baseText.length))).not.toContain('read');
    expect(rules(text.slice(baseText.length))).toEqual(expect.arrayContaining(['openat', 'execve']));
    const filter = compileFile(merged);
    expect((await bwrap(['/bin/sh', SCRIPT, '/usr', WORK], filter)).code).toBe(0);
  });

  it('--merge refuses a policy with errors before running anything', async () => {
    const bad = join(dir, 'bad.policy');
    writeFileSync(bad, 'default errno(EPERM)\nallow nosuchcall\n');
    const marker = join(dir, 'should-not-exist');
    const result = await learn(['--merge', bad, '--', '/bin/sh', '-c', `touch ${marker}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown syscall `nosuchcall`/);
    expect(existsSync(marker)).toBe(false);
  });

  it('--profile writes the frequencies that compile --profile reads; --default sets the default', async () => {
    const policy = join(dir, 'true.policy');
    const profile = join(dir, 'true.tsv');
    const learned = await learn(['--default', 'kill_process', '--profile', profile, '-o', policy, '--', '/bin/true']);
    expect(learned.code, learned.stderr).toBe(0);
    expect(readFileSync(policy, 'utf8')).toMatch(/^default kill_process$/m);
    const parsed = parseProfile(createSourceFile(profile, readFileSync(profile, 'utf8')), X86_64);
    expect(parsed.diagnostics).toEqual([]);
    // Every rule but those of syscalls allowed unseen (rt_sigreturn: /bin/true handles no signal).
    const seen = readFileSync(policy, 'utf8').split('\n').filter((l) => /^allow /.test(l) && !/# 0 calls/.test(l));
    expect(parsed.profile?.weights.size).toBe(seen.length);
    const compiled = await run(process.execPath, [BIN, 'compile', policy, '--profile', profile, '-o', join(dir, 'true.bpf')]);
    expect(compiled, compiled.stderr).toMatchObject({ code: 0, stderr: '' });
  });

  it('writes the policy to standard output without -o, and exits with the command\'s status', async () => {
    const result = await learn(['--', '/bin/sh', '-c', 'exit 3']);
    expect(result.code).toBe(3);
    expect(result.out).toMatch(/^# Learned by `seccompile learn`/);
    expect(result.out).toMatch(/the command exited with status 3\./);
    expect(compilePolicy(result.out).diagnostics).toEqual([]);
  });

  it('--timeout stops the command (and what it started) with SIGTERM: exit status 124', async () => {
    const started = Date.now();
    const policy = join(dir, 'sleep.policy');
    const result = await learn(['--timeout', '0.5', '-o', policy, '--', '/bin/sh', '-c', 'sleep 30; echo never']);
    expect(result.code).toBe(124);
    expect(result.out).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readFileSync(policy, 'utf8')).toMatch(/the command was stopped by --timeout\./);
  });

  it('passes SIGINT on to the command, then writes what was seen', async () => {
    const policy = join(dir, 'interrupted.policy');
    const result = await learn(['-o', policy, '--', '/bin/sleep', '30'], { onSpawn: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 1500) });
    expect(result.code).toBe(130);
    expect(readFileSync(policy, 'utf8')).toMatch(/the command was killed by signal 2\./);
  });

  it('shows a progress line on a terminal, erased at the end, then a summary', async () => {
    const policy = join(dir, 'tty.policy');
    const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
    const line = [process.execPath, BIN, 'learn', '-o', policy, '--', '/bin/sh', '-c', 'ls / >/dev/null; sleep 0.6'].map(quote).join(' ');
    const result = await run('script', ['-qec', line, '/dev/null']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/\r\x1b\[Kseccompile learn: \d+ calls of \d+ syscalls, 3 processes, 3 threads/);
    expect(result.out).toMatch(/\r\x1b\[Kseccompile learn: wrote .*tty\.policy: \d+ syscalls \(\d+ calls from 3 processes, 3 threads\)\r?\n/);
  });

  it('writes calls through the i386 ABI in an arch i386 block, which a filter for x86_64 and i386 applies', async () => {
    const policy = join(dir, 'i386.policy');
    const result = await learn(['-o', policy, '--', I386]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('seccompile: warning: 1 call through the i386 ABI (int $0x80) seen; the policy allows them in an `arch i386` block, which a filter compiled with --arch x86_64,i386 applies (for x86_64 alone they get the foreign_arch action)\n');
    const text = readFileSync(policy, 'utf8');
    expect(text).toContain('# Also 1 call through the i386 ABI, `int $0x80`: numbers 20.');
    expect(text).toMatch(/\narch i386 \{\n  allow getpid\n\}\n$/);
    compileFile(policy);
    const both = compilePolicy(text, { arches: [archByName('x86_64')!, archByName('i386')!] });
    expect(both.ok && emulate(both.filter.program, { arch: 0x40000003, nr: 20, args: [] }).value >>> 0).toBe(0x7fff0000);
  });

  it('a command that is not found: status 127, no policy', async () => {
    const policy = join(dir, 'missing.policy');
    const result = await learn(['-o', policy, '--', 'no-such-command-here']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/no-such-command-here: command not found/);
    expect(existsSync(policy)).toBe(false);
  });

  it('without the helper, says learn is unavailable and how to enable it: status 125', async () => {
    const result = await learn(['--', '/bin/true'], { env: { SECCOMPILE_LEARN_HELPER: join(dir, 'no-helper') } });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/learn is unavailable: its native helper .* was not built/);
    expect(result.stderr).toMatch(/help: install a C compiler .*npm rebuild seccompile/);
  });

  it('usage errors: no command, a bad --default, --default with --merge, the command\'s options before --', async () => {
    const [none, badDefault, both, options] = await Promise.all([
      learn([]),
      learn(['--default', 'deny', '--', '/bin/true']),
      learn(['--default', 'log', '--merge', join(dir, 'base.policy'), '--', '/bin/true']),
      learn(['ls', '-l']),
    ]);
    expect(none.code).toBe(2);
    expect(badDefault.code).toBe(2);
    expect(badDefault.stderr).toMatch(/--default "deny" is not an action/);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--default and --merge do not go together/);
    expect(options.code).toBe(2);
    expect(options.stderr).toMatch(/options of the command go after --/);
  });
});

describe('learn in hostile conditions (issue: hostile environments)', () => {
  it('descriptors the caller opened reach the command as a plain run passes them: bwrap --seccomp 3 3<filter', async () => {
    const data = join(dir, 'fd3.txt');
    writeFileSync(data, 'through fd 3\n');
    const fd = openSync(data, 'r');
    try {
      const cat = await learn(['-o', join(dir, 'fd3.policy'), '--', '/bin/sh', '-c', 'cat <&3'], { fd3: fd });
      expect(cat, cat.stderr).toMatchObject({ code: 0, out: 'through fd 3\n' });
    } finally {
      closeSync(fd);
    }
    const filter = compileFile(join(ROOT, 'examples', 'build-sandbox.policy'));
    const filterFd = openSync(filter, 'r');
    try {
      const sandboxed = await learn(['-o', join(dir, 'bwrap.policy'), '--', BWRAP, '--ro-bind', '/', '/', '--dev', '/dev', '--seccomp', '3', '--', '/bin/echo', 'sandboxed'], { fd3: filterFd });
      expect(sandboxed, sandboxed.stderr).toMatchObject({ code: 0, out: 'sandboxed\n' });
    } finally {
      closeSync(filterFd);
    }
  });

  it('an -o that cannot be written is refused before the command runs', async () => {
    const marker = join(dir, 'must-not-run');
    const result = await learn(['-o', join(dir, 'no-such-dir', 'p.policy'), '--', '/bin/sh', '-c', `touch ${marker}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write');
    expect(existsSync(marker)).toBe(false);
  });

  it('a killed helper is reported, and the command\'s processes it leaves behind are ended', async () => {
    const pidFile = join(dir, 'command.pid');
    let helper = 0;
    const result = await learn(['-o', join(dir, 'killed.policy'), '--', '/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], {
      timeoutMs: 20_000,
      onSpawn: (pid) => {
        // The sleeper's pid written, then time for the helper to report the command's calls (and
        // so its processes) to seccompile, even on a loaded machine, before it is killed.
        let seenAt = 0;
        const poll = setInterval(() => {
          try {
            const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
            if (children === '' || !existsSync(pidFile) || !/^\d+\n/.test(readFileSync(pidFile, 'utf8'))) return;
            seenAt ||= Date.now();
            if (Date.now() - seenAt < 500) return;
            helper = Number(children.split(' ')[0]);
            clearInterval(poll);
            process.kill(helper, 'SIGKILL');
          } catch {
            clearInterval(poll);
          }
        }, 50);
      },
    });
    expect(helper).toBeGreaterThan(0);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^seccompile: error: the learn helper was killed by SIGKILL before the command ended; ended \d+ process(es)? of the command it left without a supervisor; no policy written$/m);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Ended: gone, or a zombie waiting for whoever adopted it.
    const alive = existsSync(`/proc/${sleeper}/status`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${sleeper}/status`, 'utf8'));
    expect(alive).toBe(false);
    expect(existsSync(join(dir, 'killed.policy'))).toBe(false);
  });

  it('a set-user-ID program is named in a warning and in the policy: it ran without its privileges', async () => {
    const program = join(dir, 'setuid-true');
    copyFileSync('/bin/true', program);
    chmodSync(program, 0o4755);
    const policy = join(dir, 'setuid.policy');
    const result = await learn(['-o', policy, '--', program]);
    expect(result.code).toBe(0);
    const warning = `${program} is set-user-ID: under learn it ran without those privileges (no_new_privs), so this run may have taken other paths than a real one`;
    expect(result.stderr).toBe(`seccompile: warning: ${warning}\n`);
    expect(readFileSync(policy, 'utf8')).toContain(`# Warning: ${warning}\n`);
  });
});
