// Policy text → syntax tree, with every lexical and syntax error reported in one run.
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile } from '../diagnostics/source.ts';
import type { Expr, PolicyFile } from './ast.ts';
import { PolicyParser } from './grammar.ts';
import { lex, type Lexed, type Token } from './lexer.ts';

export interface ParseResult {
  /** Absent when there were syntax errors. */
  readonly policy?: PolicyFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function parsePolicy(file: SourceFile): ParseResult {
  const read = readTokens(file);
  if ('failed' in read) return { diagnostics: read.failed };
  const statements = read.parser.policy();
  const diagnostics = [...read.diagnostics, ...read.parser.diagnostics];
  if (diagnostics.length > 0) return { diagnostics: sortDiagnostics(diagnostics) };
  const comments = read.lexed.comments.map((t) => ({ text: t.image, span: { file, start: t.start, end: t.end } }));
  return { policy: { file, statements, comments }, diagnostics: [] };
}

/** A single expression, for tools that take values on the command line (`flags=O_CREAT|O_RDWR`). */
export function parseExpression(file: SourceFile): { expr?: Expr; diagnostics: readonly Diagnostic[] } {
  const read = readTokens(file);
  if ('failed' in read) return { diagnostics: read.failed };
  const expr = read.parser.wholeExpression();
  const diagnostics = [...read.diagnostics, ...read.parser.diagnostics];
  if (diagnostics.length > 0 || !expr) return { diagnostics: sortDiagnostics(diagnostics) };
  return { expr, diagnostics: [] };
}

/** The file's tokens and a parser over them, or the errors when nesting too deep leaves nothing to parse. */
function readTokens(file: SourceFile): { lexed: Lexed; diagnostics: Diagnostic[]; parser: PolicyParser } | { failed: readonly Diagnostic[] } {
  const lexed = lex(file.text);
  const diagnostics = lexDiagnostics(file, lexed);
  const tooDeep = nestingError(file, lexed.tokens);
  if (tooDeep) return { failed: sortDiagnostics([...diagnostics, tooDeep]) };
  return { lexed, diagnostics, parser: new PolicyParser(file, lexed.tokens, lexed.gaps) };
}

function lexDiagnostics(file: SourceFile, lexed: Lexed): Diagnostic[] {
  return lexed.errors.map((error): Diagnostic => ({
    code: error.code, severity: 'error',
    message: error.code === 'SC1001' ? describeBadCharacters(error.text) : error.text,
    span: { file, start: error.start, end: Math.max(error.end, error.start + 1) },
    ...(error.hint ? { hint: error.hint } : {}),
  }));
}

/** Deeper nesting than any real policy needs; the parser recurses once per level. */
export const MAX_NESTING = 100;
const OPENERS = new Set(['(', '{']);
const CLOSERS = new Set([')', '}']);
const PREFIX_OPERATORS = new Set(['not', '!', '-', '~']);

function nestingError(file: SourceFile, tokens: readonly Token[]): Diagnostic | undefined {
  let depth = 0;
  let prefixRun = 0;
  for (const token of tokens) {
    const { image } = token;
    if (token.kind === 'punct' && OPENERS.has(image)) depth++;
    else if (token.kind === 'punct' && CLOSERS.has(image)) depth = Math.max(0, depth - 1);
    prefixRun = (token.kind === 'punct' || token.kind === 'keyword') && PREFIX_OPERATORS.has(image) ? prefixRun + 1 : 0;
    if (depth > MAX_NESTING || prefixRun > MAX_NESTING) {
      return { code: 'SC1005', severity: 'error', message: `expression nested more than ${MAX_NESTING} levels deep`, span: { file, start: token.start, end: token.end }, hint: 'split the condition, or use `in {…}` for long lists of values' };
    }
  }
  return undefined;
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
