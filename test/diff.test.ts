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
    expect(result.out).toBe('socket: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n');
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
    expect(raw.out).toBe('socket: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n');
  }, 60_000);

  it('markdown for a pull request, and GitHub annotations on the line of B that decides', async () => {
    const [markdown, github] = await Promise.all([runCli(['diff', NETLINK, OPEN, '--format', 'markdown']), runCli(['diff', NETLINK, OPEN, '--format', 'github'])]);
    expect(markdown.out).toContain('| `socket` | errno(EAFNOSUPPORT) | allow | `socket(family=0x10) [nr 0x29, arch x86_64]` |');
    expect(github.out).toBe(`::notice file=${OPEN},line=3,col=7,title=seccompile diff::socket: errno(EAFNOSUPPORT) → allow, e.g. socket(family=0x10) [nr 0x29, arch x86_64]\n`);
    expect((await runCli(['diff', NETLINK])).code).toBe(2);
  });
});
