// Policy text → syntax tree, with every lexical and syntax error reported in one run.
import type { IRecognitionException, IToken } from 'chevrotain';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import type { Expr, PolicyFile } from './ast.ts';
import { policyParser } from './grammar.ts';
import { parseNumberLiteral } from './numbers.ts';
import { ACTION_NAMES, NumberLiteral, policyLexer, StringLiteral, UnterminatedString } from './tokens.ts';

export interface ParseResult {
  /** Absent when there were syntax errors. */
  readonly policy?: PolicyFile;
  readonly diagnostics: readonly Diagnostic[];
}

interface Lexed {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
  /** Where characters were dropped: a syntax error right after one is a consequence, not news. */
  readonly gaps: number[];
}

function lex(file: SourceFile): Lexed {
  const lexed = policyLexer().tokenize(file.text);
  const diagnostics: Diagnostic[] = [];
  const gaps: number[] = [];
  for (const error of lexed.errors) {
    const chars = file.text.slice(error.offset, error.offset + error.length);
    diagnostics.push({ code: 'SC1001', severity: 'error', message: describeBadCharacters(chars), span: { file, start: error.offset, end: error.offset + Math.max(1, error.length) } });
    gaps.push(error.offset);
  }
  const tokens: IToken[] = [];
  for (const token of lexed.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push({ code: 'SC1004', severity: 'error', message: 'unterminated string: a string ends with `"` on the same line', span: tokenSpan(file, token) });
      gaps.push(token.startOffset);
      continue;
    }
    // `\"` and `\\` are the only escapes: `"a\nb"` meant a newline, not `anb`.
    if (token.tokenType === StringLiteral) {
      for (const escape of token.image.matchAll(/\\(.)/g)) {
        if (escape[1] === '"' || escape[1] === '\\') continue;
        const start = token.startOffset + escape.index;
        diagnostics.push({ code: 'SC1002', severity: 'error', message: `unknown escape \`\\${escape[1]}\` in a string: only \`\\"\` and \`\\\\\` are escapes`, span: { file, start, end: start + 2 }, hint: `write \`\\\\${escape[1]}\` for a backslash followed by \`${escape[1]}\`` });
      }
    }
    // Checked here, so a bad number is reported together with any syntax errors.
    if (token.tokenType === NumberLiteral) {
      const parsed = parseNumberLiteral(token.image);
      if ('error' in parsed) diagnostics.push({ code: 'SC1003', severity: 'error', message: parsed.error, span: tokenSpan(file, token) });
      // The parser reads the value from here; a bad literal reads as 0 (and is reported).
      token.payload = 'value' in parsed ? parsed.value : 0n;
    }
    tokens.push(token);
  }
  const tooDeep = nestingError(file, tokens);
  if (tooDeep) diagnostics.push(tooDeep);
  return { tokens: tooDeep ? [] : tokens, comments: lexed.groups['comments'] ?? [], diagnostics, gaps };
}

/** Deeper nesting than any real policy needs; the parser recurses once per level. */
export const MAX_NESTING = 100;
const OPENERS = new Set(['LParen', 'LBrace']);
const CLOSERS = new Set(['RParen', 'RBrace']);
const PREFIX_OPERATORS = new Set(['Not', 'Bang', 'Minus', 'Tilde']);

function nestingError(file: SourceFile, tokens: readonly IToken[]): Diagnostic | undefined {
  let depth = 0;
  let prefixRun = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    if (OPENERS.has(name)) depth++;
    else if (CLOSERS.has(name)) depth = Math.max(0, depth - 1);
    prefixRun = PREFIX_OPERATORS.has(name) ? prefixRun + 1 : 0;
    if (depth > MAX_NESTING || prefixRun > MAX_NESTING) {
      return { code: 'SC1005', severity: 'error', message: `expression nested more than ${MAX_NESTING} levels deep`, span: tokenSpan(file, token), hint: 'split the condition, or use `in {…}` for long lists of values' };
    }
  }
  return undefined;
}

export function parsePolicy(file: SourceFile): ParseResult {
  const lexed = lex(file);
  const parser = policyParser();
  parser.start(file, lexed.tokens);
  const statements = parser.policy();
  const diagnostics = [...lexed.diagnostics, ...syntaxErrors(file, parser.errors, lexed), ...parser.diagnostics];
  const reported = new Set(parser.errors.map((e) => e.token.startOffset));
  diagnostics.push(...strayTokenErrors(file, parser.strays, lexed.tokens, reported));
  if (diagnostics.length > 0) return { diagnostics: sortDiagnostics(diagnostics) };
  const comments = lexed.comments.map((t) => ({ text: t.image, span: tokenSpan(file, t) }));
  return { policy: { file, statements, comments }, diagnostics: [] };
}

/** A single expression, for tools that take values on the command line (`flags=O_CREAT|O_RDWR`). */
export function parseExpression(file: SourceFile): { expr?: Expr; diagnostics: readonly Diagnostic[] } {
  const lexed = lex(file);
  const parser = policyParser();
  parser.start(file, lexed.tokens);
  const expr = parser.expression();
  const diagnostics = [...lexed.diagnostics, ...syntaxErrors(file, parser.errors, lexed), ...parser.diagnostics];
  if (diagnostics.length > 0 || !expr) return { diagnostics: sortDiagnostics(diagnostics) };
  return { expr, diagnostics: [] };
}

function syntaxErrors(file: SourceFile, errors: readonly IRecognitionException[], lexed: Lexed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const error of errors) {
    const { token } = error;
    const atEnd = Number.isNaN(token.startOffset);
    const index = atEnd ? lexed.tokens.length : lexed.tokens.indexOf(token);
    const previousEnd = index > 0 ? lexed.tokens[index - 1]!.startOffset : -1;
    const tokenStart = atEnd ? file.text.length : token.startOffset;
    if (lexed.gaps.some((gap) => gap > previousEnd && gap < tokenStart)) continue;
    const span = atEnd ? endOfInput(file) : tokenSpan(file, token);
    const ruleStack = error.context?.ruleStack ?? [];
    if (ruleStack[ruleStack.length - 1] === 'action' && token.tokenType.name === 'Identifier') {
      out.push(unknownAction(token.image, span));
      continue;
    }
    if (token.image === ',' && index > 0 && lexed.tokens[index - 1]!.image === ',') {
      out.push({ code: 'SC1002', severity: 'error', message: 'two commas in a row: an item of the list is missing', span, hint: 'remove one comma, or put back the name that stood between them' });
      continue;
    }
    out.push({ code: 'SC1002', severity: 'error', message: error.message, span, ...(token.tokenType.name === 'StringLiteral' ? { hint: STRING_IN_CONDITION } : {}) });
  }
  return out;
}

/** Why a condition cannot compare a string, and what does the job instead. */
const STRING_IN_CONDITION = 'a seccomp filter sees only the address a pointer holds, never the memory behind it, so it cannot compare paths or strings; '
  + 'decide on them in a supervisor with a `notify` rule (docs/user-notification.md), or restrict files with Landlock or mount namespaces';

function unknownAction(word: string, span: Span): Diagnostic {
  const suggestion = closestMatch(word, ACTION_NAMES);
  return {
    code: 'SC2002', severity: 'error', message: `unknown action \`${word}\``, span,
    hint: suggestion ? `did you mean \`${suggestion}\`?` : `the actions are ${ACTION_NAMES.map((a) => `\`${a}\``).join(', ')}`,
  };
}

/** One error per run of consecutive tokens that could not start a statement. */
function strayTokenErrors(file: SourceFile, strays: readonly IToken[], all: readonly IToken[], reported: ReadonlySet<number>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let previousIndex = -2;
  for (const token of strays) {
    const index = all.indexOf(token, Math.max(0, previousIndex + 1));
    const startsRun = index !== previousIndex + 1;
    previousIndex = index;
    if (!startsRun || reported.has(token.startOffset)) continue;
    const before = all[index - 1];
    const after = all[index + 1];
    const span = tokenSpan(file, token);
    // `allw read`: a misspelt action, recognisable by what follows it.
    if (token.tokenType.name === 'Identifier' && after && /^(Identifier|NumberLiteral|LBrace|Kill)$/.test(after.tokenType.name) && closestMatch(token.image, ACTION_NAMES)) {
      diagnostics.push(unknownAction(token.image, span));
      continue;
    }
    // `fd = 1`: `=` only belongs in `define NAME = VALUE`.
    if (token.image === '=') {
      diagnostics.push({ code: 'SC1002', severity: 'error', message: 'unexpected `=`: a comparison is written `==`', span, hint: 'write `fd == 1`; a single `=` only appears in `define NAME = VALUE`' });
      continue;
    }
    const listItem = /^(Identifier|NumberLiteral|Kill)$/;
    const missingComma = before !== undefined && listItem.test(before.tokenType.name) && listItem.test(token.tokenType.name);
    diagnostics.push({
      code: 'SC1002', severity: 'error', message: `unexpected \`${token.image}\`: expected a new statement`, span,
      hint: missingComma
        ? `a statement starts with \`default\`, \`define\`, \`include\` or an action; if \`${token.image}\` belongs to the syscall list before it, separate the items with commas`
        : 'a statement starts with `default`, `define`, `include`, `x32`, `foreign_arch`, `arch` or an action such as `allow`',
    });
  }
  return diagnostics;
}

function tokenSpan(file: SourceFile, token: IToken): Span {
  return { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
}

function endOfInput(file: SourceFile): Span {
  const end = file.text.replace(/\s+$/, '').length;
  return { file, start: Math.max(0, end - 1), end: Math.max(1, end) };
}

function describeBadCharacters(chars: string): string {
  const code = chars.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return `unexpected character \`${chars.slice(0, 20)}\``;
  if (code < 0x80) return `unexpected byte 0x${code.toString(16).padStart(2, '0')}: a policy is plain text (is this a compiled filter? use \`seccompile disasm\`)`;
  // Letters, digits, punctuation and symbols are shown; anything else (controls, direction marks)
  // only by its number, so that it cannot change how the terminal shows the message.
  const character = String.fromCodePoint(code);
  const codePoint = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const shown = /[\p{L}\p{N}\p{P}\p{S}]/u.test(character) ? `\`${character}\` (${codePoint})` : codePoint;
  return `unexpected character ${shown}: outside comments and strings, a policy is written in ASCII`;
}
