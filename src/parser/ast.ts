// Syntax tree of one policy file. Names are unresolved here: the checker gives them meaning.
import type { SourceFile, Span } from '../diagnostics/source.ts';

export interface PolicyFile {
  readonly file: SourceFile;
  readonly statements: readonly Statement[];
  /** `#` comments, kept for tools that read directives from them (lint suppressions). */
  readonly comments: readonly Comment[];
}

export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export type Statement = DefaultStatement | SpecialActionStatement | UnknownStatement | DefineStatement | IncludeStatement | RuleStatement | ArchBlock;

/** `default <action>` */
export interface DefaultStatement {
  readonly kind: 'default';
  readonly action: ActionNode;
  readonly span: Span;
}

/** `x32 <action>` or `foreign_arch <action>`: the verdict for calls no rule may see. */
export interface SpecialActionStatement {
  readonly kind: 'x32' | 'foreign_arch';
  readonly action: ActionNode;
  readonly span: Span;
}

/** `unknown <action> [since X.Y]`: the verdict for syscalls newer than the policy, instead of the default. */
export interface UnknownStatement {
  readonly kind: 'unknown';
  readonly action: ActionNode;
  /** Also the syscalls added after this release. */
  readonly since?: { readonly major: number; readonly minor: number; readonly span: Span };
  readonly span: Span;
}

/** `define NAME = <expr>` */
export interface DefineStatement {
  readonly kind: 'define';
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
  readonly span: Span;
}

/** `arch aarch64, arm { … }`: statements that apply only when compiling for one of these targets. */
export interface ArchBlock {
  readonly kind: 'arch';
  readonly arches: readonly { readonly name: string; readonly span: Span }[];
  readonly statements: readonly Statement[];
  readonly span: Span;
}

/** `include "path"` */
export interface IncludeStatement {
  readonly kind: 'include';
  readonly path: string;
  readonly pathSpan: Span;
  readonly span: Span;
}

/** `<action> <syscall>[, <syscall>…] [if <condition>]` */
export interface RuleStatement {
  readonly kind: 'rule';
  readonly action: ActionNode;
  readonly syscalls: readonly SyscallRef[];
  readonly condition?: Expr;
  readonly span: Span;
}

export interface ActionNode {
  readonly name: string;
  readonly nameSpan: Span;
  readonly argument?: Expr;
  readonly span: Span;
}

export type SyscallRef =
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  /** `@basic-io`: the syscalls of a group (name without the `@`). */
  | { readonly kind: 'group'; readonly name: string; readonly span: Span }
  | { readonly kind: 'number'; readonly value: bigint; readonly span: Span };

export type BinaryOperator =
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '|' | '^' | '&' | '<<' | '>>' | '+' | '-';

export type Expr =
  | { readonly kind: 'number'; readonly value: bigint; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | '~' | 'not'; readonly operand: Expr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'logical'; readonly op: 'and' | 'or'; readonly operands: readonly Expr[]; readonly span: Span }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Expr; readonly elements: readonly Expr[]; readonly span: Span };
