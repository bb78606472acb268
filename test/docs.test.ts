// The listings and traces in the documentation are what seccompile prints for the policies shown
// next to them: each example policy is taken from the page, run through the built CLI, and the
// output compared with the page.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/diagnostic.ts';
import { ROOT } from './support/cli-build.ts';
import { run, runCli } from './support/run.ts';

interface Block {
  readonly lang: string;
  readonly text: string;
}

function blocks(page: string): Block[] {
  const text = readFileSync(join(ROOT, 'docs', page), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** The first block of the page whose text satisfies `test`. */
function block(page: string, test: (text: string) => boolean): string {
  const found = blocks(page).find((b) => test(b.text));
  if (!found) throw new Error(`no such example in docs/${page}`);
  return found.text;
}

/** The example output that follows the line `$ COMMAND` in a block of the page. */
function shownOutput(page: string, command: string): string {
  const text = block(page, (t) => t.includes(`$ ${command}\n`));
  const after = text.slice(text.indexOf(`$ ${command}\n`) + command.length + 3);
  const next = after.indexOf('\n$ ');
  return next < 0 ? after : after.slice(0, next + 1);
}

const dir = mkdtempSync(join(tmpdir(), 'seccompile-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a policy of the page into the scratch directory, under the name the page gives it. */
function policyFile(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

async function expectShown(page: string, command: string): Promise<void> {
  const output = shownOutput(page, command);
  const args = command.replace(/^seccompile /, '').match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, '$1'));
  const run = await runCli(args, { cwd: dir });
  expect(run.stderr).toBe('');
  expect(run.out, `docs/${page}: ${command}`).toBe(output);
}

describe('docs/language.md', () => {
  it('shows the listing of the deny-list example', async () => {
    policyFile('ptrace.policy', block('language.md', (t) => t === 'default allow\nerrno(EPERM) ptrace\n'));
    const listing = block('language.md', (t) => t.startsWith(' line  CODE') && t.includes('ERRNO(1)') && t.includes('KILL_PROCESS') && t.split('\n').length < 16);
    const run = await runCli(['compile', 'ptrace.policy', '--format', 'asm'], { cwd: dir });
    expect(run.out).toBe(listing);
  });

  it('shows the listing and the calls of the worked example', async () => {
    policyFile('compress.policy', block('language.md', (t) => t.startsWith('# compress.policy')));
    await expectShown('language.md', 'seccompile compile compress.policy --format asm');
    for (const call of ['write fd=3 -q', 'openat dfd=AT_FDCWD flags=O_RDONLY -q', "openat dfd=AT_FDCWD 'flags=O_WRONLY|O_CREAT' -q", "mmap 'prot=PROT_READ|PROT_EXEC' -q", 'write fd=0x100000001']) {
      await expectShown('language.md', `seccompile sim compress.policy ${call}`);
    }
  });

  it('shows the calls of the first policy', async () => {
    policyFile('first.policy', block('language.md', (t) => t.startsWith('# first.policy')));
    await expectShown('language.md', 'seccompile sim first.policy openat flags=O_WRONLY -q');
    await expectShown('language.md', 'seccompile sim first.policy execve -q');
  });
});

describe('docs/output-formats.md', () => {
  it('shows the listing, the C array and a trace of small.policy', async () => {
    policyFile('small.policy', block('output-formats.md', (t) => t.startsWith('default errno(EPERM)\nallow read, write if fd <= 2\nnotify mkdir')));
    const listing = block('output-formats.md', (t) => t.startsWith(' line  CODE') && t.includes('USER_NOTIF'));
    const asm = await runCli(['compile', 'small.policy', '--format', 'asm'], { cwd: dir });
    expect(asm.out).toBe(listing);
    const header = await runCli(['compile', 'small.policy', '--format', 'c'], { cwd: dir });
    const array = (text: string): string => text.slice(text.indexOf('static const struct sock_filter small_filter['), text.indexOf('};', text.indexOf('static const struct sock_filter small_filter[')));
    expect(array(header.out)).toBe(array(block('output-formats.md', (t) => t.includes('static const struct sock_filter small_filter['))));
    await expectShown('output-formats.md', 'seccompile sim small.policy write fd=5');
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shellLines = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1]!.split('\n'));

  /** Runs README lines in bash as written, with `seccompile` the built CLI, in the scratch directory. */
  function bash(lines: readonly string[]): ReturnType<typeof run> {
    const shim = join(dir, 'bin');
    if (!existsSync(shim)) {
      mkdirSync(shim);
      writeFileSync(join(shim, 'seccompile'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'seccompile.js')}" "$@"\n`);
      chmodSync(join(shim, 'seccompile'), 0o755);
      symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
    }
    return run('/bin/bash', ['-e', '-c', lines.join('\n')], { cwd: dir, env: { PATH: `${shim}:${process.env['PATH'] ?? ''}` } });
  }

  it('the sim example with flags runs as written in bash', async () => {
    const line = shellLines.find((l) => l.startsWith('seccompile sim examples/web-server.policy openat'))!;
    const result = await bash([line]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.out).toMatch(/^openat\(.*flags=0x41.*\) \[.*\] -> ERRNO\(13\)\n/);
  });

  it('the bubblewrap example compiles a policy meant for bwrap, and the command runs under it', async () => {
    const index = shellLines.findIndex((l) => l.startsWith('bwrap '));
    const lines = shellLines.slice(index - 1, index + 1);
    expect(lines[0]).toMatch(/^seccompile compile examples\/\S+\.policy -o (\S+\.bpf)$/);
    const result = await bash(lines);
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expect(result.out).toMatch(/^GNU Make/);
  });
});

describe('diagnostic codes', () => {
  it('every code the compiler can report is in a documented table (docs/language.md §11, docs/oci.md §9)', () => {
    const tables = ['language.md', 'oci.md'].map((page) => readFileSync(join(ROOT, 'docs', page), 'utf8')).join('\n');
    const documented = new Set([...tables.matchAll(/^\| `?(SC\d{4})`? \|/gm)].map((m) => m[1]!));
    expect(Object.keys(DIAGNOSTIC_CODES).filter((code) => !documented.has(code))).toEqual([]);
  });
});
