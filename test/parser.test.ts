import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../src/diagnostics/source.ts';
import type { Expr, RuleStatement } from '../src/parser/ast.ts';
import { parsePolicy } from '../src/parser/index.ts';
import { parseNumberLiteral } from '../src/parser/numbers.ts';
import { lex } from '../src/parser/lexer.ts';

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

describe('lexer', () => {
  const kinds = (text: string) => lex(text).tokens.map((t) => `${t.kind}:${t.image}`);

  it('reads each kind of token, longest operator first', () => {
    expect(kinds('allow read if a<=1&&b!=0x10 or not c in {"s"}')).toEqual([
      'action:allow', 'name:read', 'keyword:if', 'name:a', 'punct:<=', 'number:1', 'punct:&&', 'name:b', 'punct:!=', 'number:0x10',
      'keyword:or', 'keyword:not', 'name:c', 'keyword:in', 'punct:{', 'string:"s"', 'punct:}', 'end:',
    ]);
    expect(kinds('a<<b>>c<d>e=f!g&h|i^j~k+l-m,(n)')).toEqual([
      'name:a', 'punct:<<', 'name:b', 'punct:>>', 'name:c', 'punct:<', 'name:d', 'punct:>', 'name:e', 'punct:=', 'name:f', 'punct:!', 'name:g',
      'punct:&', 'name:h', 'punct:|', 'name:i', 'punct:^', 'name:j', 'punct:~', 'name:k', 'punct:+', 'name:l', 'punct:-', 'name:m', 'punct:,',
      'punct:(', 'name:n', 'punct:)', 'end:',
    ]);
  });

  it('gives way to a longer word: a keyword or action that starts a name is part of the name', () => {
    expect(kinds('index notify not allowed kill_process kill killer x32 x32_abi _in')).toEqual([
      'name:index', 'action:notify', 'keyword:not', 'name:allowed', 'action:kill_process', 'action:kill', 'name:killer', 'keyword:x32', 'name:x32_abi', 'name:_in', 'end:',
    ]);
  });

  it('keeps comments apart, ending them at LF, CR or CRLF', () => {
    const lexed = lex('# a\rallow # b\r\nread #c\n#');
    expect(lexed.comments.map((t) => t.image)).toEqual(['# a', '# b', '#c', '#']);
    expect(lexed.tokens.map((t) => t.image)).toEqual(['allow', 'read', '']);
  });

  it('reads a whole bad literal as one token, with its value 0 and an error', () => {
    const lexed = lex('0x1g 12');
    expect(lexed.tokens.map((t) => [t.image, t.value])).toEqual([['0x1g', 0n], ['12', 12n], ['', undefined]]);
    expect(lexed.errors).toMatchObject([{ code: 'SC1003', start: 0, end: 4 }]);
  });

  it('drops runs of characters no token starts with, and says where', () => {
    const lexed = lex('a @$% b \u20ac');
    expect(lexed.tokens.map((t) => t.image)).toEqual(['a', 'b', '']);
    expect(lexed.errors.map((e) => [e.text, e.start, e.end])).toEqual([['@$%', 2, 5], ['\u20ac', 8, 9]]);
    expect(lexed.gaps).toEqual([2, 8]);
  });

  it('ends a string on its line, and takes only \\" and \\\\ as escapes', () => {
    expect(lex('"a\\"b\\\\" x').tokens.map((t) => t.image)).toEqual(['"a\\"b\\\\"', 'x', '']);
    const open = lex('"abc\ndef"');
    expect(open.errors.map((e) => [e.code, e.start, e.end])).toEqual([['SC1004', 0, 4], ['SC1004', 8, 9]]);
    expect(open.tokens.map((t) => t.image)).toEqual(['def', '']);
    expect(lex('"a\\nb"').errors).toMatchObject([{ code: 'SC1002', start: 2, end: 4 }]);
    // An unterminated string reports only that it is unterminated.
    expect(lex('"a\\nb').errors.map((e) => e.code)).toEqual(['SC1004']);
    // One that ends in an escaped quote is no string either: its characters are dropped.
    const escapedQuote = lex('"abc\\"\nx');
    expect([escapedQuote.tokens.map((t) => t.image), escapedQuote.gaps, escapedQuote.errors.map((e) => e.code)]).toEqual([['x', ''], [0], ['SC1004']]);
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
    expect(rule.syscalls.map((s) => (s.kind === 'number' ? s.value : s.name))).toEqual(['read', 'write']);
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

describe('any sequence of tokens', () => {
  // Recovery must neither throw nor loop, and every message must point into the text.
  const WORDS = ['default', 'allow', 'errno', 'kill', 'x32', 'foreign_arch', 'arch', 'define', 'include', 'if', 'and', 'or', 'not', 'in',
    'read', 'fd', 'x86_64', '1', '0x1g', '"p"', '"q', '(', ')', '{', '}', ',', '=', '==', '<', '-', '~', '!', '&&', '|', '@', '#c\n', '\n'];
  it('parses or reports errors with positions, for 3,000 random sequences', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + random(14) }, () => WORDS[random(WORDS.length)]).join(' ');
      const result = parse(text);
      if (result.policy) accepted++;
      else expect(result.diagnostics.length, text).toBeGreaterThan(0);
      for (const d of result.diagnostics) {
        expect(d.span!.start, text).toBeGreaterThanOrEqual(0);
        expect(d.span!.end, text).toBeLessThanOrEqual(Math.max(1, text.length));
        expect(d.span!.end, text).toBeGreaterThan(d.span!.start);
      }
    }
    expect(accepted).toBeGreaterThan(10);
  });
});
