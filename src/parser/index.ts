// Policy text → syntax tree, with every lexical and syntax error reported in one run.
import type { IToken } from 'chevrotain';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import type { Expr, PolicyFile } from './ast.ts';
import { AstBuilder } from './build-ast.ts';
import { policyParser } from './grammar.ts';
import { policyLexer, UnterminatedString } from './tokens.ts';

export interface ParseResult {
  /** Absent when there were syntax errors. */
  readonly policy?: PolicyFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function parsePolicy(file: SourceFile): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = policyLexer().tokenize(file.text);
  for (const error of lexed.errors) {
    const char = file.text.slice(error.offset, error.offset + error.length);
    diagnostics.push({
      code: 'SC1001',
      severity: 'error',
      message: describeBadCharacters(char),
      span: { file, start: error.offset, end: error.offset + Math.max(1, error.length) },
    });
  }
  const tokens: IToken[] = [];
  for (const token of lexed.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push({ code: 'SC1004', severity: 'error', message: 'unterminated string: a string ends with `"` on the same line', span: tokenSpan(file, token) });
    } else {
      tokens.push(token);
    }
  }

  const parser = policyParser();
  parser.input = tokens;
  const cst = parser.policy();
  for (const error of parser.errors) {
    const token = error.token;
    // At the end of input the token has no offset; point just past the last character.
    const at = Number.isNaN(token.startOffset) ? endOfInput(file) : tokenSpan(file, token);
    diagnostics.push({ code: 'SC1002', severity: 'error', message: error.message, span: at, ...hintFor(error.message, token, tokens) });
  }
  diagnostics.push(...strayTokenErrors(file, cst.children['Stray'] as IToken[] | undefined, tokens));
  if (diagnostics.length > 0) return { diagnostics: sortDiagnostics(diagnostics) };

  const builder = new AstBuilder(file);
  const statements = builder.statements(cst);
  if (builder.diagnostics.length > 0) return { diagnostics: builder.diagnostics };
  const comments = (lexed.groups['comments'] ?? []).map((t) => ({ text: t.image, span: tokenSpan(file, t) }));
  return { policy: { file, statements, comments }, diagnostics: [] };
}

/** A single expression, for tools that take values on the command line (`flags=O_CREAT|O_RDWR`). */
export function parseExpression(file: SourceFile): { expr?: Expr; diagnostics: readonly Diagnostic[] } {
  const lexed = policyLexer().tokenize(file.text);
  const parser = policyParser();
  parser.input = lexed.tokens;
  const cst = parser.expression();
  const diagnostics: Diagnostic[] = [
    ...lexed.errors.map((e) => ({ code: 'SC1001' as const, severity: 'error' as const, message: `unexpected character \`${file.text.slice(e.offset, e.offset + e.length)}\``, span: { file, start: e.offset, end: e.offset + Math.max(1, e.length) } })),
    ...parser.errors.map((e) => ({ code: 'SC1002' as const, severity: 'error' as const, message: e.message, span: Number.isNaN(e.token.startOffset) ? endOfInput(file) : tokenSpan(file, e.token) })),
  ];
  if (diagnostics.length > 0) return { diagnostics };
  const builder = new AstBuilder(file);
  const expr = builder.expression(cst);
  return builder.diagnostics.length > 0 ? { diagnostics: builder.diagnostics } : { expr, diagnostics: [] };
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
  const printable = code >= 0x20 && code < 0x7f;
  return printable ? `unexpected character \`${chars.slice(0, 20)}\`` : `unexpected byte 0x${code.toString(16).padStart(2, '0')}: a policy is plain text (is this a compiled filter? use \`seccompile disasm\`)`;
}

/** One error per run of consecutive tokens that could not start a statement. */
function strayTokenErrors(file: SourceFile, strays: readonly IToken[] | undefined, all: readonly IToken[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let previousIndex = -2;
  for (const token of strays ?? []) {
    const index = all.indexOf(token, Math.max(0, previousIndex + 1));
    if (index !== previousIndex + 1) {
      const before = all[index - 1];
      const missingComma = before !== undefined && /^(Identifier|NumberLiteral)$/.test(before.tokenType.name) && /^(Identifier|NumberLiteral)$/.test(token.tokenType.name);
      diagnostics.push({
        code: 'SC1002',
        severity: 'error',
        message: `unexpected \`${token.image}\`: expected a new statement`,
        span: tokenSpan(file, token),
        hint: missingComma
          ? `a statement starts with \`default\`, \`define\`, \`include\` or an action; if \`${token.image}\` belongs to the syscall list before it, separate the items with commas`
          : 'a statement starts with `default`, `define`, `include`, `x32`, `foreign_arch` or an action such as `allow`',
      });
    }
    previousIndex = index;
  }
  return diagnostics;
}

/** A hint for the mistakes people make most: a missing comma in a syscall list. */
function hintFor(message: string, token: IToken, all: readonly IToken[]): { hint?: string } {
  const index = all.indexOf(token);
  const previous = index > 0 ? all[index - 1] : undefined;
  if (previous?.tokenType.name === 'Identifier' && token.tokenType.name === 'Identifier' && /expected/.test(message)) {
    return { hint: `if \`${previous.image}\` ends a syscall list, check that the items before it are separated by commas` };
  }
  return {};
}
