// Tokens of the policy language, read by hand in one pass over the text (a generated lexer cost
// more to build at every start than lexing a policy). Newlines are white space: statements are
// delimited by their shape (a statement starts with a keyword or an action name), so a syscall
// list may span several lines.
import { parseNumberLiteral } from './numbers.ts';

export type TokenKind =
  /** `read`, `AF_INET`, `aarch64`: any word that is not a keyword or an action. */
  | 'name'
  /** Decimal, hex, octal or binary; greedy on purpose: `0x1g` is one bad literal, not `0x1` then `g`. */
  | 'number'
  /** A kernel release, `6.1` (digits, a dot, digits): `unknown … since 6.1`. */
  | 'version'
  /** A syscall group, `@basic-io` (systemd's names: lowercase letters, digits and `-`). */
  | 'group'
  | 'string'
  /** `default`, `if`, `and`… (KEYWORDS): the image says which. */
  | 'keyword'
  /** `allow`, `errno`, `kill`… (ACTION_NAMES); `kill` is also a syscall name. */
  | 'action'
  /** Operators and brackets: the image says which. */
  | 'punct'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly image: string;
  /** Offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** A number's value (0 for a bad literal, which is reported). */
  readonly value?: bigint;
}

export const ACTION_NAMES = ['allow', 'log', 'kill_process', 'kill_thread', 'kill', 'trap', 'errno', 'trace', 'notify'] as const;
/** Words that start a statement (besides the actions), then the other keywords. */
export const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set(['default', 'x32', 'foreign_arch', 'unknown', 'arch', 'define', 'include']);
const KEYWORDS: ReadonlySet<string> = new Set([...STATEMENT_KEYWORDS, 'if', 'and', 'or', 'not', 'in']);
const ACTIONS: ReadonlySet<string> = new Set(ACTION_NAMES);

/** Two-character operators, tried before their one-character prefixes. */
const PAIRS: ReadonlySet<string> = new Set(['&&', '||', '==', '!=', '<=', '>=', '<<', '>>']);
const SINGLES = '=!<>&|^~+-(){},';

/** A problem found while lexing, with where it is. */
export interface LexError {
  readonly code: 'SC1001' | 'SC1002' | 'SC1003' | 'SC1004';
  readonly start: number;
  readonly end: number;
  /** The offending characters (SC1001), or the message. */
  readonly text: string;
  readonly hint?: string;
}

/** A `#` comment, kept for tools that read directives from them (lint suppressions). */
export interface CommentText {
  readonly image: string;
  readonly start: number;
  readonly end: number;
}

export interface Lexed {
  /** Ends with a token of kind `end` at the end of the text. */
  readonly tokens: readonly Token[];
  readonly comments: readonly CommentText[];
  readonly errors: readonly LexError[];
  /** Where characters were dropped: a syntax error right after one is a consequence, not news. */
  readonly gaps: readonly number[];
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c);
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
/** A character no token starts with: dropped, with runs of them reported once. */
const isStray = (c: number): boolean => !isBlank(c) && !isWordPart(c) && c !== 35 && c !== 34 && !SINGLES.includes(String.fromCharCode(c));

export function lex(text: string): Lexed {
  const tokens: Token[] = [];
  const comments: CommentText[] = [];
  const errors: LexError[] = [];
  const gaps: number[] = [];
  let at = 0;
  const take = (kind: TokenKind, start: number, end: number, value?: bigint): void => {
    const image = text.slice(start, end);
    tokens.push(value === undefined ? { kind, image, start, end } : { kind, image, start, end, value });
  };
  while (at < text.length) {
    const c = text.charCodeAt(at);
    const start = at;
    if (isBlank(c)) {
      at++;
    } else if (c === 35) { // `#` to the end of the line (LF, CRLF or a lone CR)
      while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at++;
      comments.push({ image: text.slice(start, at), start, end: at });
    } else if (isWordStart(c)) {
      while (at < text.length && isWordPart(text.charCodeAt(at))) at++;
      const word = text.slice(start, at);
      take(KEYWORDS.has(word) ? 'keyword' : ACTIONS.has(word) ? 'action' : 'name', start, at);
    } else if (isDigit(c)) {
      while (at < text.length && isWordPart(text.charCodeAt(at))) at++;
      const version = /^\.[0-9]+(?![A-Za-z0-9_.])/.exec(text.slice(at, at + 12));
      if (version && /^[0-9]+$/.test(text.slice(start, at))) {
        at += version[0].length;
        take('version', start, at);
        continue;
      }
      const parsed = parseNumberLiteral(text.slice(start, at));
      if ('error' in parsed) errors.push({ code: 'SC1003', start, end: at, text: parsed.error });
      take('number', start, at, 'value' in parsed ? parsed.value : 0n);
    } else if (c === 34) {
      const read = string(text, start, errors);
      at = read.end;
      if (read.closed) take('string', start, at);
      else gaps.push(start);
    } else if (c === 64 && /[a-z]/.test(text[at + 1] ?? '')) {
      at++;
      while (at < text.length && /[a-z0-9-]/.test(text[at]!)) at++;
      take('group', start, at);
    } else if (PAIRS.has(text.slice(at, at + 2))) {
      at += 2;
      take('punct', start, at);
    } else if (!isStray(c)) {
      at++;
      take('punct', start, at);
    } else {
      while (at < text.length && isStray(text.charCodeAt(at))) at++;
      errors.push({ code: 'SC1001', start, end: at, text: text.slice(start, at) });
      gaps.push(start);
    }
  }
  tokens.push({ kind: 'end', image: '', start: text.length, end: text.length });
  return { tokens, comments, errors, gaps };
}

/**
 * A string from its opening quote at `start`: the offset after it, and whether its closing quote
 * was found. `\"` and `\\` are the only escapes (`"a\nb"` meant a newline, not `anb`); a string
 * ends on its line.
 */
function string(text: string, start: number, errors: LexError[]): { end: number; closed: boolean } {
  const escapes: LexError[] = [];
  let at = start + 1;
  for (; at < text.length; at++) {
    const ch = text[at];
    if (ch === '"') {
      errors.push(...escapes);
      return { end: at + 1, closed: true };
    }
    if (ch === '\n' || ch === '\r') break;
    if (ch !== '\\') continue;
    const escaped = text[at + 1];
    if (escaped === undefined || escaped === '\n' || escaped === '\r') { at++; break; }
    if (escaped !== '"' && escaped !== '\\') {
      escapes.push({ code: 'SC1002', start: at, end: at + 2, text: `unknown escape \`\\${escaped}\` in a string: only \`\\"\` and \`\\\\\` are escapes`, hint: `write \`\\\\${escaped}\` for a backslash followed by \`${escaped}\`` });
    }
    at++;
  }
  const end = Math.min(at, text.length);
  errors.push({ code: 'SC1004', start, end, text: 'unterminated string: a string ends with `"` on the same line' });
  return { end, closed: false };
}

/** The text of a string literal without its quotes and escapes. */
export function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Can this token start a statement? */
export function startsStatement(token: Token): boolean {
  return token.kind === 'action' || (token.kind === 'keyword' && STATEMENT_KEYWORDS.has(token.image));
}
