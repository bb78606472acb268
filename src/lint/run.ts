// Lints files: reads each, lints it, and folds the results of several files together. A file that
// another linted policy includes is a fragment: it is linted as part of the policies that include
// it, not on its own (a fragment has no `default`), and a finding in it is reported once.
import { resolve } from 'node:path';
import { nodeFileHost, readBounded } from '../host/node-host.ts';
import { decodePolicyText } from '../host/text.ts';
import { lintText, type EngineOptions } from './engine.ts';
import type { FileResult, Finding } from './types.ts';

export type RunOptions = Omit<EngineOptions, 'host' | 'kind'>;

/** A file that cannot be read or is not text. */
function unreadable(path: string, message: string, code: 'SC5001' | 'SC5002'): FileResult {
  const finding: Finding = { ruleId: 'invalid-policy', severity: 'error', message: `${message} (${code})`, path, compilerCode: code, fatal: true };
  return { path, kind: 'policy', findings: [finding], includedPaths: [] };
}

/** Lints one file (`-` is standard input). */
export function lintFile(path: string, options: RunOptions = {}): FileResult {
  const shown = path === '-' ? '<stdin>' : path;
  const read = readBounded(path);
  if ('error' in read) return unreadable(shown, read.tooLarge ? read.error : `cannot read the file: ${read.error}`, 'SC5001');
  const decoded = decodePolicyText(read.bytes);
  if (!('text' in decoded)) return unreadable(shown, decoded.error, decoded.binary ? 'SC5002' : 'SC5001');
  return lintText(decoded.text, shown, { ...options, host: nodeFileHost });
}

/** Lints files; fragments included by another linted policy are not reported on their own. */
export function lintFiles(paths: readonly string[], options: RunOptions = {}): FileResult[] {
  const results = paths.map((path) => lintFile(path, options));
  const included = new Set(results.flatMap((r) => r.includedPaths.map((p) => resolve(p))));
  const seen = new Set<string>();
  const out: FileResult[] = [];
  for (const result of results) {
    if (result.path !== '<stdin>' && included.has(resolve(result.path))) continue;
    // A finding in a fragment shows up once, whichever policy included it first.
    const findings = result.findings.filter((f) => {
      if (f.path === result.path) return true;
      const key = `${f.ruleId}\0${resolve(f.path)}\0${f.span?.start}\0${f.span?.end}\0${f.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    out.push({ ...result, findings });
  }
  return out;
}
