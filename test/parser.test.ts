import { describe, expect, it } from 'vitest';
import { Lexer } from 'chevrotain';
import { createSourceFile } from '../src/diagnostics/source.ts';
import type { Expr, RuleStatement } from '../src/parser/ast.ts';
import { PolicyParser } from '../src/parser/grammar.ts';
import { parsePolicy } from '../src/parser/index.ts';
import { parseNumberLiteral } from '../src/parser/numbers.ts';
import { ALL_TOKENS, createPolicyLexer } from '../src/parser/tokens.ts';

function parse(text: string) {
  return parsePolicy(createSourceFile('t.policy', text));
}

function statements(text: string) {
  const result = parse(text);
  expect(result.diagnostics).toEqual([]);
  return result.policy!.statements;
}

/** The expression tree in a compact prefix form, for precedence tests. */
function show(expr: Expr): string {
  switch (expr.kind) {
    case 'number': return expr.value.toString();
    case 'name': return expr.name;
    case 'unary': return `(${expr.op} ${show(expr.operand)})`;
    case 'binary': return `(${expr.op} ${show(expr.left)} ${show(expr.right)})`;
    case 'logical': return `(${expr.op} ${expr.operands.map(show).join(' ')})`;
    case 'in': return `(${expr.negated ? 'not in' : 'in'} ${show(expr.operand)} {${expr.elements.map(show).join(' ')}})`;
  }
}

function condition(text: string): string {
  const [rule] = statements(`allow read if ${text}`);
  return show((rule as RuleStatement).condition!);
}

describe('grammar definition', () => {
  // The CLI skips these checks to start fast; here they guard every change to tokens and rules.
  it('passes Chevrotain\'s token and grammar validations', () => {
    expect(createPolicyLexer(true).lexerDefinitionErrors).toEqual([]);
    expect(() => new PolicyParser(true)).not.toThrow();
  });

  it('gives each pattern the first characters and line breaks it really has', () => {
    const patterns = ALL_TOKENS.filter((token) => token.PATTERN instanceof RegExp && token.PATTERN !== Lexer.NA);
    expect(patterns.length).toBeGreaterThan(4);
    for (const token of patterns) {
      const pattern = new RegExp(`^(?:${(token.PATTERN as RegExp).source})`);
      // A character starts a match when it does with one of these continuations.
      const starts = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code))
        .filter((c) => ['', 'a', '0', 'x"', '\n'].some((rest) => (pattern.exec(c + rest)?.[0].length ?? 0) > 0));
      expect([...(token.START_CHARS_HINT as string[])].sort(), token.name).toEqual(starts.sort());
      const spansLines = starts.some((c) => ['\n', ' \n', '\\\n"'].some((rest) => pattern.exec(c + rest)?.[0].includes('\n')));
      expect(token.LINE_BREAKS, token.name).toBe(spansLines);
    }
  });
});

describe('number literals', () => {
  it.each([
    ['0', 0n], ['42', 42n], ['1_000', 1000n], ['0x1F', 31n], ['0XfF', 255n], ['0b101', 5n], ['0o17', 15n], ['017', 15n],
    ['0xffffffffffffffff', 2n ** 64n - 1n],
  ])('%s is %s', (text, value) => {
    expect(parseNumberLiteral(text)).toEqual({ value });
  });

  it.each([['0x1g', 'invalid hexadecimal'], ['09', 'invalid octal'], ['0b2', 'invalid binary'], ['12ab', 'invalid number'], ['1__0', 'invalid number'], ['0x10000000000000000', 'does not fit in 64 bits']])(
    '%s is rejected',
    (text, message) => {
      const parsed = parseNumberLiteral(text);
      expect('error' in parsed && parsed.error).toContain(message);
    },
  );
});

describe('statements', () => {
  it('parses every statement kind', () => {
    const parsed = statements(`# a comment
default errno(EPERM)
x32 kill
foreign_arch trap(3)
define FLAGS = O_CREAT | 0x10
include "other.policy"
allow read, write
kill_thread 500
`);
    expect(parsed.map((s) => s.kind)).toEqual(['default', 'x32', 'foreign_arch', 'define', 'include', 'rule', 'rule']);
    const rule = parsed[5] as RuleStatement;
    expect(rule.action.name).toBe('allow');
    expect(rule.syscalls.map((s) => (s.kind === 'name' ? s.name : s.value))).toEqual(['read', 'write']);
    expect((parsed[6] as RuleStatement).syscalls[0]).toMatchObject({ kind: 'number', value: 500n });
  });

  it('accepts multi-line comma lists and the brace form with optional commas', () => {
    const [a, b] = statements('allow read,\n  write,\n  close\nallow {\n  fstat mmap,\n  brk\n} if arg0 == 0\n') as RuleStatement[];
    expect(a!.syscalls).toHaveLength(3);
    expect(b!.syscalls).toHaveLength(3);
    expect(b!.condition).toBeDefined();
  });

  it('lets `kill` be both an action and a syscall', () => {
    const [rule] = statements('kill kill') as RuleStatement[];
    expect(rule!.action.name).toBe('kill');
    expect(rule!.syscalls[0]).toMatchObject({ kind: 'name', name: 'kill' });
  });

  it('keeps comments for tools', () => {
    const result = parse('# first\nallow read # trailing\n');
    expect(result.policy!.comments.map((c) => c.text)).toEqual(['# first', '# trailing']);
  });

  it('records spans that point at the source', () => {
    const text = 'default allow\nallow   openat if flags & O_CREAT\n';
    const rule = statements(text)[1] as RuleStatement;
    const ref = rule.syscalls[0]!;
    expect(text.slice(ref.span.start, ref.span.end)).toBe('openat');
    expect(text.slice(rule.span.start, rule.span.end)).toBe('allow   openat if flags & O_CREAT');
  });
});

describe('expression precedence', () => {
  it.each([
    ['a == 1 or b == 2 and c == 3', '(or (== a 1) (and (== b 2) (== c 3)))'],
    ['not a == 1 and b', '(and (not (== a 1)) b)'],
    ['flags & O_CREAT == 0', '(== (& flags O_CREAT) 0)'],
    ['(flags & O_ACCMODE) == O_RDONLY', '(== (& flags O_ACCMODE) O_RDONLY)'],
    ['a | b & c ^ d == 1', '(== (| a (^ (& b c) d)) 1)'],
    ['a == 1 << 2 + 1', '(== a (<< 1 (+ 2 1)))'],
    ['a == -1', '(== a (- 1))'],
    ['a == ~0 - 1', '(== a (- (~ 0) 1))'],
    ['x in {1, 2,}', '(in x {1 2})'],
    ['x not in {}', '(not in x {})'],
    ['!(a == 1) && b || c', '(or (and (not (== a 1)) b) c)'],
    ['a or b or c and d and e', '(or a b (and c d e))'],
    ['a - b - c == 0', '(== (- (- a b) c) 0)'],
    ['not a in {1} or b not in {2, 3}', '(or (not (in a {1})) (not in b {2 3}))'],
    ['-~a == - - 1', '(== (- (~ a)) (- (- 1)))'],
    ['a + 1 in {2} and not b', '(and (in (+ a 1) {2}) (not b))'],
  ])('%s', (text, tree) => {
    expect(condition(text)).toBe(tree);
  });
});

describe('syntax errors', () => {
  it('reports every error in one run', () => {
    const result = parse('default allow\nallow read if fd ==\nallow (\nerrno(1) write if\nallow close\n');
    expect(result.policy).toBeUndefined();
    const lines = result.diagnostics.map((d) => d.span && d.span.file.text.slice(0, d.span.start).split('\n').length);
    expect(result.diagnostics.length).toBeGreaterThanOrEqual(3);
    expect(new Set(lines)).toEqual(new Set([3, 4, 5]));
    expect(result.diagnostics.every((d) => d.code === 'SC1002')).toBe(true);
  });

  it('explains a missing comma', () => {
    const [first] = parse('default allow\nallow read write\n').diagnostics;
    expect(first!.message).toBe('unexpected `write`: expected a new statement');
    expect(first!.hint).toContain('separate the items with commas');
  });

  it('names what was expected and after what', () => {
    const [d] = parse('allow read if fd == \nallow write').diagnostics;
    expect(d!.message).toBe('expected a value (a number, a name, or a parenthesised expression) after `==`, found `allow`');
  });

  it('reports bad characters, unterminated strings and bad numbers', () => {
    expect(parse('allow read @').diagnostics[0]).toMatchObject({ code: 'SC1001', message: 'unexpected character `@`' });
    // Beyond ASCII: shown with the code point, or only by it when it could upset a terminal.
    expect(parse('allow ptrace€ # déjà vu, 日本, 😀').diagnostics[0]).toMatchObject({ code: 'SC1001', message: 'unexpected character `€` (U+20AC): outside comments and strings, a policy is written in ASCII', span: { start: 12, end: 13 } });
    expect(parse('allow read\u202e').diagnostics[0]!.message).toBe('unexpected character U+202E: outside comments and strings, a policy is written in ASCII');
    expect(parse('include "abc\n').diagnostics[0]!.code).toBe('SC1004');
    expect(parse('allow read if fd == 0x1g').diagnostics[0]).toMatchObject({ code: 'SC1003', message: 'invalid hexadecimal literal `0x1g`' });
  });

  it('refuses chained comparisons', () => {
    const [d] = parse('allow read if fd == 1 == 1').diagnostics;
    expect(d).toMatchObject({ code: 'SC1002', message: 'comparisons cannot be chained: `==` follows a comparison' });
    expect(parse('allow read if fd < 1 in {1}').diagnostics[0]!.code).toBe('SC1002');
    expect(parse('allow read if (fd == 1) == (count == 2)').diagnostics).toEqual([]);
  });

  it('says binary input is not a policy', () => {
    const [d] = parse('\u0000\u0001\u0002').diagnostics;
    expect(d!.message).toContain('a policy is plain text');
  });

  it('points past the end when the input stops early', () => {
    const text = 'allow read if (fd == 1';
    const [d] = parse(text).diagnostics;
    expect(d!.message).toContain('found the end of the file');
    expect(d!.span!.start).toBe(text.length - 1);
  });
});
