// Expressions are parsed flat (operands and operators in a row, see grammar.ts) and given their
// structure here by precedence climbing. Binding, loosest first: `or`; `and`; comparisons and
// `in` (never chained); `|`; `^`; `&`; `<<` `>>`; `+` `-`; then the prefixes `-` `~`. The prefix
// `not` takes a comparison: `not a == 1` is `not (a == 1)`.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import type { BinaryOperator, Expr } from './ast.ts';
import type { Token } from './lexer.ts';

export type ExprItem =
  | { readonly kind: 'prefix' | 'infix'; readonly token: Token }
  | { readonly kind: 'operand'; readonly expr: Expr }
  /** `in {…}` or `not in {…}`: the set's elements, and where the set ends. */
  | { readonly kind: 'in'; readonly token: Token; readonly negated: boolean; readonly elements: readonly Expr[]; readonly end: number };

/** Most operators (other than `and`/`or`; `in` counts) in one expression: checking recurses once per operator. */
export const MAX_OPERATORS = 1000;

const COMPARISON = 3;
const PRECEDENCE: Readonly<Record<string, number>> = {
  'or': 1, '||': 1, 'and': 2, '&&': 2,
  '==': COMPARISON, '!=': COMPARISON, '<': COMPARISON, '<=': COMPARISON, '>': COMPARISON, '>=': COMPARISON,
  '|': 4, '^': 5, '&': 6, '<<': 7, '>>': 7, '+': 8, '-': 8,
};
const LOGICAL = new Map<string, 'and' | 'or'>([['or', 'or'], ['||', 'or'], ['and', 'and'], ['&&', 'and']]);

export class ExpressionBuilder {
  private at = 0;
  /** Operand lists of the logical nodes this builder made, which it may still extend. */
  private readonly growable = new WeakSet<readonly Expr[]>();

  constructor(private readonly items: readonly ExprItem[], private readonly file: SourceFile, private readonly diagnostics: Diagnostic[]) {}

  build(): Expr {
    let operators = 0;
    for (const item of this.items) {
      const counted = item.kind === 'in' || (item.kind === 'infix' && !LOGICAL.has(item.token.image));
      if (counted && ++operators === MAX_OPERATORS + 1) {
        this.diagnostics.push({ code: 'SC1005', severity: 'error', message: `more than ${MAX_OPERATORS} operators in one expression`, span: this.tokenSpan(item.token) });
      }
    }
    return this.climb(0);
  }

  private climb(minPrecedence: number): Expr {
    let left = this.prefixed();
    for (;;) {
      const item = this.items[this.at];
      if (!item || (item.kind !== 'infix' && item.kind !== 'in')) return left;
      const precedence = item.kind === 'in' ? COMPARISON : PRECEDENCE[item.token.image]!;
      if (precedence < minPrecedence) return left;
      this.at++;
      if (item.kind === 'in') {
        left = { kind: 'in', negated: item.negated, operand: left, elements: item.elements, span: this.span(left.span.start, item.end) };
      } else {
        left = this.combine(item.token, left, this.climb(precedence + 1));
      }
      if (precedence === COMPARISON) this.refuseChainedComparison();
    }
  }

  /** `a == b == c` reads differently in every language: ask for `and`. */
  private refuseChainedComparison(): void {
    const next = this.items[this.at];
    if (next && (next.kind === 'in' || (next.kind === 'infix' && PRECEDENCE[next.token.image] === COMPARISON))) {
      this.diagnostics.push({
        code: 'SC1002', severity: 'error', message: `comparisons cannot be chained: \`${next.token.image}\` follows a comparison`,
        span: this.tokenSpan(next.token), hint: 'combine comparisons with `and` or `or`, or use parentheses',
      });
    }
  }

  private combine(operator: Token, left: Expr, right: Expr): Expr {
    const op = LOGICAL.get(operator.image);
    const span = this.span(left.span.start, right.span.end);
    if (!op) return { kind: 'binary', op: operator.image as BinaryOperator, left, right, span };
    // `a or b or c` as one node with a list, so long lists need no deep recursion. The list is
    // this builder's own (made just below, never shared), and grows in place: copying it at each
    // step made a chain of n terms cost n² steps.
    if (left.kind === 'logical' && left.op === op && this.growable.has(left.operands)) {
      (left.operands as Expr[]).push(right);
      return { kind: 'logical', op, operands: left.operands, span };
    }
    const operands = [left, right];
    this.growable.add(operands);
    return { kind: 'logical', op, operands, span };
  }

  private prefixed(): Expr {
    const item = this.items[this.at++];
    if (item?.kind === 'operand') return item.expr;
    if (item?.kind !== 'prefix') throw new Error('malformed expression');
    const logicalNot = item.token.image === 'not' || item.token.image === '!';
    const operand = logicalNot ? this.climb(COMPARISON) : this.prefixed();
    return { kind: 'unary', op: logicalNot ? 'not' : (item.token.image as '-' | '~'), operand, span: this.span(item.token.start, operand.span.end) };
  }

  private span(start: number, end: number): Span {
    return { file: this.file, start, end };
  }

  private tokenSpan(token: Token): Span {
    return this.span(token.start, token.end);
  }
}
