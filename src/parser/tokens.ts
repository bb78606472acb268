// Tokens of the policy language. Newlines are white space: statements are delimited by their shape
// (a statement starts with a keyword or an action name), so a syscall list may span several lines.
import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * Category of every token that cannot start a statement. The top level consumes such tokens one by
 * one after an error, so that parsing resumes at the next statement and every error is reported.
 */
export const Stray = createToken({ name: 'Stray', pattern: Lexer.NA });

/** Categories of the operators: the grammar takes any of them in one step (fewer alternatives to analyse at start). */
export const InfixOperator = createToken({ name: 'InfixOperator', pattern: Lexer.NA, label: 'an operator' });
export const PrefixOperator = createToken({ name: 'PrefixOperator', pattern: Lexer.NA, label: 'a prefix operator' });

// The first characters and line breaks of each pattern are given (`start_chars_hint`,
// `line_breaks`) so that building the lexer need not analyse the regular expressions; the parser
// tests check them against the patterns.
const DIGITS = [...'0123456789'];
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, start_chars_hint: [' ', '\t', '\r', '\n'], line_breaks: true });
/** Comments are kept in their own group: lint reads suppression comments from it. */
// A line ends with LF, CRLF or a lone CR (old Mac files): a comment stops at any of them.
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments', start_chars_hint: ['#'], line_breaks: false });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, label: 'a string', categories: [Stray], start_chars_hint: ['"'], line_breaks: false });
/** Reported by the lexer wrapper with a clear message, never seen by the parser. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*/, label: 'an unterminated string', start_chars_hint: ['"'], line_breaks: false });
/** Greedy on purpose: `0x1g` is one bad literal with a clear message, not `0x1` then `g`. */
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /[0-9][0-9A-Za-z_]*/, label: 'a number', categories: [Stray], start_chars_hint: DIGITS, line_breaks: false });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name', categories: [Stray], start_chars_hint: [...LETTERS, '_'], line_breaks: false });

/**
 * A keyword is a plain string (so the lexer can dispatch on its first character) that gives way
 * to a longer identifier: `index` is a name, not `in` then `dex`. Keywords that are prefixes of
 * other keywords come after them in ALL_TOKENS (`notify` before `not`).
 */
function keyword(word: string, startsStatement: boolean, operator: TokenType[] = []): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1).replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
  return createToken({ name, pattern: word, longer_alt: Identifier, label: `\`${word}\``, categories: startsStatement ? [] : [Stray, ...operator], line_breaks: false });
}

export const Default = keyword('default', true);
export const X32 = keyword('x32', true);
export const ForeignArch = keyword('foreign_arch', true);
export const Arch = keyword('arch', true);
export const Define = keyword('define', true);
export const Include = keyword('include', true);
export const If = keyword('if', false);
export const And = keyword('and', false, [InfixOperator]);
export const Or = keyword('or', false, [InfixOperator]);
export const Not = keyword('not', false, [PrefixOperator]);
export const In = keyword('in', false);

/**
 * Action names are keywords: a statement then always starts with a keyword, so a mistake stays
 * local (`fd ==` at the end of a line cannot swallow the next rule's action as a constant).
 */
export const ActionName = createToken({ name: 'ActionName', pattern: Lexer.NA, label: 'an action' });
/** `kill` is also a syscall name: syscall lists accept this token. */
export const KillKeyword = createToken({ name: 'Kill', pattern: 'kill', longer_alt: Identifier, label: '`kill`', categories: [ActionName], line_breaks: false });
export const ACTION_NAMES = ['allow', 'log', 'kill_process', 'kill_thread', 'kill', 'trap', 'errno', 'trace', 'notify'] as const;
const actionKeywords = ACTION_NAMES.filter((a) => a !== 'kill').map((word) =>
  createToken({ name: `Action_${word}`, pattern: word, longer_alt: Identifier, label: `\`${word}\``, categories: [ActionName], line_breaks: false }));

function punct(name: string, text: string, operator: TokenType[] = []): TokenType {
  return createToken({ name, pattern: text, label: `\`${text}\``, categories: [Stray, ...operator], line_breaks: false });
}

export const AndAnd = punct('AndAnd', '&&', [InfixOperator]);
export const OrOr = punct('OrOr', '||', [InfixOperator]);
export const EqEq = punct('EqEq', '==', [InfixOperator]);
export const NotEq = punct('NotEq', '!=', [InfixOperator]);
export const LessEq = punct('LessEq', '<=', [InfixOperator]);
export const GreaterEq = punct('GreaterEq', '>=', [InfixOperator]);
export const ShiftLeft = punct('ShiftLeft', '<<', [InfixOperator]);
export const ShiftRight = punct('ShiftRight', '>>', [InfixOperator]);
export const Less = punct('Less', '<', [InfixOperator]);
export const Greater = punct('Greater', '>', [InfixOperator]);
export const Assign = punct('Assign', '=');
export const Bang = punct('Bang', '!', [PrefixOperator]);
export const Amp = punct('Amp', '&', [InfixOperator]);
export const Pipe = punct('Pipe', '|', [InfixOperator]);
export const Caret = punct('Caret', '^', [InfixOperator]);
export const Tilde = punct('Tilde', '~', [PrefixOperator]);
export const Plus = punct('Plus', '+', [InfixOperator]);
export const Minus = punct('Minus', '-', [InfixOperator, PrefixOperator]);
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBrace = punct('LBrace', '{');
export const RBrace = punct('RBrace', '}');
export const Comma = punct('Comma', ',');

/**
 * Order matters: longer punctuation before its prefixes, keywords before Identifier, and a keyword
 * before any keyword that is its prefix (`include` before `in`, `notify` before `not`,
 * `kill_process` before `kill`).
 */
export const ALL_TOKENS: TokenType[] = [
  Stray, ActionName, InfixOperator, PrefixOperator, WhiteSpace, Comment, StringLiteral, UnterminatedString, NumberLiteral,
  Default, X32, ForeignArch, Arch, Define, Include, If, And, Or, ...actionKeywords, KillKeyword, Not, In, Identifier,
  AndAnd, OrOr, EqEq, NotEq, LessEq, GreaterEq, ShiftLeft, ShiftRight,
  Less, Greater, Assign, Bang, Amp, Pipe, Caret, Tilde, Plus, Minus,
  LParen, RParen, LBrace, RBrace, Comma,
];

/**
 * The lexer. Chevrotain's checks of the token definitions take longer than lexing a policy, so
 * they run in the tests (`validate`), not on every start.
 */
export function createPolicyLexer(validate = false): Lexer {
  return new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: true, skipValidations: !validate });
}

let lexer: Lexer | undefined;
export function policyLexer(): Lexer {
  lexer ??= createPolicyLexer();
  return lexer;
}
