// Turns chevrotain's concrete syntax tree into the syntax tree of ast.ts. Runs only on error-free
// parses, so every child the grammar requires is present.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import type { ActionNode, BinaryOperator, Expr, Statement, SyscallRef } from './ast.ts';
import { parseNumberLiteral } from './numbers.ts';

/** Longest chain of same-level operators (`a + b + …`) in one expression. */
const MAX_CHAIN = 1000;

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly file: SourceFile) {}

  statements(policy: CstNode): Statement[] {
    return nodes(policy, 'statement').map((s) => this.statement(s));
  }

  private span(start: number, endInclusive: number): Span {
    return { file: this.file, start, end: endInclusive + 1 };
  }

  private nodeSpan(node: CstNode): Span {
    const loc = node.location!;
    return this.span(loc.startOffset, loc.endOffset ?? loc.startOffset);
  }

  private tokenSpan(token: IToken): Span {
    return this.span(token.startOffset, token.endOffset ?? token.startOffset);
  }

  private statement(node: CstNode): Statement {
    const [name, inner] = onlyChild(node) as [string, CstNode];
    const span = this.nodeSpan(inner);
    switch (name) {
      case 'defaultStatement':
        return { kind: 'default', action: this.action(node1(inner, 'action')), span };
      case 'specialAction':
        return { kind: tokens(inner, 'X32').length > 0 ? 'x32' : 'foreign_arch', action: this.action(node1(inner, 'action')), span };
      case 'defineStatement': {
        const id = token1(inner, 'Identifier');
        return { kind: 'define', name: id.image, nameSpan: this.tokenSpan(id), value: this.expression(node1(inner, 'expression')), span };
      }
      case 'includeStatement': {
        const str = token1(inner, 'StringLiteral');
        return { kind: 'include', path: unquote(str.image), pathSpan: this.tokenSpan(str), span };
      }
      default: {
        const condition = nodes(inner, 'expression')[0];
        return {
          kind: 'rule',
          action: this.action(node1(inner, 'action')),
          syscalls: nodes(node1(inner, 'syscallList'), 'syscallRef').map((r) => this.syscallRef(r)),
          ...(condition ? { condition: this.expression(condition) } : {}),
          span,
        };
      }
    }
  }

  private action(node: CstNode): ActionNode {
    const id = token1(node, 'ActionName');
    const argument = nodes(node, 'expression')[0];
    return { name: id.image, nameSpan: this.tokenSpan(id), ...(argument ? { argument: this.expression(argument) } : {}), span: this.nodeSpan(node) };
  }

  private syscallRef(node: CstNode): SyscallRef {
    const [name, token] = onlyChild(node) as [string, IToken];
    const span = this.tokenSpan(token);
    if (name === 'NumberLiteral') return { kind: 'number', value: this.number(token), span };
    return { kind: 'name', name: token.image, span };
  }

  /** Literals were validated when the text was lexed. */
  private number(token: IToken): bigint {
    const parsed = parseNumberLiteral(token.image);
    return 'value' in parsed ? parsed.value : 0n;
  }

  expression(node: CstNode): Expr {
    return this.logical(node, 'or', 'andExpr', (n) => this.andExpr(n));
  }

  private andExpr(node: CstNode): Expr {
    return this.logical(node, 'and', 'notExpr', (n) => this.notExpr(n));
  }

  /** `a or b or c` as one node with a list, so long lists need no deep recursion. */
  private logical(node: CstNode, op: 'and' | 'or', operandRule: string, build: (n: CstNode) => Expr): Expr {
    const operands = nodes(node, operandRule).map(build);
    if (operands.length === 1) return operands[0]!;
    return { kind: 'logical', op, operands, span: { file: this.file, start: operands[0]!.span.start, end: operands[operands.length - 1]!.span.end } };
  }

  private notExpr(node: CstNode): Expr {
    const inner = nodes(node, 'notExpr')[0];
    if (!inner) return this.comparison(node1(node, 'comparison'));
    const operand = this.notExpr(inner);
    return { kind: 'unary', op: 'not', operand, span: this.nodeSpan(node) };
  }

  private comparison(node: CstNode): Expr {
    const sides = nodes(node, 'bitOr');
    const left = this.bitOr(sides[0]!);
    const set = nodes(node, 'set')[0];
    if (set) {
      const elements = nodes(set, 'expression').map((e) => this.expression(e));
      return { kind: 'in', negated: tokens(node, 'Not').length > 0, operand: left, elements, span: this.nodeSpan(node) };
    }
    const right = sides[1];
    if (!right) return left;
    const op = firstToken(node, ['EqEq', 'NotEq', 'LessEq', 'GreaterEq', 'Less', 'Greater'])!.image as BinaryOperator;
    return { kind: 'binary', op, left, right: this.bitOr(right), span: this.nodeSpan(node) };
  }

  private bitOr(node: CstNode): Expr {
    return this.binaryChain(node, 'bitXor', ['Pipe'], (n) => this.bitXor(n));
  }

  private bitXor(node: CstNode): Expr {
    return this.binaryChain(node, 'bitAnd', ['Caret'], (n) => this.bitAnd(n));
  }

  private bitAnd(node: CstNode): Expr {
    return this.binaryChain(node, 'shift', ['Amp'], (n) => this.shift(n));
  }

  private shift(node: CstNode): Expr {
    return this.binaryChain(node, 'additive', ['ShiftLeft', 'ShiftRight'], (n) => this.additive(n));
  }

  private additive(node: CstNode): Expr {
    return this.binaryChain(node, 'unary', ['Plus', 'Minus'], (n) => this.unary(n));
  }

  private unary(node: CstNode): Expr {
    const inner = nodes(node, 'unary')[0];
    if (!inner) return this.primary(node1(node, 'primary'));
    const op = firstToken(node, ['Minus', 'Tilde'])!.image as '-' | '~';
    return { kind: 'unary', op, operand: this.unary(inner), span: this.nodeSpan(node) };
  }

  private primary(node: CstNode): Expr {
    const inner = nodes(node, 'expression')[0];
    if (inner) return this.expression(inner);
    const number = tokens(node, 'NumberLiteral')[0];
    if (number) return { kind: 'number', value: this.number(number), span: this.tokenSpan(number) };
    const id = token1(node, 'Identifier');
    return { kind: 'name', name: id.image, span: this.tokenSpan(id) };
  }

  /** Left-associative chain `a op b op c`: operators of several token kinds are ordered by offset. */
  private binaryChain(node: CstNode, operandRule: string, operatorTokens: readonly string[], build: (n: CstNode) => Expr): Expr {
    const operands = nodes(node, operandRule);
    const operators = operatorTokens.flatMap((t) => tokens(node, t)).sort((a, b) => a.startOffset - b.startOffset);
    // Checking recurses once per operator of a chain: bound it, with a clear message.
    if (operators.length > MAX_CHAIN) {
      this.diagnostics.push({ code: 'SC1005', severity: 'error', message: `more than ${MAX_CHAIN} \`${operators[0]!.image}\`-level operators in a row`, span: this.tokenSpan(operators[MAX_CHAIN]!) });
    }
    let result = build(operands[0]!);
    operators.forEach((operator, i) => {
      const right = build(operands[i + 1]!);
      result = { kind: 'binary', op: operator.image as BinaryOperator, left: result, right, span: { file: this.file, start: result.span.start, end: right.span.end } };
    });
    return result;
  }
}

function isNode(element: CstElement): element is CstNode {
  return 'children' in element;
}

function nodes(node: CstNode, name: string): CstNode[] {
  return (node.children[name] ?? []).filter(isNode);
}

function node1(node: CstNode, name: string): CstNode {
  return nodes(node, name)[0]!;
}

function tokens(node: CstNode, name: string): IToken[] {
  return (node.children[name] ?? []).filter((e): e is IToken => !isNode(e));
}

function token1(node: CstNode, name: string): IToken {
  return tokens(node, name)[0]!;
}

function firstToken(node: CstNode, names: readonly string[]): IToken | undefined {
  return names.flatMap((n) => tokens(node, n)).sort((a, b) => a.startOffset - b.startOffset)[0];
}

function onlyChild(node: CstNode): [string, CstElement] {
  const [name, children] = Object.entries(node.children)[0]!;
  return [name, children[0]!];
}

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}
