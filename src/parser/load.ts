// Resolves `include` statements: parses every file reachable from the entry policy and returns the
// statements in reading order, each include replaced by the statements of the file it names.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { createSourceFile, type SourceFile } from '../diagnostics/source.ts';
import type { IncludeStatement, PolicyFile, Statement } from './ast.ts';
import { formatSize, MAX_POLICY_TEXT } from '../host/text.ts';
import { parsePolicy } from './index.ts';

/** How the loader reaches other files; the CLI passes one backed by the file system. */
export interface FileHost {
  /** Path of `spec` as written in an include inside `from` (relative to the including file). */
  resolve(from: string, spec: string): string;
  /** The text of a file, or why it cannot be used as a policy. */
  readFile(path: string): { readonly text: string } | { readonly error: string };
  /**
   * What makes two paths the same file whatever their spelling (a relative and an absolute path, a
   * symbolic or hard link): its device and inode. Undefined when unknown; the path then stands for it.
   */
  identify?(path: string): string | undefined;
}

export interface LoadedPolicy {
  /** Absent when any file had syntax errors or an include failed. */
  readonly statements?: readonly Statement[];
  /** Every file read, entry first. */
  readonly files: readonly PolicyFile[];
  readonly diagnostics: readonly Diagnostic[];
}

export function loadPolicy(entry: SourceFile, host?: FileHost): LoadedPolicy {
  const files: PolicyFile[] = [];
  const diagnostics: Diagnostic[] = [];
  // A file is read once, like `#pragma once`, whatever path names it: files are told apart by
  // their identity where the host knows it.
  const identity = (path: string): string => host?.identify?.(path) ?? `path:${path}`;
  const seen = new Set<string>([identity(entry.path)]);
  // The text read so far, entry and includes: bounded before anything is parsed.
  let textLength = entry.text.length;
  if (textLength > MAX_POLICY_TEXT) {
    return { files, diagnostics: [{ code: 'SC5001', severity: 'error', path: entry.path, message: `the policy is ${formatSize(textLength)}; policies are limited to ${formatSize(MAX_POLICY_TEXT)} of text, includes counted`, hint: 'a filter from a larger policy would exceed the kernel\'s 4,096 instructions: merge rules with `in {…}` sets' }] };
  }

  /** `stack`: the files being read, outermost first, by identity and by the path that named them. */
  function load(file: SourceFile, stack: readonly { id: string; path: string }[]): Statement[] {
    const parsed = parsePolicy(file);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.policy) return [];
    files.push(parsed.policy);
    const out: Statement[] = [];
    for (const statement of parsed.policy.statements) {
      if (statement.kind === 'include') out.push(...include(statement, stack));
      else out.push(statement);
    }
    return out;
  }

  function include(statement: IncludeStatement, stack: readonly { id: string; path: string }[]): Statement[] {
    const from = statement.span.file.path;
    if (!host) {
      diagnostics.push({ code: 'SC3007', severity: 'error', message: `cannot include "${statement.path}": this policy was given as text, without a file system`, span: statement.pathSpan });
      return [];
    }
    const path = host.resolve(from, statement.path);
    const id = identity(path);
    const open = stack.findIndex((f) => f.id === id);
    if (open >= 0) {
      const chain = [...stack.slice(open).map((f) => f.path), path].join(' → ');
      diagnostics.push({ code: 'SC3006', severity: 'error', message: `include cycle: ${chain}`, span: statement.pathSpan, hint: 'remove one of the includes in the cycle' });
      return [];
    }
    if (seen.has(id)) return [];
    seen.add(id);
    const read = host.readFile(path);
    if ('error' in read) {
      diagnostics.push({ code: 'SC3007', severity: 'error', message: `cannot include ${path}: ${read.error}`, span: statement.pathSpan, hint: 'include paths are relative to the file that includes them' });
      return [];
    }
    textLength += read.text.length;
    if (textLength > MAX_POLICY_TEXT) {
      diagnostics.push({ code: 'SC5001', severity: 'error', message: `cannot include ${path}: the policy and its includes would be ${formatSize(textLength)}; policies are limited to ${formatSize(MAX_POLICY_TEXT)} of text`, span: statement.pathSpan });
      return [];
    }
    return load(createSourceFile(path, read.text), [...stack, { id, path }]);
  }

  const statements = load(entry, [{ id: identity(entry.path), path: entry.path }]);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return failed ? { files, diagnostics } : { statements, files, diagnostics };
}
