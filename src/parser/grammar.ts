// The policy grammar, by recursive descent: one method per production, the production in a comment
// above it. The syntax tree is built as the tokens are read. A syntax error inside a statement is
// reported and the statement dropped; reading resumes at the next token that can start a statement,
// so one run reports every error (after an error the tree is incomplete and is not used).
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import { closestMatch } from '../diagnostics/suggest.ts';
import type { ActionNode, ArchBlock, Expr, Statement, SyscallRef } from './ast.ts';
import { ACTION_NAMES, startsStatement, unquote, type Token } from './lexer.ts';
import { ExpressionBuilder, type ExprItem } from './precedence.ts';

const INFIX_OPERATORS: ReadonlySet<string> = new Set(['or', '||', 'and', '&&', '==', '!=', '<', '<=', '>', '>=', '|', '^', '&', '<<', '>>', '+', '-']);
const PREFIX_OPERATORS: ReadonlySet<string> = new Set(['not', '!', '-', '~']);

const EXPECTED = {
  arch: 'an architecture such as `aarch64`',
  syscall: 'a syscall name or number',
  action: 'an action such as `allow` or `errno(EPERM)`',
  value: 'a value (a number, a name, or a parenthesised expression)',
  name: 'a name',
  string: 'a string',
};

/** Why a condition cannot compare a string, and what does the job instead. */
const STRING_IN_CONDITION = 'a seccomp filter sees only the address a pointer holds, never the memory behind it, so it cannot compare paths or strings; '
  + 'decide on them in a supervisor with a `notify` rule (docs/user-notification.md), or restrict files with Landlock or mount namespaces';

/** Thrown after a syntax error is reported, to abandon the statement being read. */
class Abandon {}

export class PolicyParser {
  /** Syntax errors and problems found while building the tree (chained comparisons, limits). */
  readonly diagnostics: Diagnostic[] = [];
  private at = 0;

  /**
   * `tokens` end with an `end` token; `gaps` are offsets where the lexer dropped characters (a
   * syntax error right after one is a consequence of it, and is not reported).
   */
  constructor(private readonly file: SourceFile, private readonly tokens: readonly Token[], private readonly gaps: readonly number[]) {}

  // policy := (statement | stray+)*
  policy(): Statement[] {
    return this.statements(false);
  }

  /** A whole input that is one expression (values given on the command line). */
  wholeExpression(): Expr | undefined {
    try {
      const expr = this.expression();
      if (this.peek().kind !== 'end') this.fail(`unexpected ${describe(this.peek())}: expected the end of the expression`);
      return expr;
    } catch (error) {
      if (error instanceof Abandon) return undefined;
      throw error;
    }
  }

  /** Statements up to the end, or up to the `}` that closes an arch block. */
  private statements(inBlock: boolean): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'end' || (inBlock && this.isPunct(token, '}'))) return out;
      if (!startsStatement(token)) {
        this.strays(inBlock);
        continue;
      }
      const before = this.at;
      try {
        out.push(this.statement());
      } catch (error) {
        if (!(error instanceof Abandon)) throw error;
        // Resume at the next statement (or the block's end); skipped tokens are the error's tail.
        if (this.at === before) this.at++;
        this.skipToStatement(inBlock);
      }
    }
  }

  /** Past the tokens before the next statement, the end, or (in a block) its `}`. */
  private skipToStatement(inBlock: boolean): void {
    while (this.peek().kind !== 'end' && !startsStatement(this.peek()) && !(inBlock && this.isPunct(this.peek(), '}'))) this.at++;
  }

  // statement := defaultStatement | specialAction | unknownStatement | archBlock | defineStatement | includeStatement | ruleStatement
  private statement(): Statement {
    const token = this.peek();
    if (token.kind === 'action') return this.ruleStatement();
    switch (token.image) {
      case 'default': return this.defaultStatement();
      case 'x32': case 'foreign_arch': return this.specialAction();
      case 'unknown': return this.unknownStatement();
      case 'arch': return this.archBlock();
      case 'define': return this.defineStatement();
      default: return this.includeStatement();
    }
  }

  // defaultStatement := 'default' action
  private defaultStatement(): Statement {
    const keyword = this.next();
    const action = this.action();
    return { kind: 'default', action, span: this.span(keyword.start, action.span.end) };
  }

  // specialAction := ('x32' | 'foreign_arch') action
  private specialAction(): Statement {
    const keyword = this.next();
    const action = this.action();
    return { kind: keyword.image === 'x32' ? 'x32' : 'foreign_arch', action, span: this.span(keyword.start, action.span.end) };
  }

  // unknownStatement := 'unknown' action ('since' version)?
  private unknownStatement(): Statement {
    const keyword = this.next();
    const action = this.action();
    if (this.peek().kind !== 'name' || this.peek().image !== 'since') return { kind: 'unknown', action, span: this.span(keyword.start, action.span.end) };
    this.next();
    const version = this.expect((t) => t.kind === 'version', 'a kernel release such as `6.1`');
    const [major, minor] = version.image.split('.').map(Number) as [number, number];
    return { kind: 'unknown', action, since: { major, minor, span: this.tokenSpan(version) }, span: this.span(keyword.start, version.end) };
  }

  // defineStatement := 'define' name '=' expression
  private defineStatement(): Statement {
    const keyword = this.next();
    const name = this.expect((t) => t.kind === 'name', EXPECTED.name);
    this.expectPunct('=');
    const value = this.expression();
    return { kind: 'define', name: name.image, nameSpan: this.tokenSpan(name), value, span: this.span(keyword.start, value.span.end) };
  }

  // archBlock := 'arch' archName (',' archName)* '{' statement* '}'
  // archName := name | 'x32' (a keyword elsewhere, a target here)
  private archBlock(): ArchBlock {
    const keyword = this.next();
    const arches: { name: string; span: Span }[] = [];
    do {
      const name = this.expect((t) => t.kind === 'name' || (t.kind === 'keyword' && t.image === 'x32'), EXPECTED.arch);
      arches.push({ name: name.image, span: this.tokenSpan(name) });
    } while (this.acceptPunct(','));
    this.expectPunct('{');
    const statements = this.statements(true);
    const close = this.expectPunct('}');
    return { kind: 'arch', arches, statements, span: this.span(keyword.start, close.end) };
  }

  // includeStatement := 'include' string
  private includeStatement(): Statement {
    const keyword = this.next();
    const path = this.expect((t) => t.kind === 'string', EXPECTED.string);
    return { kind: 'include', path: unquote(path.image), pathSpan: this.tokenSpan(path), span: this.span(keyword.start, path.end) };
  }

  // ruleStatement := action syscallList ('if' expression)?
  private ruleStatement(): Statement {
    const action = this.action();
    const list = this.syscallList();
    const condition = this.peek().image === 'if' && this.peek().kind === 'keyword' ? (this.next(), this.expression()) : undefined;
    const end = condition?.span.end ?? list.end;
    return { kind: 'rule', action, syscalls: list.refs, ...(condition ? { condition } : {}), span: this.span(action.span.start, end) };
  }

  // action := actionName ('(' expression ')')?
  // actionName := 'allow' | 'log' | 'kill_process' | 'kill' | 'kill_thread' | 'trap' | 'errno' | 'trace' | 'notify'
  private action(): ActionNode {
    const token = this.peek();
    if (token.kind === 'name') this.failWith(unknownAction(token.image, this.tokenSpan(token)));
    const name = this.expect((t) => t.kind === 'action', EXPECTED.action);
    let argument: Expr | undefined;
    let end = name.end;
    if (this.acceptPunct('(')) {
      argument = this.expression();
      end = this.expectPunct(')').end;
    }
    return { name: name.image, nameSpan: this.tokenSpan(name), ...(argument ? { argument } : {}), span: this.span(name.start, end) };
  }

  // syscallList := '{' (syscallRef ','?)* '}' | syscallRef (',' syscallRef)*
  private syscallList(): { refs: SyscallRef[]; end: number } {
    const refs: SyscallRef[] = [];
    if (this.acceptPunct('{')) {
      while (isSyscallRef(this.peek())) {
        refs.push(this.syscallRef());
        this.acceptPunct(',');
      }
      return { refs, end: this.expectPunct('}').end };
    }
    do refs.push(this.syscallRef());
    while (this.acceptPunct(','));
    return { refs, end: refs[refs.length - 1]!.span.end };
  }

  // syscallRef := name | number | 'kill' | group
  private syscallRef(): SyscallRef {
    const token = this.expect(isSyscallRef, EXPECTED.syscall);
    const span = this.tokenSpan(token);
    if (token.kind === 'number') return { kind: 'number', value: token.value!, span };
    if (token.kind === 'group') return { kind: 'group', name: token.image.slice(1), span };
    return { kind: 'name', name: token.image, span };
  }

  // Expressions are read flat, operands and operators in a row; precedence.ts gives them their
  // structure. (A method per precedence level would make every literal ten calls deep.)
  //
  // expression := operand (infixOperator operand | 'not'? 'in' set)*
  // infixOperator := 'or' | '||' | 'and' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  //                | '|' | '^' | '&' | '<<' | '>>' | '+' | '-'
  private expression(): Expr {
    const items: ExprItem[] = [];
    this.operand(items);
    for (;;) {
      const token = this.peek();
      if (isOperator(token, INFIX_OPERATORS)) {
        items.push({ kind: 'infix', token: this.next() });
        this.operand(items);
        continue;
      }
      const negated = token.kind === 'keyword' && token.image === 'not' && this.peek(1).image === 'in' && this.peek(1).kind === 'keyword';
      if (!negated && !(token.kind === 'keyword' && token.image === 'in')) break;
      if (negated) this.next();
      const keyword = this.next();
      const set = this.set();
      items.push({ kind: 'in', token: keyword, negated, elements: set.elements, end: set.end });
    }
    return new ExpressionBuilder(items, this.file, this.diagnostics).build();
  }

  // operand := ('not' | '!' | '-' | '~')* primary
  private operand(items: ExprItem[]): void {
    while (isOperator(this.peek(), PREFIX_OPERATORS)) items.push({ kind: 'prefix', token: this.next() });
    items.push({ kind: 'operand', expr: this.primary() });
  }

  // set := '{' (expression (',' expression)* ','?)? '}'
  private set(): { elements: Expr[]; end: number } {
    const elements: Expr[] = [];
    this.expectPunct('{');
    while (!this.isPunct(this.peek(), '}')) {
      elements.push(this.expression());
      if (!this.acceptPunct(',')) break;
    }
    return { elements, end: this.expectPunct('}').end };
  }

  // primary := number | name | '(' expression ')'
  private primary(): Expr {
    const token = this.peek();
    if (token.kind === 'number') return { kind: 'number', value: this.next().value!, span: this.tokenSpan(token) };
    if (token.kind === 'name') return { kind: 'name', name: this.next().image, span: this.tokenSpan(token) };
    if (!this.acceptPunct('(')) this.fail(this.expectedMessage(EXPECTED.value), token.kind === 'string' ? STRING_IN_CONDITION : undefined);
    const inner = this.expression();
    this.expectPunct(')');
    return inner;
  }

  // Reading tokens.

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private isPunct(token: Token, text: string): boolean {
    return token.kind === 'punct' && token.image === text;
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(this.peek(), text)) return false;
    this.at++;
    return true;
  }

  private expectPunct(text: string): Token {
    return this.expect((t) => this.isPunct(t, text), `\`${text}\``, false);
  }

  /** The next token if it is what `test` accepts; a syntax error otherwise. */
  private expect(test: (token: Token) => boolean, what: string, sayAfter = true): Token {
    if (!test(this.peek())) this.fail(sayAfter ? this.expectedMessage(what) : `expected ${what}, found ${describe(this.peek())}`);
    return this.next();
  }

  private expectedMessage(what: string): string {
    const previous = this.at > 0 ? this.tokens[this.at - 1] : undefined;
    return `expected ${what}${previous ? ` after \`${previous.image}\`` : ''}, found ${describe(this.peek())}`;
  }

  /** Reports a syntax error at the next token and abandons the statement. */
  private fail(message: string, hint?: string): never {
    const token = this.peek();
    const previous = this.tokens[this.at - 1];
    if (this.isPunct(token, ',') && previous !== undefined && this.isPunct(previous, ',')) {
      this.failWith({ code: 'SC1002', severity: 'error', message: 'two commas in a row: an item of the list is missing', span: this.tokenSpan(token), hint: 'remove one comma, or put back the name that stood between them' });
    }
    this.failWith({ code: 'SC1002', severity: 'error', message, span: this.tokenSpan(token), ...(hint ? { hint } : {}) });
  }

  /**
   * Reports an error at the next token and abandons the statement. An error right after characters
   * the lexer dropped is a consequence of them, and is not reported.
   */
  private failWith(diagnostic: Diagnostic): never {
    const previousStart = this.at > 0 ? this.tokens[this.at - 1]!.start : -1;
    const start = this.peek().start;
    if (!this.gaps.some((gap) => gap > previousStart && gap < start)) this.diagnostics.push(diagnostic);
    throw new Abandon();
  }

  /**
   * A run of tokens that cannot start a statement: one error for the run, with the likeliest cause.
   */
  private strays(inBlock: boolean): void {
    const first = this.peek();
    const before = this.at > 0 ? this.tokens[this.at - 1] : undefined;
    const after = this.peek(1);
    this.skipToStatement(inBlock);
    const span = this.tokenSpan(first);
    // `allw read`: a misspelt action, recognisable by what follows it.
    if (first.kind === 'name' && (isSyscallRef(after) || this.isPunct(after, '{')) && closestMatch(first.image, ACTION_NAMES)) {
      this.diagnostics.push(unknownAction(first.image, span));
      return;
    }
    // `fd = 1`: `=` only belongs in `define NAME = VALUE`.
    if (this.isPunct(first, '=')) {
      this.diagnostics.push({ code: 'SC1002', severity: 'error', message: 'unexpected `=`: a comparison is written `==`', span, hint: 'write `fd == 1`; a single `=` only appears in `define NAME = VALUE`' });
      return;
    }
    const missingComma = before !== undefined && isSyscallRef(before) && isSyscallRef(first);
    this.diagnostics.push({
      code: 'SC1002', severity: 'error', message: `unexpected ${describe(first)}: expected a new statement`, span,
      hint: missingComma
        ? `a statement starts with \`default\`, \`define\`, \`include\` or an action; if \`${first.image}\` belongs to the syscall list before it, separate the items with commas`
        : 'a statement starts with `default`, `define`, `include`, `x32`, `foreign_arch`, `unknown`, `arch` or an action such as `allow`',
    });
  }

  private span(start: number, end: number): Span {
    return { file: this.file, start, end };
  }

  /** A token's span; the end of the input is shown on its last character. */
  private tokenSpan(token: Token): Span {
    if (token.kind !== 'end') return this.span(token.start, token.end);
    const end = this.file.text.replace(/\s+$/, '').length;
    return this.span(Math.max(0, end - 1), Math.max(1, end));
  }
}

function isSyscallRef(token: Token): boolean {
  return token.kind === 'name' || token.kind === 'number' || token.kind === 'group' || (token.kind === 'action' && token.image === 'kill');
}

function isOperator(token: Token, operators: ReadonlySet<string>): boolean {
  return (token.kind === 'punct' || token.kind === 'keyword') && operators.has(token.image);
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the file' : `\`${token.image}\``;
}

function unknownAction(word: string, span: Span): Diagnostic {
  const suggestion = closestMatch(word, ACTION_NAMES);
  return {
    code: 'SC2002', severity: 'error', message: `unknown action \`${word}\``, span,
    hint: suggestion ? `did you mean \`${suggestion}\`?` : `the actions are ${ACTION_NAMES.map((a) => `\`${a}\``).join(', ')}`,
  };
}
