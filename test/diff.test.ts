/**
 * `seccompile diff A B`: the calls that change verdict, derived with the solver, against diffs
 * computed by hand; equivalent policies written differently are equivalent; a profile and its own
 * `convert` are equivalent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILES_DIR } from './oci/support.ts';
import { runCli } from './support/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const NETLINK = file('netlink.policy', 'default errno(EPERM)\nallow read, write\nerrno(EAFNOSUPPORT) socket if family == AF_NETLINK\nallow socket\n');
const OPEN = file('open.policy', 'default errno(EPERM)\nallow read, write\nallow socket\n');
const REWRITTEN = file('rewritten.policy', 'default errno(EPERM)\nallow write, read\nallow socket if family != AF_NETLINK\nerrno(EAFNOSUPPORT) socket\n');

describe('seccompile diff', () => {
  it('names the one change: socket with AF_NETLINK (16) goes from errno(EAFNOSUPPORT) to allow; exit 1', async () => {
    const result = await runCli(['diff', NETLINK, OPEN]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('socket, where family == 16: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n');
  });

  it('regions in the language\'s terms: the deciding rules\' conditions, and whether earlier rules bound them', async () => {
    const a = file('open-a.policy', 'default errno(EPERM)\nallow read\nallow openat if (flags & O_ACCMODE) == O_RDONLY\nerrno(EACCES) openat\n');
    const b = file('open-b.policy', 'default errno(EPERM)\nallow read\nallow openat if (flags & O_ACCMODE) != O_WRONLY\nerrno(EACCES) openat\nallow write\n');
    const result = await runCli(['diff', a, b]);
    // By hand: write was refused by the default and is allowed; openat with O_RDWR (2) or the
    // invalid access mode 3 was refused by A's second rule and is allowed by B's first.
    expect(result.out.split('\n').slice(0, -1)).toEqual([
      expect.stringMatching(/^write: errno\(EPERM\) → allow, e\.g\. write\(.*\) \[nr 0x1, arch x86_64\]$/),
      expect.stringMatching(/^openat, where \(flags & 3\) != 1 and no earlier rule applies: errno\(EACCES\) → allow, e\.g\. openat\(.*flags=0x[23]\b.*\) \[nr 0x101, arch x86_64\]$/),
    ]);
  });

  it('equivalent policies written differently: the same verdict for every call; exit 0', async () => {
    const result = await runCli(['diff', NETLINK, REWRITTEN]);
    expect([result.code, result.out]).toEqual([0, `${NETLINK} and ${REWRITTEN} give every call the same verdict\n`]);
  });

  it('x32 and other architectures are groups of their own', async () => {
    const a = file('x32.policy', 'default allow\nx32 errno(1)\nforeign_arch errno(2)\n');
    const b = file('plain.policy', 'default allow\n');
    const result = await runCli(['diff', a, b, '--format', 'json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.out) as { equivalent: boolean; changes: { group: string; before: string; after: string }[] };
    expect(document.equivalent).toBe(false);
    expect(document.changes.map((c) => [c.group, c.before, c.after])).toEqual([
      ['x32 calls', 'errno(EPERM)', 'kill_process'],
      ['other architectures', 'errno(ENOENT)', 'kill_process'],
    ]);
  });

  it('a profile and the policy `convert` writes for it are equivalent; against a raw filter too', async () => {
    const docker = join(PROFILES_DIR, 'docker-default.json');
    const converted = join(dir, 'docker.policy');
    expect((await runCli(['convert', docker, '--docker-default-caps', '-o', converted])).code).toBe(0);
    const same = await runCli(['diff', docker, converted, '--docker-default-caps']);
    expect([same.code, same.out]).toEqual([0, `${docker} and ${converted} give every call the same verdict\n`]);
    const bpf = join(dir, 'open.bpf');
    expect((await runCli(['compile', OPEN, '-o', bpf])).code).toBe(0);
    const raw = await runCli(['diff', NETLINK, bpf]);
    // Against a raw filter there are no rules to name a region with: the example stands for it.
    expect(raw.out).toBe('socket: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n');
  }, 60_000);

  it('markdown for a pull request, and GitHub annotations on the line of B that decides', async () => {
    const [markdown, github] = await Promise.all([runCli(['diff', NETLINK, OPEN, '--format', 'markdown']), runCli(['diff', NETLINK, OPEN, '--format', 'github'])]);
    expect(markdown.out).toContain('| `socket` | `family == 16` | errno(EAFNOSUPPORT) | allow | `socket(family=0x10) [nr 0x29, arch x86_64]` |');
    expect(github.out).toBe(`::notice file=${OPEN},line=3,col=7,title=seccompile diff::socket, where family == 16: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n`);
    expect((await runCli(['diff', NETLINK])).code).toBe(2);
  });
});

it('human output is coloured on a terminal (FORCE_COLOR), plain otherwise', async () => {
  const [coloured, plain] = await Promise.all([
    runCli(['diff', NETLINK, OPEN], { env: { FORCE_COLOR: '1' } }),
    runCli(['diff', NETLINK, OPEN]),
  ]);
  expect(coloured.out).toContain('\u001b[31merrno(EAFNOSUPPORT)\u001b[39m → \u001b[32mallow\u001b[39m');
  expect(coloured.out.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain.out);
});
