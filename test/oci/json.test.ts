// The JSON parser of profiles: values with their positions, and a clear error at the right
// line:column for every kind of malformed JSON (never an exception).
import { describe, expect, it } from 'vitest';
import { createSourceFile, positionOf } from '../../src/diagnostics/source.ts';
import { MAX_JSON_DEPTH, parseJson, type JsonValue } from '../../src/oci/json.ts';

function parse(text: string): JsonValue {
  const result = parseJson(createSourceFile('p.json', text));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** The error as `line:col: message`. */
function error(text: string): string {
  const result = parseJson(createSourceFile('p.json', text));
  if (result.ok) throw new Error('parsed');
  const { line, column } = positionOf(result.error.span.file, result.error.span.start);
  return `${line}:${column}: ${result.error.message}`;
}

describe('JSON values and their spans', () => {
  it('objects, arrays, strings, numbers, booleans and null, with offsets', () => {
    const text = '{ "a": [1, -2, 3.5e2], "b": "x\\u00e9\\n", "c": true, "d": null }';
    const v = parse(text);
    expect(v.kind).toBe('object');
    if (v.kind !== 'object') return;
    expect(v.members.map((m) => m.key)).toEqual(['a', 'b', 'c', 'd']);
    const a = v.members[0]!;
    expect(text.slice(a.keySpan.start, a.keySpan.end)).toBe('"a"');
    expect(text.slice(a.value.span.start, a.value.span.end)).toBe('[1, -2, 3.5e2]');
    expect(a.value.kind === 'array' && a.value.items.map((i) => (i.kind === 'number' ? i.text : ''))).toEqual(['1', '-2', '3.5e2']);
    expect(v.members[1]!.value).toMatchObject({ kind: 'string', value: 'x\u00e9\n' });
    expect(v.members[2]!.value).toMatchObject({ kind: 'boolean', value: true });
    expect(v.members[3]!.value.kind).toBe('null');
  });

  it('keeps 64-bit integers exactly as written', () => {
    const v = parse('[18446744073709551615, 9007199254740993]');
    expect(v.kind === 'array' && v.items.map((i) => (i.kind === 'number' ? BigInt(i.text) : 0n))).toEqual([18446744073709551615n, 9007199254740993n]);
  });

  it('keeps duplicate members in order (the schema decides)', () => {
    const v = parse('{"a": 1, "a": 2}');
    expect(v.kind === 'object' && v.members.length).toBe(2);
  });

  it('accepts surrounding white space of every JSON kind', () => {
    expect(parse(' \t\r\n{}\n ').kind).toBe('object');
  });
});

describe('malformed JSON: one error, at its place', () => {
  const cases: [string, string, string][] = [
    ['empty file', '', '1:1: the file is empty: expected a JSON object'],
    ['white space only', '  \n ', '1:1: the file is empty: expected a JSON object'],
    ['missing closing brace', '{"a": 1', '1:8: expected `,` or `}` after an object member, found the end of the input'],
    ['missing comma', '{"a": 1\n "b": 2}', '2:2: expected `,` or `}` after an object member, found `"`'],
    ['trailing comma in an object', '{"a": 1,\n}', '2:1: trailing comma: a `}` cannot follow a `,` in JSON'],
    ['trailing comma in an array', '[1, 2, ]', '1:8: trailing comma: a `]` cannot follow a `,` in JSON'],
    ['unquoted key', '{a: 1}', '1:2: expected a member name in double quotes, found `a`'],
    ['single quotes', "{'a': 1}", '1:2: expected a member name in double quotes, found `\'`'],
    ['single-quoted value', "{\"a\": 'x'}", '1:7: JSON strings are written in double quotes, not single quotes'],
    ['missing colon', '{"a" 1}', '1:6: expected `:` after the member name, found `1`'],
    ['unterminated string', '{"a": "abc', '1:7: unterminated string: the input ends before its closing `"`'],
    ['newline in a string', '{"a": "ab\ncd"}', '1:7: unterminated string: a string cannot span lines (write \\n for a newline)'],
    ['control character in a string', '{"a": "a\tb"}', '1:9: a control character (U+0009) must be escaped inside a string'],
    ['bad escape', '{"a": "\\x41"}', '1:8: invalid escape `\\x` in a string'],
    ['bad unicode escape', '{"a": "\\u12G4"}', '1:8: invalid \\u escape: four hexadecimal digits must follow \\u'],
    ['leading zero', '{"a": 012}', '1:7: invalid number `012` (JSON numbers have no leading zeros)'],
    ['hexadecimal number', '{"a": 0x10}', '1:7: invalid number `0x10` (JSON has no hexadecimal numbers: write it in decimal)'],
    ['lone minus', '[-]', '1:2: invalid number `-`'],
    ['fraction without digits', '[1.]', '1:2: invalid number `1.`'],
    ['unknown word', '{"a": True}', '1:7: unknown word `True`: JSON values are objects, arrays, strings, numbers, true, false and null'],
    ['NaN', '[NaN]', '1:2: unknown word `NaN`: JSON values are objects, arrays, strings, numbers, true, false and null'],
    ['truncated literal', '[nul', '1:2: unknown word `nul`: JSON values are objects, arrays, strings, numbers, true, false and null'],
    ['comment', '{\n  // the default\n  "a": 1}', '2:3: comments are not allowed in JSON (expected a member name in double quotes)'],
    ['block comment', '[1, /* two */ 2]', '1:5: comments are not allowed in JSON (expected a JSON value)'],
    ['two values', '{} {}', '1:4: unexpected `{` after the end of the JSON value'],
    ['garbage after the value', '{"a": 1}x', '1:9: unexpected `x` after the end of the JSON value'],
    ['stray closing bracket', ']', '1:1: expected a JSON value, found `]`'],
    ['missing value', '{"a": }', '1:7: expected a JSON value, found `}`'],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(error(text)).toBe(expected));
  }

  it(`nesting deeper than ${MAX_JSON_DEPTH} levels is an error, not a stack overflow`, () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(error(deep)).toMatch(/^1:\d+: the JSON is nested more than 256 levels deep$/);
  });

  it('a huge flat array is fine', () => {
    const big = `[${Array.from({ length: 200_000 }, (_, i) => i).join(',')}]`;
    const v = parse(big);
    expect(v.kind === 'array' && v.items.length).toBe(200_000);
  });
});
