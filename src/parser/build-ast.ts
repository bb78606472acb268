// Turns chevrotain's concrete syntax tree into the syntax tree of ast.ts. Runs only on error-free
// parses, so every child the grammar requires is present.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import type { ActionNode, BinaryOperator, Expr, Statement, SyscallRef } from './ast.ts';
import { parseNumberLiteral } from './numbers.ts';

/** Most operators (other than `and`/`or`) in one expression: checking recurses once per operator. */
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

  /**
   * An expression from its flat concrete form (operands and operators in a row), by precedence
   * climbing. Binding, loosest first: `or`; `and`; comparisons and `in` (not chained); `|`; `^`;
   * `&`; `<<` `>>`; `+` `-`; then the prefixes `-` `~`. The prefix `not` takes a comparison:
   * `not a == 1` is `not (a == 1)`.
   */
  expression(node: CstNode): Expr {
    const items = this.flatten(node);
    const infix = items.filter((i) => i.kind === 'infix' && !LOGICAL.has(i.token.image)).length;
    if (infix > MAX_CHAIN) {
      const token = (items.filter((i) => i.kind === 'infix')[MAX_CHAIN] as { token: IToken }).token;
      this.diagnostics.push({ code: 'SC1005', severity: 'error', message: `more than ${MAX_CHAIN} operators in one expression`, span: this.tokenSpan(token) });
    }
    const cursor = { items, at: 0 };
    return this.climb(cursor, 0);
  }

  /** Operands (prefixes, then the primary) and operators, in source order. */
  private flatten(node: CstNode): Item[] {
    const items: Item[] = [];
    const sets = nodes(node, 'set');
    let inIndex = 0;
    for (const [name, children] of Object.entries(node.children)) {
      if (name === 'operand') {
        for (const operand of children as CstNode[]) {
          for (const [prefixName, prefixes] of Object.entries(operand.children)) {
            if (prefixName === 'primary') continue;
            for (const token of prefixes as IToken[]) items.push({ kind: 'prefix', token, at: token.startOffset });
          }
          const primary = node1(operand, 'primary');
          items.push({ kind: 'primary', node: primary, at: primary.location!.startOffset });
        }
      } else if (name === 'In') {
        for (const token of children as IToken[]) items.push({ kind: 'in', token, set: sets[inIndex++]!, negated: false, at: token.startOffset });
      } else if (INFIX_TOKEN_NAMES.has(name)) {
        for (const token of children as IToken[]) items.push({ kind: 'infix', token, at: token.startOffset });
      }
    }
    items.sort((a, b) => a.at - b.at);
    // At this level `not` only appears as `not in` (a prefix `not` belongs to its operand): it
    // negates the `in` that follows it.
    const nots = tokens(node, 'Not').map((t) => t.startOffset);
    for (let i = 0; nots.length > 0 && i < items.length; i++) {
      const item = items[i]!;
      if (item.kind !== 'in') continue;
      const previousAt = i > 0 ? items[i - 1]!.at : -1;
      items[i] = { ...item, negated: nots.some((at) => at > previousAt && at < item.at) };
    }
    return items;
  }

  private climb(cursor: Cursor, minPrecedence: number): Expr {
    let left = this.prefixed(cursor);
    for (;;) {
      const item = cursor.items[cursor.at];
      if (!item || (item.kind !== 'infix' && item.kind !== 'in')) return left;
      const precedence = item.kind === 'in' ? COMPARISON : PRECEDENCE[item.token.image]!;
      if (precedence < minPrecedence) return left;
      cursor.at++;
      if (item.kind === 'in') {
        const elements = nodes(item.set, 'expression').map((e) => this.expression(e));
        left = { kind: 'in', negated: item.negated, operand: left, elements, span: this.between(left.span.start, this.nodeSpan(item.set).end) };
      } else {
        const right = this.climb(cursor, precedence + 1);
        left = this.combine(item.token, left, right);
      }
      if (precedence === COMPARISON) this.refuseChainedComparison(cursor);
    }
  }

  /** `a == b == c` reads differently in every language: ask for `and`. */
  private refuseChainedComparison(cursor: Cursor): void {
    const next = cursor.items[cursor.at];
    if (next && (next.kind === 'in' || (next.kind === 'infix' && PRECEDENCE[next.token.image] === COMPARISON))) {
      this.diagnostics.push({ code: 'SC1002', severity: 'error', message: `comparisons cannot be chained: \`${next.token.image}\` follows a comparison`, span: this.tokenSpan(next.token), hint: 'combine comparisons with `and` or `or`, or use parentheses' });
    }
  }

  private combine(operator: IToken, left: Expr, right: Expr): Expr {
    const op = LOGICAL.get(operator.image);
    const span = this.between(left.span.start, right.span.end);
    if (!op) return { kind: 'binary', op: operator.image as BinaryOperator, left, right, span };
    // `a or b or c` as one node with a list, so long lists need no deep recursion.
    if (left.kind === 'logical' && left.op === op) return { kind: 'logical', op, operands: [...left.operands, right], span };
    return { kind: 'logical', op, operands: [left, right], span };
  }

  private prefixed(cursor: Cursor): Expr {
    const item = cursor.items[cursor.at++];
    if (!item) throw new Error('expression ended early');
    if (item.kind === 'primary') return this.primary(item.node);
    if (item.kind !== 'prefix') throw new Error(`unexpected ${item.kind} in an expression`);
    const logicalNot = item.token.image === 'not' || item.token.image === '!';
    const operand = logicalNot ? this.climb(cursor, COMPARISON) : this.prefixed(cursor);
    const op = logicalNot ? 'not' : (item.token.image as '-' | '~');
    return { kind: 'unary', op, operand, span: this.between(item.token.startOffset, operand.span.end) };
  }

  private primary(node: CstNode): Expr {
    const inner = nodes(node, 'expression')[0];
    if (inner) return this.expression(inner);
    const number = tokens(node, 'NumberLiteral')[0];
    if (number) return { kind: 'number', value: this.number(number), span: this.tokenSpan(number) };
    const id = token1(node, 'Identifier');
    return { kind: 'name', name: id.image, span: this.tokenSpan(id) };
  }

  private between(start: number, end: number): Span {
    return { file: this.file, start, end };
  }
}

type Item =
  | { readonly kind: 'prefix' | 'infix'; readonly token: IToken; readonly at: number }
  | { readonly kind: 'primary'; readonly node: CstNode; readonly at: number }
  | { readonly kind: 'in'; readonly token: IToken; readonly set: CstNode; readonly negated: boolean; readonly at: number };

interface Cursor {
  readonly items: readonly Item[];
  at: number;
}

const COMPARISON = 3;
const PRECEDENCE: Readonly<Record<string, number>> = {
  'or': 1, '||': 1, 'and': 2, '&&': 2,
  '==': COMPARISON, '!=': COMPARISON, '<': COMPARISON, '<=': COMPARISON, '>': COMPARISON, '>=': COMPARISON,
  '|': 4, '^': 5, '&': 6, '<<': 7, '>>': 7, '+': 8, '-': 8,
};
const LOGICAL = new Map<string, 'and' | 'or'>([['or', 'or'], ['||', 'or'], ['and', 'and'], ['&&', 'and']]);
const INFIX_TOKEN_NAMES = new Set(['Or', 'OrOr', 'And', 'AndAnd', 'EqEq', 'NotEq', 'LessEq', 'GreaterEq', 'Less', 'Greater', 'Pipe', 'Caret', 'Amp', 'ShiftLeft', 'ShiftRight', 'Plus', 'Minus']);

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
