/**
 * The report formats: human (the compiler's diagnostic style), JSON, SARIF 2.1.0 validated against
 * the official schema (test/fixtures/lint/sarif-schema-2.1.0.json, the OASIS 2.1.0 schema as
 * Microsoft's sarif-js-sdk ships it), and GitHub workflow commands.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { nodeFileHost } from '../../src/host/node-host.ts';
import { lintText } from '../../src/lint/engine.ts';
import { escapeData, escapeProperty, formatGithub } from '../../src/lint/report/github.ts';
import { formatHuman } from '../../src/lint/report/human.ts';
import { formatJson } from '../../src/lint/report/json.ts';
import { formatSarif, sarifLog } from '../../src/lint/report/sarif.ts';
import { summarize, summaryLine } from '../../src/lint/report/summary.ts';
import { RULES } from '../../src/lint/rules/index.ts';
import { lintFiles } from '../../src/lint/run.ts';
import type { FileResult } from '../../src/lint/types.ts';
import { VERSION } from '../../src/version.ts';
import { ROOT } from '../support/cli-build.ts';
import { PROFILES_DIR } from '../oci/support.ts';

const POLICY = [
  'default kill_process',
  'allow exit_group, rt_sigreturn',
  '# seccompile-disable-next-line dangerous-syscall: the debugger sandbox, 100% on purpose',
  'allow ptrace',
  'allow bpf, read, read',
  'allow openat if filename == 0x1000',
].join('\n');

function policyResult(): FileResult {
  return lintText(POLICY, 'policies/dev tools.policy', { host: nodeFileHost });
}

function results(): FileResult[] {
  const profile = lintFiles([join(PROFILES_DIR, 'docker-default.json')], { profile: { kernel: { major: 6, minor: 1 } } });
  return [policyResult(), ...profile];
}

describe('human', () => {
  it('prints each finding with the source line, a caret, help, the JSON path and the docs, then a summary', () => {
    const text = formatHuman(results(), { color: false, docsBaseUrl: 'https://example.org/lint-rules.md' });
    expect(text).toContain([
      'policies/dev tools.policy:5:7: error: `bpf` is allowed whatever its arguments: it loads eBPF programs: verifier bugs have given root many times (CVE-2021-3490, CVE-2022-23222) [dangerous-syscall]',
      '5 | allow bpf, read, read',
      '  |       ^^^',
    ].join('\n'));
    expect(text).toContain('  = note: see https://example.org/lint-rules.md#dangerous-syscall');
    expect(text).toContain('= note: at $.syscalls[1].names[2]');
    expect(text).not.toContain('ptrace` is allowed whatever its arguments: it lets the process read and change other processes (and, before Linux 4.8, change a call after the filter checked it) [dangerous-syscall]\n4 |');
    expect(text.trimEnd().split('\n').pop()).toBe('6 errors, 2 warnings and 2 infos in 2 files (1 suppressed)');
    expect(text).not.toMatch(/\x1b\[/);
    expect(formatHuman(results(), { color: true })).toMatch(/\x1b\[/);
  });

  it("without a documentation URL, names the rule's section of the package's docs, never a path on this machine", () => {
    const text = formatHuman(results(), { color: false });
    expect(text).toContain(`  = note: see docs/lint-rules.md#dangerous-syscall in seccompile ${VERSION}`);
    expect(text).not.toContain('file:');
    expect(text).not.toMatch(/see \/.*lint-rules/);
  });

  it('summarises a clean run', () => {
    expect(summaryLine({ files: 1, errors: 0, warnings: 0, infos: 0, suppressed: 0 })).toBe('no problems in 1 file');
    expect(summaryLine({ files: 3, errors: 1, warnings: 1, infos: 1, suppressed: 2 })).toBe('1 error, 1 warning and 1 info in 3 files (2 suppressed)');
  });
});

describe('json', () => {
  it('gives every finding with its position, docs, and suppressions', () => {
    const document = JSON.parse(formatJson(results())) as {
      version: number; tool: { name: string }; summary: Record<string, number>;
      files: { path: string; kind: string; findings: Record<string, unknown>[] }[];
    };
    expect(document.version).toBe(1);
    expect(document.tool.name).toBe('seccompile');
    expect(document.summary).toEqual({ files: 2, errors: 6, warnings: 2, infos: 2, suppressed: 1 });
    const [policy, profile] = document.files;
    expect(policy!.kind).toBe('policy');
    expect(profile!.kind).toBe('profile');
    const suppressed = policy!.findings.find((f) => f['suppressed'])!;
    expect(suppressed).toMatchObject({ ruleId: 'dangerous-syscall', line: 4, column: 7, endLine: 4, endColumn: 13, suppressed: { reason: 'the debugger sandbox, 100% on purpose', line: 3 } });
    const duplicate = policy!.findings.find((f) => f['ruleId'] === 'duplicate-syscall')!;
    expect(duplicate).toMatchObject({ severity: 'warning', compilerCode: 'SC3003', line: 5, column: 18, docs: 'docs/lint-rules.md#duplicate-syscall' });
    expect(duplicate['related']).toEqual([{ message: 'first listed here', path: 'policies/dev tools.policy', line: 5, column: 12 }]);
    // A URL only where one is configured: a path on the machine that linted is no link elsewhere.
    expect(duplicate['docsUrl']).toBeUndefined();
    expect(formatJson(results())).not.toContain('file:');
    const linked = JSON.parse(formatJson(results(), { docsBaseUrl: 'https://example.org/docs/lint-rules.md' })) as { files: { findings: Record<string, unknown>[] }[] };
    expect(linked.files[0]!.findings.find((f) => f['ruleId'] === 'duplicate-syscall')!['docsUrl']).toBe('https://example.org/docs/lint-rules.md#duplicate-syscall');
    const ptrace = profile!.findings.find((f) => f['jsonPath'] === '$.syscalls[1].names[2]')!;
    expect(ptrace).toMatchObject({ ruleId: 'dangerous-syscall', severity: 'error', line: 432, column: 5 });
  });
});

describe('sarif', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'lint', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
  // unicodeRegExp off: the schema's pattern for `language` has a stray `]`, valid only without the u flag.
  // Both packages are CommonJS with a `default` export.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('is valid against the SARIF 2.1.0 schema', () => {
    const log = JSON.parse(formatSarif(results(), { root: ROOT })) as unknown;
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator does catch mistakes.
    const broken = JSON.parse(formatSarif(results(), { root: ROOT })) as { runs: { results: Record<string, unknown>[] }[] };
    broken.runs[0]!.results[0]!['level'] = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('an empty run and a run with a whole-file finding are valid too', () => {
    expect(validate(sarifLog([]))).toBe(true);
    const fileLevel: FileResult = { path: '/abs/too long.policy', kind: 'policy', includedPaths: [], findings: [{ ruleId: 'program-near-limit', severity: 'warning', message: 'long', path: '/abs/too long.policy' }] };
    const log = sarifLog([fileLevel], { root: ROOT });
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const result = (log['runs'] as { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[])[0]!.results[0]!;
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe(pathToFileURL('/abs/too long.policy').href);
  });

  it('describes every rule and places every result', () => {
    const log = sarifLog(results(), { root: ROOT }) as { runs: { tool: { driver: { rules: { id: string; helpUri: string; defaultConfiguration: { level: string }; properties: { tags: string[] } }[] } }; results: Record<string, unknown>[]; originalUriBaseIds: { SRCROOT: { uri: string } } }[] };
    const [run] = log.runs;
    expect(run!.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const dangerous = run!.tool.driver.rules.find((r) => r.id === 'dangerous-syscall')!;
    // helpUri must be absolute: left out unless a documentation URL is configured.
    expect(dangerous.helpUri).toBeUndefined();
    expect(JSON.stringify(log)).not.toMatch(/file:[^"]*lint-rules/);
    const linked = sarifLog(results(), { root: ROOT, docsBaseUrl: 'https://example.org/docs/lint-rules.md' }) as typeof log;
    const linkedRule = linked.runs[0]!.tool.driver.rules.find((r) => r.id === 'dangerous-syscall')!;
    expect(linkedRule.helpUri).toBe('https://example.org/docs/lint-rules.md#dangerous-syscall');
    expect(validate(linked), JSON.stringify(validate.errors)).toBe(true);
    expect(dangerous.defaultConfiguration.level).toBe('error');
    expect(dangerous.properties.tags).toEqual(['seccomp', 'security']);
    expect(run!.originalUriBaseIds.SRCROOT.uri).toBe(pathToFileURL(ROOT).href);
    const suppressed = run!.results.find((r) => r['suppressions'])!;
    expect(suppressed).toMatchObject({
      ruleId: 'dangerous-syscall',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'policies/dev%20tools.policy', uriBaseId: 'SRCROOT' }, region: { startLine: 4, startColumn: 7, endLine: 4, endColumn: 13 } } }],
      suppressions: [{ kind: 'inSource', justification: 'the debugger sandbox, 100% on purpose' }],
    });
    const profile = run!.results.find((r) => JSON.stringify(r).includes('$.syscalls[1].names[2]'))!;
    expect(profile['locations']).toMatchObject([{ logicalLocations: [{ fullyQualifiedName: '$.syscalls[1].names[2]' }] }]);
    expect(run!.results.filter((r) => r['level'] === 'note').length).toBe(2);
  });
});

describe('github', () => {
  it('escapes as @actions/core does', () => {
    expect(escapeData('100%\r\nnext')).toBe('100%25%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('writes one workflow command per finding, suppressed ones left out', () => {
    const text = formatGithub([policyResult()]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::\S/);
    expect(lines[0]).toBe("::error file=policies/dev tools.policy,line=5,col=7,endLine=5,endColumn=10,title=dangerous-syscall::`bpf` is allowed whatever its arguments: it loads eBPF programs: verifier bugs have given root many times (CVE-2021-3490, CVE-2022-23222)%0Ahelp: refuse it (`errno(EPERM) bpf`), or allow only the calls the program needs with a condition%0Asee docs/lint-rules.md#dangerous-syscall in seccompile " + VERSION);
    expect(text).toContain('::warning file=policies/dev tools.policy,line=5,col=18,');
    expect(text).not.toContain('ptrace');
  });

  it('adds the JSON path for profiles and uses notices for info findings', () => {
    const profile = lintFiles([join(PROFILES_DIR, 'docker-default.json')], { profile: { kernel: { major: 6, minor: 1 } } });
    const text = formatGithub(profile, { docsBaseUrl: 'https://example.org/lint.md' });
    expect(text).toMatch(/^::notice file=[^\n]*docker-default\.json,line=6,col=20,[^\n]*title=compiler-note::the filter has a section for each ABI the profile lists for amd64 hosts/m);
    expect(text).toContain('(at $.syscalls[1].names[2])%0A');
    expect(text).toContain('%0Asee https://example.org/lint.md#dangerous-syscall');
  });

  it('counts what the exit status depends on', () => {
    expect(summarize([policyResult()])).toEqual({ files: 1, errors: 1, warnings: 2, infos: 0, suppressed: 1 });
  });
});
