// A strict JSON parser (RFC 8259) that keeps where every value, key and member is in the text, so
// diagnostics about a profile point at the exact place. Numbers keep their text: seccomp values are
// 64-bit and would lose precision as JavaScript numbers.
import type { SourceFile, Span } from '../diagnostics/source.ts';

export type JsonValue =
  | { readonly kind: 'object'; readonly members: readonly JsonMember[]; readonly span: Span }
  | { readonly kind: 'array'; readonly items: readonly JsonValue[]; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  /** `text` is the literal as written, e.g. `-12`, `1.5e3`. */
  | { readonly kind: 'number'; readonly text: string; readonly span: Span }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'null'; readonly span: Span };

export interface JsonMember {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: JsonValue;
  /** From the key to the end of the value. */
  readonly span: Span;
}

export interface JsonSyntaxError {
  readonly message: string;
  readonly span: Span;
}

export type JsonParseResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly error: JsonSyntaxError };

/** Deeper nesting is refused rather than risk the stack (no profile nests more than 5 levels). */
export const MAX_JSON_DEPTH = 256;

class Failure extends Error {
  constructor(readonly at: number, readonly length: number, message: string) {
    super(message);
  }
}

/** What a character is, for messages: `'x'`, `end of input`, `a control character`. */
function describe(text: string, at: number): string {
  if (at >= text.length) return 'the end of the input';
  const c = text.codePointAt(at)!;
  if (c < 0x20 || c === 0x7f) return `a control character (U+${c.toString(16).padStart(4, '0').toUpperCase()})`;
  return `\`${String.fromCodePoint(c)}\``;
}

const SPACE = /[ \t\n\r]*/y;
/** Characters that stand for themselves in a string: not a quote, a backslash or a control character. */
const PLAIN = /[^"\\\x00-\x1f]+/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseJson(file: SourceFile): JsonParseResult {
  const { text } = file;
  let pos = 0;
  const span = (start: number, end: number): Span => ({ file, start, end });

  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.test(text);
    pos = SPACE.lastIndex;
  };

  const unexpected = (expected: string): never => {
    if (text.startsWith('//', pos) || text.startsWith('/*', pos)) throw new Failure(pos, 2, `comments are not allowed in JSON (expected ${expected})`);
    throw new Failure(pos, 1, `expected ${expected}, found ${describe(text, pos)}`);
  };

  const unknownWord = (): never => {
    let end = pos;
    while (end < text.length && /[A-Za-z0-9_]/.test(text[end]!)) end++;
    throw new Failure(pos, Math.max(1, end - pos), `unknown word \`${text.slice(pos, end) || text[pos]}\`: JSON values are objects, arrays, strings, numbers, true, false and null`);
  };

  const literal = (word: string): void => {
    if (!text.startsWith(word, pos) || /[A-Za-z0-9_]/.test(text[pos + word.length] ?? '')) unknownWord();
    pos += word.length;
  };

  const parseString = (): { value: string; start: number; end: number } => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    for (;;) {
      // Runs of plain characters at once, by the regular expression engine.
      PLAIN.lastIndex = pos;
      if (PLAIN.test(text)) {
        out += text.slice(pos, PLAIN.lastIndex);
        pos = PLAIN.lastIndex;
      }
      if (pos >= text.length) throw new Failure(start, 1, 'unterminated string: the input ends before its closing `"`');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return { value: out, start, end: pos };
      }
      if (c === 0x0a) throw new Failure(start, pos - start, 'unterminated string: a string cannot span lines (write \\n for a newline)');
      if (c < 0x20) throw new Failure(pos, 1, `${describe(text, pos)} must be escaped inside a string`);
      if (c !== 0x5c) {
        out += text[pos];
        pos++;
        continue;
      }
      const escape = text[pos + 1];
      if (escape !== undefined && escape in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[escape];
        pos += 2;
      } else if (escape === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Failure(pos, Math.min(6, text.length - pos), 'invalid \\u escape: four hexadecimal digits must follow \\u');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        throw new Failure(pos, Math.min(2, text.length - pos), `invalid escape \`\\${escape ?? ''}\` in a string`);
      }
    }
  };

  const parseNumber = (): JsonValue => {
    const start = pos;
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) {
      // `-`, `01`, `.5`, `1.`: say what is wrong with the whole token.
      let end = pos + 1;
      while (end < text.length && /[0-9A-Za-z_.+-]/.test(text[end]!)) end++;
      throw new Failure(start, end - start, `invalid number \`${text.slice(start, end)}\``);
    }
    pos += match[0].length;
    if (pos < text.length && /[0-9A-Za-z_.]/.test(text[pos]!)) {
      let end = pos;
      while (end < text.length && /[0-9A-Za-z_.+-]/.test(text[end]!)) end++;
      const whole = text.slice(start, end);
      const hint = /^-?0[0-9]/.test(whole) ? ' (JSON numbers have no leading zeros)' : /^-?0x/i.test(whole) ? ' (JSON has no hexadecimal numbers: write it in decimal)' : '';
      throw new Failure(start, end - start, `invalid number \`${whole}\`${hint}`);
    }
    return { kind: 'number', text: match[0], span: span(start, pos) };
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) throw new Failure(pos, 1, `the JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
    skipSpace();
    const start = pos;
    const c = text[pos];
    switch (c) {
      case '{': {
        pos++;
        const members: JsonMember[] = [];
        skipSpace();
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', members, span: span(start, pos) };
        }
        for (;;) {
          skipSpace();
          if (text[pos] !== '"') {
            if (text[pos] === '}' && members.length > 0) throw new Failure(pos, 1, 'trailing comma: a `}` cannot follow a `,` in JSON');
            unexpected('a member name in double quotes');
          }
          const key = parseString();
          skipSpace();
          if (text[pos] !== ':') unexpected('`:` after the member name');
          pos++;
          const value = parseValue(depth + 1);
          members.push({ key: key.value, keySpan: span(key.start, key.end), value, span: span(key.start, value.span.end) });
          skipSpace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            return { kind: 'object', members, span: span(start, pos) };
          }
          unexpected('`,` or `}` after an object member');
        }
      }
      case '[': {
        pos++;
        const items: JsonValue[] = [];
        skipSpace();
        if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items, span: span(start, pos) };
        }
        for (;;) {
          skipSpace();
          if (text[pos] === ']' && items.length > 0) throw new Failure(pos, 1, 'trailing comma: a `]` cannot follow a `,` in JSON');
          items.push(parseValue(depth + 1));
          skipSpace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            return { kind: 'array', items, span: span(start, pos) };
          }
          unexpected('`,` or `]` after an array element');
        }
      }
      case '"': {
        const s = parseString();
        return { kind: 'string', value: s.value, span: span(s.start, s.end) };
      }
      case 't':
        literal('true');
        return { kind: 'boolean', value: true, span: span(start, pos) };
      case 'f':
        literal('false');
        return { kind: 'boolean', value: false, span: span(start, pos) };
      case 'n':
        literal('null');
        return { kind: 'null', span: span(start, pos) };
      case "'":
        throw new Failure(pos, 1, 'JSON strings are written in double quotes, not single quotes');
      default:
        if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return parseNumber();
        if (c !== undefined && /[A-Za-z_]/.test(c)) unknownWord();
        return unexpected('a JSON value');
    }
  };

  try {
    skipSpace();
    if (pos >= text.length) throw new Failure(0, 0, 'the file is empty: expected a JSON object');
    const value = parseValue(0);
    skipSpace();
    if (pos < text.length) throw new Failure(pos, 1, `unexpected ${describe(text, pos)} after the end of the JSON value`);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const start = Math.min(error.at, text.length);
    return { ok: false, error: { message: error.message, span: span(start, Math.min(text.length, start + Math.max(error.length, 0))) } };
  }
}

/** The kind of a value as messages name it: `an object`, `a string`, … */
export function jsonKindName(value: JsonValue): string {
  switch (value.kind) {
    case 'object': return 'an object';
    case 'array': return 'an array';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return value.value ? '`true`' : '`false`';
    case 'null': return '`null`';
  }
}
