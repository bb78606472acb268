/**
 * User notification end to end, in the real kernel: the installer of `--format c` and the notify
 * kit (`seccompile notify-kit`) compiled with gcc in every supported configuration and run
 * (test/fixtures/notify/kit-check.c), and the supervised-mkdir example (examples/notify-mkdir)
 * built with its Makefile and run: directories under /tmp are created by the supervisor,
 * elsewhere EPERM and nothing created, a target killed or interrupted while it waits leaves the
 * supervisor running and correct.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli-build.ts';
import { ownUmask, run, runCli, type RunResult } from './support/run.ts';

const EXAMPLE = join(ROOT, 'examples', 'notify-mkdir');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'notify');
const OLD_HEADERS = { '4.19': join(FIXTURES, 'old-headers', '4.19'), '5.0': join(FIXTURES, 'old-headers', '5.0') };

function seccompile(args: readonly string[], input?: string): Promise<RunResult> {
  return runCli(args, input === undefined ? {} : { input });
}

async function ok(result: Promise<RunResult>, what: string): Promise<RunResult> {
  const done = await result;
  expect(done.code, `${what}:\n${done.out}${done.stderr}`).toBe(0);
  return done;
}

/** A long-running process whose stdout lines are collected, with a way to wait for one. */
class Watched {
  readonly lines: string[] = [];
  private partial = '';
  private readonly waiters: (() => void)[] = [];
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly child: ChildProcessWithoutNullStreams;

  constructor(command: string, args: readonly string[], cwd?: string) {
    this.child = spawn(command, args, { cwd: cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      const parts = (this.partial + chunk.toString('utf8')).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== '').map((l) => `stderr: ${l}`));
      this.wake();
    });
    // 'close', not 'exit': by then all of stdout has been read.
    this.child.on('close', (code, signal) => {
      this.exited = { code, signal };
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The first line at or after `from` that matches, waiting up to `timeoutMs`. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<{ line: string; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && pattern.test(line));
      if (index >= 0) return { line: this.lines[index]!, index };
      if (this.exited) throw new Error(`exited (${JSON.stringify(this.exited)}) before printing ${pattern}:\n${this.lines.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the process has ended and its output has been read. */
  closed(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const ended = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.kill('SIGTERM');
    await ended;
  }
}

let build: string; // make output and compiled fixtures
let sandbox: string; // under /tmp: where the supervisor may create directories
let outside: string; // not under /tmp
const supervisors: Watched[] = [];

beforeAll(async () => {
  build = mkdtempSync(join(tmpdir(), 'seccompile-notify-build-'));
  sandbox = mkdtempSync('/tmp/seccompile-notify-');
  mkdirSync(join(ROOT, 'test', '.build'), { recursive: true });
  // Not under /tmp, even when the repository is (a CI checkout may be).
  outside = mkdtempSync(existsSync('/var/tmp') && !ROOT.startsWith('/var/tmp/') ? '/var/tmp/seccompile-notify-outside-' : join(ROOT, 'test', '.build', 'notify-outside-'));
  // The example, with its own Makefile, and the fixture's headers, at once.
  const headers = [
    ['compile', join(FIXTURES, 'kit.policy'), '-o', join(build, 'kit_filter.h')],
    ['compile', join(FIXTURES, 'plain.policy'), '-o', join(build, 'plain_filter.h')],
    ['notify-kit', '-o', join(build, 'seccompile_notify.h')],
  ];
  await Promise.all([
    ok(run('make', ['-C', EXAMPLE, `OUT=${join(build, 'example')}`, 'WERROR=-Werror']), 'make'),
    ...headers.map((args) => ok(seccompile(args), `seccompile ${args.join(' ')}`)),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(supervisors.map((s) => s.stop()));
  for (const dir of [build, sandbox, outside]) if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('the notify kit and the installer', () => {
  it('`seccompile notify-kit` writes the kit to stdout and to -o files alike', async () => {
    const [stdout, help] = await Promise.all([seccompile(['notify-kit']), seccompile(['--help'])]);
    expect(stdout.code).toBe(0);
    expect(stdout.out).toBe(readFileSync(join(build, 'seccompile_notify.h'), 'utf8'));
    for (const name of ['scn_alloc', 'scn_free', 'scn_recv', 'scn_respond_value', 'scn_respond_error', 'scn_respond_continue', 'scn_id_valid', 'scn_addfd', 'scn_addfd_respond', 'scn_mem_open', 'scn_mem_read', 'scn_read_memory', 'scn_read_string']) {
      expect(stdout.out).toMatch(new RegExp(`^static inline [a-z ]+\\b${name}\\(`, 'm'));
    }
    expect(help.out).toContain('notify-kit');
  });

  it('the generated headers compile with -Wall -Wextra -Werror, -std=c99 -pedantic and as C++, in two translation units, with old kernel headers too', async () => {
    const dir = join(build, 'compile');
    mkdirSync(dir, { recursive: true });
    for (const name of ['kit_filter.h', 'plain_filter.h', 'seccompile_notify.h']) writeFileSync(join(dir, name), readFileSync(join(build, name)));
    writeFileSync(join(dir, 'notify_mkdir_filter.h'), readFileSync(join(build, 'example', 'notify_mkdir_filter.h')));
    // Every header in both units, in different orders; one program: nothing may be defined twice.
    const unitA = '#include "kit_filter.h"\n#include "seccompile_notify.h"\n#include "plain_filter.h"\n#include "notify_mkdir_filter.h"\n#include "kit_filter.h"\n'
      + 'int unit_a(void);\nint unit_a(void)\n{\n\tstruct scn_buffers b;\n\tint r = scn_alloc(&b);\n\n\tscn_free(&b);\n\treturn r + (int)sizeof(kit_filter) + (int)plain_filter_prog.len;\n}\n';
    const unitB = '#include "seccompile_notify.h"\n#include "notify_mkdir_filter.h"\n#include "plain_filter.h"\n#include "kit_filter.h"\n'
      + 'int unit_a(void);\nint main(int argc, char **argv)\n{\n\t(void)argv;\n\tif (argc > 5)\n\t\treturn kit_filter_install() + plain_filter_install_flags(SECCOMP_FILTER_FLAG_LOG) + notify_mkdir_filter_install() + scn_id_valid(-1, 0);\n\treturn unit_a() > 0 ? 0 : 1;\n}\n';
    writeFileSync(join(dir, 'a.c'), unitA);
    writeFileSync(join(dir, 'b.c'), unitB);
    writeFileSync(join(dir, 'a.cc'), unitA);
    writeFileSync(join(dir, 'b.cc'), unitB);
    const warnings = ['-Wall', '-Wextra', '-Werror'];
    const builds: { what: string; compiler: string; args: string[] }[] = [];
    let n = 0;
    for (const [std, compiler, units] of [[[], 'gcc', ['a.c', 'b.c']], [['-std=c99', '-pedantic'], 'gcc', ['a.c', 'b.c']], [['-std=c11', '-pedantic', '-O2'], 'gcc', ['a.c', 'b.c']], [['-std=c++20', '-pedantic'], 'g++', ['a.cc', 'b.cc']]] as const) {
      for (const libc of [[], ['-D_GNU_SOURCE', '-DSECCOMPILE_USE_LIBC_SYSCALL']]) {
        for (const [kernel, include] of [['system', []], ['4.19', ['-I', OLD_HEADERS['4.19']]], ['5.0', ['-I', OLD_HEADERS['5.0']]]] as const) {
          const out = join(dir, `program-${n++}`);
          builds.push({ what: `${compiler} ${[...std, ...libc].join(' ')} with ${kernel} headers`, compiler, args: [...std, ...warnings, ...libc, ...include, '-I', dir, ...units.map((u) => join(dir, u)), '-o', out] });
        }
      }
    }
    const results = await Promise.all(builds.map((b) => run(b.compiler, b.args)));
    results.forEach((result, i) => expect(result.code, `${builds[i]!.what}:\n${result.stderr}`).toBe(0));
    // libc's syscall() needs _GNU_SOURCE under -std=c99; the default needs nothing.
    const strict = await run('gcc', ['-std=c99', '-pedantic', ...warnings, '-DSECCOMPILE_USE_LIBC_SYSCALL', '-I', dir, '-c', join(dir, 'a.c'), '-o', join(dir, 'strict.o')]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/syscall/);
  });

  const EXPECTED_KIT_CHECK = [
    // Installers: the listener fd, 0, or -errno.
    'plain_filter_install: 0',
    'kit_filter_install: fd',
    'plain + wait_killable_recv: EINVAL',
    'kit + tsync: EINVAL',
    'kit + tsync + tsync_esrch: fd',
    'kit twice: EBUSY',
    'kit + unknown flag: EINVAL',
    'plain + new_listener: fd',
    'kit + wait_killable_recv + log: fd',
    'plain + tsync, a thread with its own filter: ESRCH',
    'kit without a listener: getppid: ENOSYS',
    // The kit, against a filtered thread.
    'supervisor: scn_alloc -> 0, sizes ok',
    'supervisor: id_valid while pending -> 0',
    'supervisor: id_valid after the answer -> ENOENT',
    'worker: continue -> the real ppid',
    'worker: value -> 12345',
    'worker: error -> EACCES',
    'supervisor: read_string -> "hello, supervisor"',
    'worker: string -> 17',
    'worker: addfd_respond -> fd reads "sent"',
    'worker: addfd at 77 -> fd 77 reads "placed"',
    'worker: read_memory -> the value',
    'worker: unterminated string -> EFAULT',
    'worker: long string -> ENAMETOOLONG',
    'supervisor: scn_respond_error(0) -> EINVAL',
  ];

  it('installers return the listener fd, 0 or -errno; every kit function works in the kernel (CONTINUE lets the call proceed), with current and old kernel headers', async () => {
    const variants: [string, string[]][] = [
      ['system headers', []],
      ['libc syscall()', ['-DSECCOMPILE_USE_LIBC_SYSCALL']],
      ['Linux 5.0 headers', ['-I', OLD_HEADERS['5.0']]],
      ['Linux 4.19 headers', ['-I', OLD_HEADERS['4.19']]],
    ];
    const binaries = variants.map((_, i) => join(build, `kit-check-${i}`));
    const compiled = await Promise.all(variants.map(([, extra], i) =>
      run('gcc', ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-pthread', ...extra, '-I', build, join(FIXTURES, 'kit-check.c'), '-o', binaries[i]!])));
    compiled.forEach((result, i) => expect(result.code, `${variants[i]![0]}:\n${result.stderr}`).toBe(0));
    const runs = await Promise.all(binaries.map((binary) => run(binary, [])));
    runs.forEach((result, i) => {
      const what = variants[i]![0];
      expect(result.code, `${what}:\n${result.out}${result.stderr}`).toBe(0);
      const lines = result.out.split('\n').filter((l) => l !== '');
      // Answering an answered notification: ENOENT, or EINPROGRESS while the target wakes up.
      const again = lines.filter((l) => l.startsWith('supervisor: answering again -> '));
      expect(again, what).toHaveLength(1);
      expect(['supervisor: answering again -> ENOENT', 'supervisor: answering again -> EINPROGRESS'], what).toContain(again[0]);
      // Install checks in order; the two threads' lines in any order.
      const rest = lines.filter((l) => !again.includes(l));
      expect(rest.slice(0, 11), what).toEqual(EXPECTED_KIT_CHECK.slice(0, 11));
      expect([...rest].sort(), what).toEqual([...EXPECTED_KIT_CHECK].sort());
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('examples/notify-mkdir in the kernel', () => {
  const target = (): string => join(build, 'example', 'target');

  async function startSupervisor(args: readonly string[] = []): Promise<{ supervisor: Watched; socket: string }> {
    const socket = join(mkdtempSync(join(sandbox, 'sock-')), 's');
    const supervisor = new Watched(join(build, 'example', 'supervisor'), [...args, socket]);
    supervisors.push(supervisor);
    await supervisor.waitFor(/^supervisor: listening on /);
    return { supervisor, socket };
  }

  let shared: Promise<{ supervisor: Watched; socket: string }> | undefined;
  const sharedSupervisor = (): Promise<{ supervisor: Watched; socket: string }> => (shared ??= startSupervisor());

  it('builds with make from the example directory: the programs and the generated headers', () => {
    for (const name of ['supervisor', 'target', 'notify_mkdir_filter.h', 'seccompile_notify.h']) expect(existsSync(join(build, 'example', name)), name).toBe(true);
    const header = readFileSync(join(build, 'example', 'notify_mkdir_filter.h'), 'utf8');
    expect(header).toContain('static inline int notify_mkdir_filter_install(void)');
    expect(header).toMatch(/#define NOTIFY_MKDIR_FILTER_NEEDS_LISTENER 1/);
    expect(header).toMatch(/#define NOTIFY_MKDIR_FILTER_FLAGS 0x8u/);
  });

  it('mkdir and mkdirat under /tmp succeed: the supervisor creates the directory, with the mode and umask of the target', async () => {
    const { supervisor, socket } = await sharedSupervisor();
    const a = join(sandbox, 'made');
    const b = join(sandbox, 'made-at');
    const result = await run(target(), [socket, a, `at:${b}`, a]);
    expect(result.out.split('\n').slice(1)).toEqual([`mkdir ${a}: OK`, `mkdirat ${b}: OK`, `mkdir ${a}: EEXIST`, '']);
    expect(result.code).toBe(1);
    for (const dir of [a, b]) {
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o755 & ~ownUmask());
    }
    await supervisor.waitFor(new RegExp(`mkdirat "${b}": created`));
  });

  it('mkdir elsewhere fails with EPERM and creates nothing: outside /tmp, through "..", through a symbolic link, /tmp itself', async () => {
    const { socket } = await sharedSupervisor();
    expect(outside.startsWith('/tmp/')).toBe(false);
    const link = join(sandbox, 'link-out');
    symlinkSync(outside, link);
    const paths = [join(outside, 'x'), `${sandbox}/../escaped-${Date.now()}`, join(link, 'y'), `at:${join(link, 'z')}`, join(sandbox, 'no-parent', 'a')];
    const result = await run(target(), [socket, ...paths]);
    expect(result.out.split('\n').slice(1, -1)).toEqual([
      `mkdir ${paths[0]}: EPERM`,
      `mkdir ${paths[1]}: EPERM`,
      `mkdir ${paths[2]}: EPERM`,
      `mkdirat ${join(link, 'z')}: EPERM`,
      `mkdir ${paths[4]}: ENOENT`,
    ]);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(paths[1]!.replace(/^.*\.\.\//, '/tmp/'))).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const root = await run(target(), [socket, '/tmp', '/etc/seccompile-must-not-exist']);
    expect(root.out.split('\n').slice(1, -1)).toEqual(['mkdir /tmp: EEXIST', 'mkdir /etc/seccompile-must-not-exist: EPERM']);
    expect(existsSync('/etc/seccompile-must-not-exist')).toBe(false);
  });

  it('relative paths are resolved against the target\'s working directory; an unmodified program (mkdir -p) works under the filter', async () => {
    const { socket } = await sharedSupervisor();
    const cwd = mkdtempSync(join(sandbox, 'cwd-'));
    const relative = await run(target(), [socket, 'rel', 'at:rel/sub', './rel/sub/x'], { cwd });
    expect(relative.out.split('\n').slice(1, -1)).toEqual(['mkdir rel: OK', 'mkdirat rel/sub: OK', 'mkdir ./rel/sub/x: OK']);
    expect(statSync(join(cwd, 'rel', 'sub', 'x')).isDirectory()).toBe(true);
    const denied = await run(target(), [socket, 'rel2'], { cwd: outside });
    expect(denied.out).toContain('mkdir rel2: EPERM');
    expect(readdirSync(outside)).toEqual([]);
    const deep = join(sandbox, 'p', 'q', 'r');
    const exec = await run(target(), [socket, '--exec', 'mkdir', '-p', deep]);
    expect(exec.code, exec.stderr).toBe(0);
    expect(statSync(deep).isDirectory()).toBe(true);
    const refused = await run(target(), [socket, '--exec', 'mkdir', join(outside, 'w')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted/);
  });

  it('a target killed while the supervisor delays its answer: the supervisor undoes the mkdir, keeps running and serves the next target', async () => {
    const { supervisor, socket } = await startSupervisor(['--delay-ms', '1000']);
    const killed = join(sandbox, 'killed');
    const victim = new Watched(target(), [socket, killed]);
    await victim.waitFor(/ready/);
    const created = await supervisor.waitFor(new RegExp(`pid ${victim.child.pid}: mkdir "${killed}": created`));
    expect(existsSync(killed)).toBe(true);
    victim.child.kill('SIGKILL');
    await supervisor.waitFor(new RegExp(`pid ${victim.child.pid}: gone or interrupted before the answer; removed ${killed}`), created.index);
    await supervisor.waitFor(new RegExp(`target ${victim.child.pid}: finished`), created.index);
    expect((await victim.closed()).signal).toBe('SIGKILL');
    expect(existsSync(killed)).toBe(false);
    expect(supervisor.exited).toBeUndefined();
    const after = join(sandbox, 'after-kill');
    const next = await run(target(), [socket, after, join(outside, 'after')]);
    expect(next.out.split('\n').slice(1, -1)).toEqual([`mkdir ${after}: OK`, `mkdir ${join(outside, 'after')}: EPERM`]);
    expect(statSync(after).isDirectory()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a target interrupted by a signal while it waits: the call is restarted and succeeds once (no EEXIST)', async () => {
    const { supervisor, socket } = await startSupervisor(['--delay-ms', '800']);
    const dir = join(sandbox, 'interrupted');
    const interrupted = new Watched(target(), [socket, dir]);
    await interrupted.waitFor(/ready/);
    const pid = interrupted.child.pid!;
    const created = await supervisor.waitFor(new RegExp(`pid ${pid}: mkdir "${dir}": created`));
    interrupted.child.kill('SIGUSR1');
    await supervisor.waitFor(new RegExp(`pid ${pid}: gone or interrupted before the answer; removed ${dir}`), created.index);
    await interrupted.waitFor(new RegExp(`mkdir ${dir}: `));
    await interrupted.waitFor(/signal\(s\) handled/);
    expect(await interrupted.closed()).toEqual({ code: 0, signal: null });
    expect(interrupted.lines).toContain(`mkdir ${dir}: OK`);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(supervisor.exited).toBeUndefined();
  });

  it('idle connections delay nobody: a target is served while ten connections send nothing, and they are dropped after their deadline', async () => {
    const { supervisor, socket } = await startSupervisor();
    const idle = await Promise.all(Array.from({ length: 10 }, () => new Promise<Socket>((resolve, reject) => {
      const conn = createConnection(socket, () => resolve(conn));
      conn.on('error', reject);
    })));
    const dir = join(sandbox, 'not-stalled');
    const result = await run(target(), [socket, dir]);
    expect(result.out).toContain(`mkdir ${dir}: OK`);
    const served = await supervisor.waitFor(new RegExp(`mkdir "${dir}": created`));
    // Every idle connection is dropped after the served target, not before it.
    for (let i = 0; i < 10; i++) await supervisor.waitFor(/no listener fd within 2000 ms; connection dropped/, served.index);
    expect(supervisor.lines.slice(0, served.index).some((l) => /connection dropped/.test(l))).toBe(false);
    for (const conn of idle) conn.destroy();
  });

  it('serves more than 64 targets at once (its tables grow)', async () => {
    const { supervisor, socket } = await startSupervisor();
    const many = 80;
    const results = await Promise.all(Array.from({ length: many }, (_, i) => run(target(), [socket, '--exec', '/bin/sh', '-c', `sleep 1; mkdir ${join(sandbox, `many-${i}`)} && echo made`], { timeoutMs: 30_000 })));
    expect(results.map((r) => r.out.trim())).toEqual(Array.from({ length: many }, () => 'made'));
    expect(supervisor.lines.filter((l) => /refused/.test(l))).toEqual([]);
  });

  it('a path with a newline cannot forge a log line: what a target sends is escaped', async () => {
    const { supervisor, socket } = await startSupervisor();
    const evil = join(sandbox, 'x\nsupervisor: pid 1: mkdir "etc": created etc');
    const result = await run(target(), [socket, evil]);
    expect(result.out).toContain(': OK');
    const line = await supervisor.waitFor(/x\\x0asupervisor: pid 1/);
    expect(line.line).toMatch(/^supervisor: pid \d+: mkdir ".*\/x\\x0asupervisor: pid 1: mkdir \\"etc\\": created etc": created /);
    expect(supervisor.lines.filter((l) => l.startsWith('supervisor: pid 1:'))).toEqual([]);
  });

  it('answers as the kernel would: a path in a PROT_NONE page is EFAULT, "dir/." creates nothing, a deleted working directory is ENOENT', async () => {
    const { socket } = await startSupervisor();
    const hidden = join(sandbox, 'prot-none');
    const base = join(sandbox, 'base');
    mkdirSync(base);
    // What the kernel answers itself, without a supervisor:
    expect(() => mkdirSync(`${base}/dot/.`)).toThrow(/ENOENT/);
    expect(() => mkdirSync(`${base}/.`)).toThrow(/EEXIST/);
    const result = await run(target(), [socket, `none:${hidden}`, `${base}/dot/.`, `${base}/.`]);
    expect(result.out.split('\n').slice(1, -1)).toEqual([`mkdir ${hidden}: EFAULT`, `mkdir ${base}/dot/.: ENOENT`, `mkdir ${base}/.: EEXIST`]);
    expect(existsSync(hidden)).toBe(false);
    expect(existsSync(join(base, 'dot'))).toBe(false);
    // A directory named as readlink shows a deleted one must not receive the new directory.
    const gone = join(sandbox, 'gone');
    mkdirSync(`${gone} (deleted)`);
    const deleted = await run(target(), [socket, '--exec', '/bin/sh', '-c', `mkdir ${gone} && cd ${gone} && rmdir ${gone} && mkdir child; echo "status $?"`]);
    expect(deleted.stderr).toMatch(/No such file or directory/);
    expect(deleted.out).toBe('status 1\n');
    expect(readdirSync(`${gone} (deleted)`)).toEqual([]);
  });

  it('stops cleanly on SIGTERM and removes its socket', async () => {
    const { supervisor, socket } = await startSupervisor();
    expect(existsSync(socket)).toBe(true);
    await supervisor.stop();
    expect(supervisor.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
    expect(supervisor.lines).toContain('supervisor: stopping');
  });
});

// ---------------------------------------------------------------------------------------------

describe('flags and listener in the other outputs', () => {
  it('JSON records the flags and whether a listener results; sim reports USER_NOTIF; refused combinations are compile errors', async () => {
    const policy = join(EXAMPLE, 'notify-mkdir.policy');
    const [json, withFlags, sim, tsync, killable] = await Promise.all([
      seccompile(['compile', policy, '--format', 'json']),
      seccompile(['compile', policy, '--format', 'json', '--flag', 'log', '--flag', 'tsync', '--flag', 'tsync_esrch', '--flag', 'wait_killable_recv']),
      seccompile(['sim', policy, 'mkdirat', '-q']),
      seccompile(['compile', policy, '--flag', 'tsync', '--format', 'c']),
      seccompile(['compile', join(FIXTURES, 'plain.policy'), '--flag', 'wait_killable_recv', '--format', 'c']),
    ]);
    expect(JSON.parse(json.out)).toMatchObject({ flags: ['new_listener'], flagsValue: 8, needsListener: true, minKernel: '5.0' });
    expect(JSON.parse(withFlags.out)).toMatchObject({ flags: ['tsync', 'log', 'new_listener', 'tsync_esrch', 'wait_killable_recv'], flagsValue: 1 | 2 | 8 | 16 | 32, needsListener: true, minKernel: '5.19' });
    expect(sim.out).toMatch(/-> USER_NOTIF$/m);
    expect(tsync.code).toBe(1);
    expect(tsync.stderr).toMatch(/tsync_esrch.*SC4003/);
    expect(killable.code).toBe(1);
    expect(killable.stderr).toMatch(/wait_killable_recv.*SC4003/);
  });

  it('the C header carries the extra flags into NAME_FLAGS and its installer', async () => {
    const header = await seccompile(['compile', join(FIXTURES, 'plain.policy'), '--format', 'c', '--flag', 'log', '--name', 'logged']);
    expect(header.code).toBe(0);
    expect(header.out).toContain('#define LOGGED_FLAGS 0x2u');
    expect(header.out).toContain('static inline int logged_install_flags(unsigned long extra_flags)');
    expect(header.out).toContain('unsigned long flags = LOGGED_FLAGS | extra_flags;');
  });
});

// realpathSync keeps the /tmp assumption honest: the supervisor allows the literal /tmp only.
it('runs where /tmp is a real directory', () => {
  expect(realpathSync('/tmp')).toBe('/tmp');
});
