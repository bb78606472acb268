/**
 * Output files in hostile places (issue: hostile environments): links planted by another user,
 * temporary files that must be created exclusively, descriptors the shell opened (pipes, `>>`),
 * full devices and file systems, temporary files a killed run left behind.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeIoError } from '../src/host/node-host.ts';
import { BIN, ROOT } from './support/cli-build.ts';
import { run, runCli } from './support/run.ts';

const POLICY = join(ROOT, 'examples', 'web-server.policy');
const NOBODY = 65534;
const dir = mkdtempSync(join(tmpdir(), 'seccompile-output-'));
afterAll(() => {
  spawnSync('umount', [join(dir, 'small')]);
  rmSync(dir, { recursive: true, force: true });
});

function fresh(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

describe('links and temporary files', () => {
  it('a symbolic link another user planted at the output path is not followed: the file it names is untouched', async () => {
    const shared = fresh('shared');
    chmodSync(shared, 0o1777);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'secret\n', { mode: 0o600 });
    symlinkSync(victim, join(shared, 'filter.bpf'));
    lchownSync(join(shared, 'filter.bpf'), NOBODY, NOBODY);
    const result = await runCli(['compile', POLICY, '-o', join(shared, 'filter.bpf')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('it is a symbolic link owned by another user (uid 65534)');
    expect(readFileSync(victim, 'utf8')).toBe('secret\n');
    expect(readdirSync(shared)).toEqual(['filter.bpf']);
  });

  it('a link the user made is followed, and the file it names keeps its mode', async () => {
    const own = fresh('own');
    const real = join(own, 'real.bpf');
    writeFileSync(real, '', { mode: 0o640 });
    symlinkSync('real.bpf', join(own, 'link.bpf'));
    expect((await runCli(['compile', POLICY, '-o', join(own, 'link.bpf')])).code).toBe(0);
    expect(lstatSync(join(own, 'link.bpf')).isSymbolicLink()).toBe(true);
    expect(statSync(real).size % 8).toBe(0);
    expect(statSync(real).size).toBeGreaterThan(0);
    expect(statSync(real).mode & 0o777).toBe(0o640);
  });

  it('the temporary file has an unpredictable name and is created with O_EXCL|O_NOFOLLOW', () => {
    const traced = fresh('traced');
    const trace = spawnSync('strace', ['-f', '-e', 'trace=openat', '-o', join(traced, 'trace.txt'), process.execPath, BIN, 'compile', POLICY, '-o', join(traced, 'out.bpf')], { encoding: 'utf8' });
    expect(trace.status, trace.stderr).toBe(0);
    const opens = readFileSync(join(traced, 'trace.txt'), 'utf8').split('\n').filter((l) => l.includes('out.bpf'));
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatch(/openat\(AT_FDCWD, "[^"]*\/\.out\.bpf\.\d+-[0-9a-f]{16}\.tmp", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW/);
  });

  it('temporary files of the same target left by a dead run are removed; a live run\'s and other targets\' are not', async () => {
    const stale = fresh('stale');
    const dead = 2 ** 22 + 12345; // above pid_max's default: no such process
    const leftovers = [`.out.bpf.${dead}.tmp`, `.out.bpf.${dead}-0123456789abcdef.tmp`];
    const kept = [`.out.bpf.${process.pid}-0123456789abcdef.tmp`, `.other.bpf.${dead}.tmp`];
    for (const name of [...leftovers, ...kept]) writeFileSync(join(stale, name), 'partial');
    expect((await runCli(['compile', POLICY, '-o', join(stale, 'out.bpf')])).code).toBe(0);
    expect(readdirSync(stale).sort()).toEqual([...kept, 'out.bpf'].sort());
  });

  it('a run killed while writing leaves at most its own temporary file, which the next run removes', async () => {
    const killed = fresh('killed');
    const out = join(killed, 'out.bpf');
    // The first run is killed (SIGKILL, injected by strace) at its rename, after the write.
    const child = spawnSync('bash', ['-c', `strace -f -e inject=rename:signal=SIGKILL -o /dev/null "${process.execPath}" "${BIN}" compile "${POLICY}" -o "${out}"; exit 0`], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(readdirSync(killed).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expect((await runCli(['compile', POLICY, '-o', out])).code).toBe(0);
    expect(readdirSync(killed)).toEqual(['out.bpf']);
  });
});

describe('descriptors the shell opened', () => {
  it('-o /dev/stdout into a pipe, /proc/self/fd/1 and /dev/fd/1 write to the descriptor', async () => {
    for (const path of ['/dev/stdout', '/proc/self/fd/1', '/dev/fd/1']) {
      const result = await runCli(['compile', POLICY, '--format', 'asm', '-o', path]);
      expect([result.code, result.stderr], path).toEqual([0, '']);
      expect(result.out).toMatch(/^ line  CODE/);
    }
  });

  it('-o /dev/stdout with >> appends, and later output of the shell stays', async () => {
    const file = join(dir, 'appended.txt');
    const script = `echo before > "${file}"; "${process.execPath}" "${BIN}" compile "${POLICY}" --format asm -o /dev/stdout >> "${file}"; echo after >> "${file}"`;
    expect((await run('bash', ['-c', script])).code).toBe(0);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('before');
    expect(lines[1]).toMatch(/^ line  CODE/);
    expect(lines.at(-2)).toBe('after');
  });

  it('a FIFO is written in place', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const result = await run('bash', ['-c', `cat "${fifo}" > "${fifo}.out" & "${process.execPath}" "${BIN}" compile "${POLICY}" -o "${fifo}"; wait`]);
    expect(result.code).toBe(0);
    expect(statSync(`${fifo}.out`).size % 8).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe('full devices and file systems', () => {
  it('standard output on /dev/full: one line and exit 74 in every command that writes to it', async () => {
    for (const args of [['compile', POLICY, '--format', 'asm'], ['sim', POLICY, 'read'], ['stats', POLICY], ['lint', POLICY], ['notify-kit'], ['--help']]) {
      const result = await run('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.map((a) => `'${a}'`).join(' ')} > /dev/full`]);
      expect(result.code, args.join(' ')).toBe(74);
      expect(result.stderr, args.join(' ')).toBe('seccompile: error: cannot write to standard output: no space left on device (ENOSPC)\n');
    }
  });

  it('a full file system: exit 74, the old file intact, no temporary file left', async () => {
    const small = fresh('small');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', small], { encoding: 'utf8' });
    expect(mounted.status, `mount tmpfs: ${mounted.stderr}`).toBe(0);
    writeFileSync(join(small, 'filler'), Buffer.alloc(4096));
    writeFileSync(join(small, 'out.h'), 'old\n');
    const result = await runCli(['compile', POLICY, '-o', join(small, 'out.h')]);
    expect(result.code).toBe(74);
    expect(result.stderr).toMatch(/^seccompile: error: cannot write \S+out\.h: no space left on device \(ENOSPC\)\n$/);
    expect(readFileSync(join(small, 'out.h'), 'utf8')).toBe('old\n');
    expect(readdirSync(small).sort()).toEqual(['filler', 'out.h']);
  });

  it('errors libuv does not name are named: EDQUOT', () => {
    expect(describeIoError(Object.assign(new Error('UNKNOWN: unknown error, write'), { code: 'UNKNOWN', errno: -122 }))).toBe('disk quota exceeded (EDQUOT)');
    expect(describeIoError(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', errno: -5 }))).toBe('input/output error (EIO)');
  });
});
