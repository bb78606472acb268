// The policy grammar as a chevrotain CST parser. Each rule carries its production as a comment.
// Error recovery is on, so one run reports every syntax error; the tree is only used when there are none.
import { CstParser, type CstNode, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
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
  statement: 'a statement (`default`, `define`, `include` or a rule such as `allow read, write`)',
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

/** Binary operators, in the order the lexer needs no help with (every one is a distinct token). */
export const INFIX_OPERATORS: readonly TokenType[] = [
  T.Or, T.OrOr, T.And, T.AndAnd, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater,
  T.Pipe, T.Caret, T.Amp, T.ShiftLeft, T.ShiftRight, T.Plus, T.Minus,
];

export class PolicyParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 2, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  // policy := (statement | stray)*
  public policy = this.RULE('policy', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(T.Stray) }]);
    });
  });

  // statement := defaultStatement | specialAction | defineStatement | includeStatement | ruleStatement
  private statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.defaultStatement) },
      { ALT: () => this.SUBRULE(this.specialAction) },
      { ALT: () => this.SUBRULE(this.defineStatement) },
      { ALT: () => this.SUBRULE(this.includeStatement) },
      { ALT: () => this.SUBRULE(this.ruleStatement) },
    ]);
  });

  // defaultStatement := 'default' action
  private defaultStatement = this.RULE('defaultStatement', () => {
    this.CONSUME(T.Default);
    this.SUBRULE(this.action);
  });

  // specialAction := ('x32' | 'foreign_arch') action
  private specialAction = this.RULE('specialAction', () => {
    this.OR([{ ALT: () => this.CONSUME(T.X32) }, { ALT: () => this.CONSUME(T.ForeignArch) }]);
    this.SUBRULE(this.action);
  });

  // defineStatement := 'define' Identifier '=' expression
  private defineStatement = this.RULE('defineStatement', () => {
    this.CONSUME(T.Define);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  // includeStatement := 'include' String
  private includeStatement = this.RULE('includeStatement', () => {
    this.CONSUME(T.Include);
    this.CONSUME(T.StringLiteral);
  });

  // ruleStatement := action syscallList ('if' expression)?
  private ruleStatement = this.RULE('ruleStatement', () => {
    this.SUBRULE(this.action);
    this.SUBRULE(this.syscallList);
    this.OPTION(() => {
      this.CONSUME(T.If);
      this.SUBRULE(this.expression);
    });
  });

  // action := ActionName ('(' expression ')')?
  // ActionName := 'allow' | 'log' | 'kill_process' | 'kill' | 'kill_thread' | 'trap' | 'errno' | 'trace' | 'notify'
  private action = this.RULE('action', () => {
    this.CONSUME(T.ActionName);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.SUBRULE(this.expression);
      this.CONSUME(T.RParen);
    });
  });

  // syscallList := '{' (syscallRef ','?)* '}' | syscallRef (',' syscallRef)*
  private syscallList = this.RULE('syscallList', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY(() => {
            this.SUBRULE(this.syscallRef);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RBrace);
        },
      },
      { ALT: () => this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.syscallRef) }) },
    ]);
  });

  // syscallRef := Identifier | Number | 'kill'
  private syscallRef = this.RULE('syscallRef', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.KillKeyword) },
    ]);
  });

  // Expressions are read flat, operands and operators in a row, and precedence is applied when
  // the syntax tree is built (build-ast.ts). A flat rule keeps the concrete tree small, which is
  // most of the parsing cost of a large policy.
  //
  // expression := operand (infixOperator operand | 'in' set | 'not' 'in' set)*
  // infixOperator := 'or' | '||' | 'and' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  //                | '|' | '^' | '&' | '<<' | '>>' | '+' | '-'
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2(INFIX_OPERATORS.map((token) => ({ ALT: () => this.CONSUME(token) })));
            this.SUBRULE2(this.operand);
          },
        },
        {
          ALT: () => {
            this.OPTION(() => this.CONSUME(T.Not));
            this.CONSUME(T.In);
            this.SUBRULE(this.set);
          },
        },
      ]);
    });
  });

  // operand := ('not' | '!' | '-' | '~')* primary
  private operand = this.RULE('operand', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Not) },
        { ALT: () => this.CONSUME(T.Bang) },
        { ALT: () => this.CONSUME(T.Minus) },
        { ALT: () => this.CONSUME(T.Tilde) },
      ]);
    });
    this.SUBRULE(this.primary);
  });

  // set := '{' (expression (',' expression)* ','?)? '}'
  private set = this.RULE('set', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  // primary := Number | Identifier | '(' expression ')'
  private primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });
}

let parser: PolicyParser | undefined;
/** Building the parser analyses the grammar once; reuse the instance. */
export function policyParser(): PolicyParser {
  parser ??= new PolicyParser();
  return parser;
}

export type { CstNode };
