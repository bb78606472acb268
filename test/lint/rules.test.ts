/**
 * Every lint rule against its fixtures (test/fixtures/lint/rules/RULE-ID/): each `flagged*` file
 * must produce findings of the rule, exactly where its annotations say, and each `clean*` file none.
 *
 * Annotations in policies (blanked out before linting, so they do not count as comments):
 *   `… # expect: RULE-ID`           a finding of RULE-ID starts on this line
 *   `# expect-next-line: RULE-ID`    … on the next line
 *   `# expect-file: RULE-ID`         a finding about the whole file (no position)
 * For profiles, `expect.json` in the directory maps a file name to the JSON paths of its findings.
 * `options.json` gives the directory's target kernel.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../src/diagnostics/source.ts';
import { nodeFileHost } from '../../src/host/node-host.ts';
import { parseKernelVersion } from '../../src/lint/config.ts';
import { archByName } from '../../src/arch/index.ts';
import { lintText, type EngineOptions } from '../../src/lint/engine.ts';
import { RULES } from '../../src/lint/rules/index.ts';
import type { Finding } from '../../src/lint/types.ts';
import { ROOT } from '../support/cli-build.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'lint', 'rules');
const ANNOTATION = /#\s*expect(-next-line|-file)?:\s*([a-z0-9, -]+)$/;

interface Expectations {
  /** Lines where a finding of the rule starts. */
  readonly lines: Set<number>;
  readonly fileLevel: boolean;
  readonly annotated: boolean;
}

/** The text with annotations blanked (same length, so positions stay), and what they expect. */
function readAnnotated(text: string, ruleId: string): { text: string; expected: Expectations } {
  const lines = new Set<number>();
  let fileLevel = false;
  let annotated = false;
  const out = text.split('\n').map((line, i) => {
    const match = ANNOTATION.exec(line);
    if (!match) return line;
    annotated = true;
    const ids = match[2]!.split(/[\s,]+/).filter(Boolean);
    if (ids.includes(ruleId)) {
      if (match[1] === '-file') fileLevel = true;
      else lines.add(match[1] === '-next-line' ? i + 2 : i + 1);
    }
    return line.slice(0, match.index) + ' '.repeat(line.length - match.index);
  });
  return { text: out.join('\n'), expected: { lines, fileLevel, annotated } };
}

function optionsFor(dir: string): EngineOptions {
  const path = join(dir, 'options.json');
  const options = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { targetKernel?: string; arch?: string }) : {};
  const arches = options.arch?.split(',').map((name) => archByName(name)!);
  return {
    host: nodeFileHost,
    profile: { kernel: { major: 6, minor: 1 } },
    ...(options.targetKernel ? { targetKernel: parseKernelVersion(options.targetKernel, 'targetKernel') } : {}),
    ...(arches ? { arch: arches[0]!, ...(arches.length > 1 ? { arches } : {}) } : {}),
  };
}

function lintFixture(dir: string, file: string, ruleId: string): { findings: Finding[]; expected: Expectations; jsonPaths?: string[] } {
  const path = join(dir, file);
  const raw = readFileSync(path, 'utf8');
  const { text, expected } = file.endsWith('.json') ? { text: raw, expected: { lines: new Set<number>(), fileLevel: false, annotated: false } } : readAnnotated(raw, ruleId);
  const result = lintText(text, path, optionsFor(dir));
  const findings = result.findings.filter((f) => f.ruleId === ruleId && !f.suppression);
  const expectFile = join(dir, 'expect.json');
  const jsonPaths = file.endsWith('.json') && existsSync(expectFile) ? (JSON.parse(readFileSync(expectFile, 'utf8')) as Record<string, string[]>)[file] : undefined;
  return { findings, expected, ...(jsonPaths ? { jsonPaths } : {}) };
}

const lineOf = (f: Finding): number | undefined => (f.span ? positionOf(f.span.file, f.span.start).line : undefined);

describe('every rule has fixtures', () => {
  it.each(RULES.map((r) => r.id))('%s', (id) => {
    const dir = join(DIR, id);
    expect(existsSync(dir), `test/fixtures/lint/rules/${id}/`).toBe(true);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('flagged')), 'a flagged* fixture').toBe(true);
    expect(files.some((f) => f.startsWith('clean')), 'a clean* fixture').toBe(true);
  });
});

for (const rule of RULES) {
  const dir = join(DIR, rule.id);
  if (!existsSync(dir)) continue;
  const files = readdirSync(dir).filter((f) => /\.(policy|json)$/.test(f) && f !== 'expect.json' && f !== 'options.json').sort();
  describe(rule.id, () => {
    for (const file of files.filter((f) => f.startsWith('flagged'))) {
      it(`flags ${file}`, () => {
        const { findings, expected, jsonPaths } = lintFixture(dir, file, rule.id);
        expect(findings.length, findings.map((f) => f.message).join('\n')).toBeGreaterThan(0);
        if (expected.annotated) {
          const lines = new Set(findings.map(lineOf).filter((l): l is number => l !== undefined));
          expect([...lines].sort((a, b) => a - b)).toEqual([...expected.lines].sort((a, b) => a - b));
          expect(findings.some((f) => !f.span)).toBe(expected.fileLevel);
        }
        if (jsonPaths) expect(findings.map((f) => f.jsonPath).sort()).toEqual([...jsonPaths].sort());
        for (const finding of findings) {
          expect(finding.message.length).toBeGreaterThan(10);
          expect(finding.severity).toBe(finding.fatal ? 'error' : rule.defaultSeverity);
        }
      });
    }
    for (const file of files.filter((f) => f.startsWith('clean'))) {
      it(`does not flag ${file}`, () => {
        const { findings } = lintFixture(dir, file, rule.id);
        expect(findings.map((f) => `${lineOf(f)}: ${f.message}`)).toEqual([]);
      });
    }
  });
}
