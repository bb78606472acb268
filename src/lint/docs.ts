// Links to the rules' documentation: docs/lint-rules.md#RULE-ID. Without a configured base URL
// they point at the copy installed with seccompile (the package ships docs/).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../host/package-root.ts';

export const RULES_DOC = 'docs/lint-rules.md';

/** The documentation of a rule: `${base}#id`, or the installed docs/lint-rules.md. */
export function ruleDocsUrl(id: string, base?: string): string {
  if (base) return `${base.replace(/#.*$/, '')}#${id}`;
  const root = packageRoot();
  return root ? `${pathToFileURL(join(root, RULES_DOC)).href}#${id}` : `${RULES_DOC}#${id}`;
}
