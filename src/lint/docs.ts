// Links to the rules' documentation, docs/lint-rules.md#RULE-ID. Reports are read far from the
// machine that made them (GitHub's UI, SARIF viewers, another developer's checkout), so without a
// configured base URL they name the file by its path in the seccompile package, never by a
// location on this machine.
import { VERSION } from '../version.ts';

export const RULES_DOC = 'docs/lint-rules.md';

/** The documentation's URL for a rule: `${base}#id`, where a base URL is configured. */
export function ruleDocsUrl(id: string, base: string | undefined): string | undefined {
  return base ? `${base.replace(/#.*$/, '')}#${id}` : undefined;
}

/** Where to read about a rule, as a reader anywhere can follow it: the URL, else the package's file. */
export function ruleDocsReference(id: string, base: string | undefined): string {
  return ruleDocsUrl(id, base) ?? `${RULES_DOC}#${id} in seccompile ${VERSION}`;
}
