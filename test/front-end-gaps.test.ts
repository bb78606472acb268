/**
 * Smaller gaps of the front end against docs/language.md: line endings, string escapes, doubled
 * commas, where `default` stands, x32's own numbers, writing over an input, the 2^128 limit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/compile.ts';
import { positionOf } from '../src/diagnostics/source.ts';
import { runCli } from './support/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-gaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(text: string) {
  return compilePolicy(text, { path: 'p.policy' });
}

function codes(text: string): string[] {
  return compile(text).diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
}

describe('line endings', () => {
  it('a lone CR ends a line, and a comment with it: the rules after it count', () => {
    const result = compile('default allow # a comment\rerrno(1) read # another\rerrno(2) write\r');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.filter.policy.rules.map((r) => r.syscall.name)).toEqual(['read', 'write']);
  });

  it('positions count CR, CRLF and LF lines alike', () => {
    for (const eol of ['\r', '\r\n', '\n']) {
      const [d] = compile(`default allow${eol}# c${eol}errno(1) rad${eol}`).diagnostics;
      expect(d && positionOf(d.span!.file, d.span!.start), JSON.stringify(eol)).toEqual({ line: 3, column: 10 });
    }
  });
});

describe('strings', () => {
  it('an unknown escape is an error, where it used to drop the backslash', () => {
    expect(codes('default allow\ninclude "a\\nb"\n')).toEqual(['error SC1002 unknown escape `\\n` in a string: only `\\"` and `\\\\` are escapes']);
  });

  it('\\" and \\\\ are escapes', () => {
    const host = { resolve: (_from: string, spec: string) => spec, readFile: (path: string) => (path === 'a"b\\c' ? { text: 'allow read\n' } : { error: 'no such file' }) };
    const result = compilePolicy('default allow\ninclude "a\\"b\\\\c"\n', { path: 'p.policy', host });
    expect(result.diagnostics).toEqual([]);
  });
});

describe('syscall lists', () => {
  it('two commas in a row are an error in both forms, with a message that says so', () => {
    for (const list of ['{read,,write}', 'read,,write']) {
      expect(codes(`default allow\nerrno(1) ${list}\n`)).toEqual(['error SC1002 two commas in a row: an item of the list is missing']);
    }
  });

  it('white space, a comma or both separate the items of the brace form', () => {
    const result = compile('default allow\nerrno(1) { read write, close ,fstat }\n');
    expect(result.ok && result.filter.policy.rules.map((r) => r.syscall.name)).toEqual(['read', 'write', 'close', 'fstat']);
  });
});

describe('where default stands does not matter', () => {
  it('default, x32 and foreign_arch may name a define made after them', () => {
    const result = compile('default errno(E)\nx32 errno(E)\nforeign_arch errno(F)\ndefine E = 13\ndefine F = 14\nallow read\n');
    expect(result.diagnostics).toEqual([]);
    expect(result.ok && [result.filter.policy.defaultAction, result.filter.policy.x32Action, result.filter.policy.foreignArchAction]).toEqual([
      { kind: 'errno', errno: 13 }, { kind: 'errno', errno: 13 }, { kind: 'errno', errno: 14 },
    ]);
  });

  it('a rule still reads only the defines made before it', () => {
    expect(codes('default allow\nerrno(E) read\ndefine E = 13\n')[0]).toMatch(/^error SC2003 unknown name `E`/);
  });
});

describe('x32\'s own numbers', () => {
  it('a rule for 512-547 warns that no x86-64 call reaches such a syscall', () => {
    expect(codes('default allow\nerrno(1) 512\n')).toEqual([
      'warning SC2010 syscall 512 is x32\'s `rt_sigaction` (0x40000200 on x32): an x86-64 call with number 512 reaches no syscall, and x32 calls get the `x32` action',
    ]);
    expect(codes('default allow\nerrno(1) 511\n')).toEqual([]);
  });
});

describe('the 2^128 limit', () => {
  it('excludes 2^128 itself', () => {
    // P64 = 2^127 by doubling (shifts stop at 63); 2^127 + 2^127 is 2^128.
    const powers = ['define P0 = 1 << 63', ...Array.from({ length: 64 }, (_, i) => `define P${i + 1} = P${i} + P${i}`)].join('\n');
    expect(codes(`${powers}\ndefine TOO_BIG = P64 + P64\ndefault allow\n`)).toEqual(['error SC2013 constant expression overflows']);
    expect(codes(`${powers}\ndefine LARGEST = P64 + (P64 - 1)\ndefine SMALLEST = -LARGEST\ndefault allow\n`)).toEqual([]);
    expect(codes(`${powers}\ndefine TOO_SMALL = -P64 - P64\ndefault allow\n`)).toEqual(['error SC2013 constant expression overflows']);
  });
});

describe('the output never replaces an input', () => {
  it('compile and convert refuse -o naming the policy, an included file or the profile, however spelt', async () => {
    const policy = join(dir, 'p.policy');
    const fragment = join(dir, 'frag.policy');
    const text = 'default allow\ninclude "frag.policy"\n';
    writeFileSync(policy, text);
    writeFileSync(fragment, 'errno(1) read\n');
    for (const output of [policy, fragment, join(dir, '..', dir.split('/').pop()!, 'p.policy')]) {
      const result = await runCli(['compile', policy, '-o', output]);
      expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('refusing to write the output over')]);
    }
    expect(readFileSync(policy, 'utf8')).toBe(text);
    const profile = join(dir, 'p.json');
    writeFileSync(profile, '{"defaultAction": "SCMP_ACT_ALLOW"}');
    expect((await runCli(['convert', profile, '-o', profile])).code).toBe(2);
    expect((await runCli(['compile', policy, '-o', join(dir, 'p.bpf')])).code).toBe(0);
  });
});
