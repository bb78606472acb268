// The policy grammar, as a chevrotain parser with embedded actions that build the syntax tree
// directly (no concrete tree: parsing a large policy is mostly allocation otherwise). Each rule
// carries its production as a comment. Error recovery is on, so one run reports every syntax
// error; after an error the tree is incomplete and is not used.
import { EmbeddedActionsParser, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SourceFile, Span } from '../diagnostics/source.ts';
import type { ActionNode, Expr, Statement, SyscallRef } from './ast.ts';
import { ExpressionBuilder, tokenEnd, type ExprItem } from './precedence.ts';
import * as T from './tokens.ts';

function describe(token: IToken): string {
  if (token.tokenType.name === 'EOF') return 'the end of the file';
  return `\`${token.image}\``;
}

function after(previous: IToken | undefined): string {
  return previous && !Number.isNaN(previous.startOffset) ? ` after \`${previous.image}\`` : '';
}

function labelOf(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const RULE_CONTEXT: Readonly<Record<string, string>> = {
  statement: 'a statement (`default`, `define`, `include`, `arch` or a rule such as `allow read, write`)',
  archBlock: 'an architecture such as `aarch64`',
  archName: 'an architecture such as `aarch64`',
  syscallList: 'a syscall name or number',
  syscallRef: 'a syscall name or number',
  action: 'an action such as `allow` or `errno(EPERM)`',
  primary: 'a value (a number, a name, or a parenthesised expression)',
  operand: 'a value (a number, a name, or a parenthesised expression)',
  set: 'a set such as `{AF_UNIX, AF_INET}`',
};

/** Short messages in the project's style instead of chevrotain's token-sequence dumps. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${labelOf(expected)}, found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}: expected a new statement`;
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    return `expected ${RULE_CONTEXT[ruleName] ?? 'something else'}${after(previous)}, found ${actual[0] ? describe(actual[0]) : 'nothing'}`;
  },
  buildEarlyExitMessage({ actual, previous, ruleName }) {
    return `expected ${RULE_CONTEXT[ruleName] ?? 'at least one item'}${after(previous)}, found ${actual[0] ? describe(actual[0]) : 'nothing'}`;
  },
};

export class PolicyParser extends EmbeddedActionsParser {
  /** The file being parsed: set before each parse, for the spans of the tree. */
  file!: SourceFile;
  /** Problems found while building the tree (bad literals, chained comparisons, limits). */
  diagnostics: Diagnostic[] = [];
  /** Tokens that could not start a statement (kept even when the parse stops early). */
  strays: IToken[] = [];

  /** `validate`: run Chevrotain's grammar checks (the tests do; they are too slow for every start). */
  constructor(validate = false) {
    super(T.ALL_TOKENS, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 2, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  /** Prepares a parse of `tokens` from `file`. */
  start(file: SourceFile, tokens: IToken[]): void {
    this.file = file;
    this.diagnostics = [];
    this.strays = [];
    this.input = tokens;
  }

  private span(start: number, end: number): Span {
    return { file: this.file, start, end };
  }

  private tokenSpan(token: IToken): Span {
    return this.span(token.startOffset, tokenEnd(token));
  }

  // policy := (statement | stray)*
  public policy = this.RULE('policy', (): readonly Statement[] => {
    const statements: Statement[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const statement = this.SUBRULE(this.statement);
            this.ACTION(() => statement && statements.push(statement));
          },
        },
        {
          ALT: () => {
            const stray = this.CONSUME(T.Stray);
            this.ACTION(() => this.strays.push(stray));
          },
        },
      ]);
    });
    return statements;
  });

  // statement := defaultStatement | specialAction | defineStatement | includeStatement | archBlock | ruleStatement
  private statement = this.RULE('statement', (): Statement | undefined =>
    this.OR([
      { ALT: () => this.SUBRULE(this.defaultStatement) },
      { ALT: () => this.SUBRULE(this.archBlock) },
      { ALT: () => this.SUBRULE(this.specialAction) },
      { ALT: () => this.SUBRULE(this.defineStatement) },
      { ALT: () => this.SUBRULE(this.includeStatement) },
      { ALT: () => this.SUBRULE(this.ruleStatement) },
    ]));

  // defaultStatement := 'default' action
  private defaultStatement = this.RULE('defaultStatement', (): Statement | undefined => {
    const keyword = this.CONSUME(T.Default);
    const action = this.SUBRULE(this.action);
    return this.ACTION(() => action && { kind: 'default', action, span: this.span(keyword.startOffset, action.span.end) });
  });

  // specialAction := ('x32' | 'foreign_arch') action
  private specialAction = this.RULE('specialAction', (): Statement | undefined => {
    const keyword = this.OR([{ ALT: () => this.CONSUME(T.X32) }, { ALT: () => this.CONSUME(T.ForeignArch) }]);
    const action = this.SUBRULE(this.action);
    return this.ACTION(() => action && { kind: keyword.tokenType === T.X32 ? 'x32' : 'foreign_arch', action, span: this.span(keyword.startOffset, action.span.end) });
  });

  // defineStatement := 'define' Identifier '=' expression
  private defineStatement = this.RULE('defineStatement', (): Statement | undefined => {
    const keyword = this.CONSUME(T.Define);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => value && { kind: 'define', name: name.image, nameSpan: this.tokenSpan(name), value, span: this.span(keyword.startOffset, value.span.end) });
  });

  // archBlock := 'arch' archName (',' archName)* '{' statement* '}'
  private archBlock = this.RULE('archBlock', (): Statement | undefined => {
    const keyword = this.CONSUME(T.Arch);
    const arches: { name: string; span: Span }[] = [];
    const first = this.SUBRULE(this.archName);
    this.ACTION(() => arches.push({ name: first.image, span: this.tokenSpan(first) }));
    this.MANY(() => {
      this.CONSUME(T.Comma);
      const next = this.SUBRULE2(this.archName);
      this.ACTION(() => arches.push({ name: next.image, span: this.tokenSpan(next) }));
    });
    this.CONSUME(T.LBrace);
    const statements: Statement[] = [];
    this.MANY2(() => {
      const statement = this.SUBRULE(this.statement);
      this.ACTION(() => statement && statements.push(statement));
    });
    const close = this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'arch', arches, statements, span: this.span(keyword.startOffset, tokenEnd(close)) }));
  });

  // archName := Identifier | 'x32' (a keyword elsewhere, a target here)
  private archName = this.RULE('archName', (): IToken => this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.X32) }]));

  // includeStatement := 'include' String
  private includeStatement = this.RULE('includeStatement', (): Statement | undefined => {
    const keyword = this.CONSUME(T.Include);
    const path = this.CONSUME(T.StringLiteral);
    return this.ACTION(() => ({ kind: 'include', path: unquote(path.image), pathSpan: this.tokenSpan(path), span: this.span(keyword.startOffset, tokenEnd(path)) }));
  });

  // ruleStatement := action syscallList ('if' expression)?
  private ruleStatement = this.RULE('ruleStatement', (): Statement | undefined => {
    const action = this.SUBRULE(this.action);
    const list = this.SUBRULE(this.syscallList);
    const condition = this.OPTION(() => {
      this.CONSUME(T.If);
      return this.SUBRULE(this.expression);
    });
    return this.ACTION(() => {
      if (!action || !list) return undefined;
      const end = condition?.span.end ?? list.end;
      return { kind: 'rule', action, syscalls: list.refs, ...(condition ? { condition } : {}), span: this.span(action.span.start, end) };
    });
  });

  // action := ActionName ('(' expression ')')?
  // ActionName := 'allow' | 'log' | 'kill_process' | 'kill' | 'kill_thread' | 'trap' | 'errno' | 'trace' | 'notify'
  private action = this.RULE('action', (): ActionNode | undefined => {
    const name = this.CONSUME(T.ActionName);
    const argument = this.OPTION(() => {
      this.CONSUME(T.LParen);
      const value = this.SUBRULE(this.expression);
      const close = this.CONSUME(T.RParen);
      return { value, end: tokenEnd(close) };
    });
    return this.ACTION(() => ({
      name: name.image, nameSpan: this.tokenSpan(name),
      ...(argument?.value ? { argument: argument.value } : {}),
      span: this.span(name.startOffset, argument?.end ?? tokenEnd(name)),
    }));
  });

  // syscallList := '{' (syscallRef ','?)* '}' | syscallRef (',' syscallRef)*
  private syscallList = this.RULE('syscallList', (): { refs: SyscallRef[]; end: number } => {
    const refs: SyscallRef[] = [];
    let end = 0;
    const add = (ref: SyscallRef | undefined): void => {
      if (!ref) return;
      refs.push(ref);
      end = ref.span.end;
    };
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY(() => {
            const ref = this.SUBRULE(this.syscallRef);
            this.ACTION(() => add(ref));
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          const close = this.CONSUME(T.RBrace);
          this.ACTION(() => (end = tokenEnd(close)));
        },
      },
      {
        ALT: () => {
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: () => {
              const ref = this.SUBRULE2(this.syscallRef);
              this.ACTION(() => add(ref));
            },
          });
        },
      },
    ]);
    return { refs, end };
  });

  // syscallRef := Identifier | Number | 'kill'
  private syscallRef = this.RULE('syscallRef', (): SyscallRef | undefined => {
    const token = this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.KillKeyword) },
    ]);
    return this.ACTION(() => (token.tokenType === T.NumberLiteral
      ? { kind: 'number', value: this.number(token), span: this.tokenSpan(token) }
      : { kind: 'name', name: token.image, span: this.tokenSpan(token) }));
  });

  // Expressions are read flat, operands and operators in a row; precedence.ts gives them their
  // structure. (A rule per precedence level would make every literal ten calls deep.)
  //
  // expression := operand (infixOperator operand | 'not'? 'in' set)*
  // infixOperator := 'or' | '||' | 'and' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  //                | '|' | '^' | '&' | '<<' | '>>' | '+' | '-'
  public expression = this.RULE('expression', (): Expr | undefined => {
    const items: ExprItem[] = [];
    this.SUBRULE(this.operand, { ARGS: [items] });
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const operator = this.CONSUME(T.InfixOperator);
            this.ACTION(() => items.push({ kind: 'infix', token: operator }));
            this.SUBRULE2(this.operand, { ARGS: [items] });
          },
        },
        {
          ALT: () => {
            const not = this.OPTION(() => this.CONSUME(T.Not));
            const token = this.CONSUME(T.In);
            const set = this.SUBRULE(this.set);
            this.ACTION(() => items.push({ kind: 'in', token, negated: not !== undefined, elements: set.elements, end: set.end }));
          },
        },
      ]);
    });
    return this.ACTION(() => {
      try {
        return new ExpressionBuilder(items, this.file, this.diagnostics).build();
      } catch {
        return undefined; // an expression cut short by a syntax error, which is reported
      }
    });
  });

  // operand := ('not' | '!' | '-' | '~')* primary
  private operand = this.RULE('operand', (items: ExprItem[]) => {
    this.MANY(() => {
      const prefix = this.CONSUME(T.PrefixOperator);
      this.ACTION(() => items.push({ kind: 'prefix', token: prefix }));
    });
    const primary = this.SUBRULE(this.primary);
    this.ACTION(() => primary && items.push({ kind: 'operand', expr: primary }));
  });

  // set := '{' (expression (',' expression)* ','?)? '}'
  private set = this.RULE('set', (): { elements: Expr[]; end: number } => {
    const elements: Expr[] = [];
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      const first = this.SUBRULE(this.expression);
      this.ACTION(() => first && elements.push(first));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        const next = this.SUBRULE2(this.expression);
        this.ACTION(() => next && elements.push(next));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RBrace);
    return { elements, end: tokenEnd(close) };
  });

  // primary := Number | Identifier | '(' expression ')'
  private primary = this.RULE('primary', (): Expr | undefined =>
    this.OR([
      {
        ALT: () => {
          const token = this.CONSUME(T.NumberLiteral);
          return this.ACTION((): Expr => ({ kind: 'number', value: this.number(token), span: this.tokenSpan(token) }));
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(T.Identifier);
          return this.ACTION((): Expr => ({ kind: 'name', name: token.image, span: this.tokenSpan(token) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
          return inner;
        },
      },
    ]));

  /** The lexer wrapper (index.ts) leaves each literal's value on its token. */
  private number(token: IToken): bigint {
    return token.payload as bigint;
  }
}

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

let parser: PolicyParser | undefined;
/** Building the parser analyses the grammar once; reuse the instance. */
export function policyParser(): PolicyParser {
  parser ??= new PolicyParser();
  return parser;
}
