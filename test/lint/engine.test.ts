/**
 * The lint engine around the rules: configuration (files, --rule, precedence), suppression
 * comments, fragments and includes, JSON paths, and the documentation of every rule.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { positionOf } from '../../src/diagnostics/source.ts';
import { nodeFileHost } from '../../src/host/node-host.ts';
import { ConfigError, findConfig, parseConfig, parseRuleOption, readConfig } from '../../src/lint/config.ts';
import { discoverInputs, DiscoveryError } from '../../src/lint/discover.ts';
import { lintText, type EngineOptions } from '../../src/lint/engine.ts';
import { jsonPathAt } from '../../src/lint/json-path.ts';
import { RULES } from '../../src/lint/rules/index.ts';
import { lintFiles } from '../../src/lint/run.ts';
import type { Finding, Level } from '../../src/lint/types.ts';
import { ROOT } from '../support/cli-build.ts';

const scratch = mkdtempSync(join(tmpdir(), 'seccompile-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lint(text: string, options: EngineOptions = {}): Finding[] {
  return [...lintText(text, join(scratch, 'policy.policy'), { host: nodeFileHost, ...options }).findings];
}

const summary = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.span ? positionOf(f.span.file, f.span.start).line : '-'} ${f.severity} ${f.ruleId}${f.suppression ? ' (suppressed)' : ''}`);

const BASE = 'default kill_process\nallow exit_group, rt_sigreturn\n';

describe('levels', () => {
  it('a rule can be turned off, or raised, and the severity follows', () => {
    const text = `${BASE}kill_thread ptrace\n`;
    expect(summary(lint(text))).toEqual(['3 warning kill-thread']);
    expect(summary(lint(text, { levels: new Map<string, Level>([['kill-thread', 'error']]) }))).toEqual(['3 error kill-thread']);
    expect(summary(lint(text, { levels: new Map<string, Level>([['kill-thread', 'off']]) }))).toEqual([]);
  });

  it('a compiler error stays an error whatever the configuration says', () => {
    const findings = lint(`${BASE}allow reed\n`, { levels: new Map<string, Level>([['unknown-syscall', 'off']]) });
    expect(summary(findings)).toEqual(['3 error unknown-syscall']);
    expect(findings[0]!.fatal).toBe(true);
    expect(findings[0]!.compilerCode).toBe('SC2001');
  });

  it('a compiler warning follows its rule\'s level', () => {
    const text = `${BASE}allow openat\nerrno(EACCES) openat if flags & O_CREAT\n`;
    expect(summary(lint(text))).toEqual(['4 warning unreachable-rule']);
    expect(summary(lint(text, { levels: new Map<string, Level>([['unreachable-rule', 'info']]) }))).toEqual(['4 info unreachable-rule']);
  });

  it('the kernel-version rules run only with a target kernel', () => {
    const text = `${BASE}allow openat2\n`;
    expect(summary(lint(text))).toEqual([]);
    expect(summary(lint(text, { targetKernel: { major: 5, minor: 4 } }))).toEqual(['3 info syscall-needs-newer-kernel']);
    expect(summary(lint(text, { targetKernel: { major: 4, minor: 9 } }))).toEqual(['1 error action-needs-newer-kernel', '1 error action-needs-newer-kernel', '3 info syscall-needs-newer-kernel']);
  });
});

describe('configuration', () => {
  it('--rule ID=LEVEL', () => {
    expect(parseRuleOption('default-allow=off')).toEqual(['default-allow', 'off']);
    expect(parseRuleOption(' kill-thread = error ')).toEqual(['kill-thread', 'error']);
    expect(() => parseRuleOption('default-allow')).toThrow(ConfigError);
    expect(() => parseRuleOption('default-alow=off')).toThrow(/unknown rule "default-alow"/);
    try {
      parseRuleOption('default-alow=off');
    } catch (error) {
      expect((error as ConfigError).hint).toBe('did you mean default-allow?');
    }
    expect(() => parseRuleOption('default-allow=warn')).toThrow(/"warn" is not a level/);
    expect(() => parseRuleOption('invalid-policy=off')).toThrow(/cannot be configured/);
  });

  it('reads .seccompile.json and refuses unknown settings', () => {
    const config = parseConfig({ lint: { rules: { 'default-allow': 'off' }, targetKernel: '5.10', maxWarnings: 3, caps: ['sys_admin'], dockerDefaultCaps: true, kernel: '6.1' } }, 'x.json');
    expect([...config.rules]).toEqual([['default-allow', 'off']]);
    expect(config.targetKernel).toEqual({ major: 5, minor: 10 });
    expect(config.maxWarnings).toBe(3);
    expect(config.caps).toEqual(['sys_admin']);
    expect(() => parseConfig({ lint: { rulez: {} } }, 'x.json')).toThrow(/unknown setting "rulez"/);
    expect(() => parseConfig({ lnit: {} }, 'x.json')).toThrow(/unknown setting "lnit"/);
    expect(() => parseConfig({ lint: { targetKernel: '5' } }, 'x.json')).toThrow(/not a kernel version/);
    expect(() => parseConfig({ lint: { maxWarnings: -1 } }, 'x.json')).toThrow(/maxWarnings/);
    expect(() => parseConfig({ lint: { rules: { 'kill-thread': 'loud' } } }, 'x.json')).toThrow(/"loud" is not a level/);
    expect(() => parseConfig([], 'x.json')).toThrow(/must be a JSON object/);
    expect(parseConfig({ $schema: 'whatever' }, 'x.json').rules.size).toBe(0);
  });

  it('finds the nearest .seccompile.json walking up', () => {
    const top = join(scratch, 'project');
    const deep = join(top, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(top, '.seccompile.json'), JSON.stringify({ lint: { rules: { 'kill-thread': 'off' } } }));
    expect(findConfig(deep)).toBe(join(top, '.seccompile.json'));
    expect(readConfig(findConfig(deep)!).rules.get('kill-thread')).toBe('off');
    writeFileSync(join(top, 'a', '.seccompile.json'), '{ not json');
    expect(() => readConfig(findConfig(deep)!)).toThrow(/not valid JSON/);
    expect(() => readConfig(join(top, 'missing.json'))).toThrow(/no such file/);
  });
});

describe('suppressions', () => {
  it('suppress the named rule on the next statement line, with the reason', () => {
    const findings = lint(`${BASE}# seccompile-disable-next-line dangerous-syscall: the debugger sandbox\n\n# another comment\nallow ptrace\n`);
    expect(summary(findings)).toEqual(['6 error dangerous-syscall (suppressed)']);
    expect(findings[0]!.suppression!.reason).toBe('the debugger sandbox');
  });

  it('name several rules, and stack', () => {
    const text = `${BASE}# seccompile-disable-next-line dangerous-syscall, duplicate-syscall: upstream list\nallow bpf, bpf\n`;
    expect(summary(lint(text))).toEqual(['4 error dangerous-syscall (suppressed)', '4 warning duplicate-syscall (suppressed)']);
  });

  it('without a reason, suppress nothing and are reported', () => {
    const findings = lint(`${BASE}# seccompile-disable-next-line dangerous-syscall\nallow bpf\n`);
    expect(summary(findings)).toEqual(['3 error invalid-suppression', '4 error dangerous-syscall']);
    expect(findings[0]!.message).toMatch(/without a reason/);
    expect(summary(lint(`${BASE}# seccompile-disable-next-line dangerous-syscall:   \nallow bpf\n`))).toEqual(['3 error invalid-suppression', '4 error dangerous-syscall']);
  });

  it('with an unknown rule or directive, are reported with a suggestion', () => {
    const findings = lint(`${BASE}# seccompile-disable-next-line dangerous-syscal: typo\nallow bpf\n# seccompile-disable-line kill-thread: wrong\n`);
    expect(summary(findings)).toEqual(['3 error invalid-suppression', '4 error dangerous-syscall', '5 error invalid-suppression']);
    expect(findings[0]!.hint).toBe('did you mean `dangerous-syscall`?');
    expect(findings[2]!.message).toBe('unknown directive `seccompile-disable-line`');
  });

  it('that suppress nothing are reported; a rule turned off still counts as suppressed', () => {
    const text = `${BASE}# seccompile-disable-next-line kill-thread: not here\nallow read\n# seccompile-disable-next-line kill-thread: turned off below\nkill_thread ptrace\n`;
    expect(summary(lint(text))).toEqual(['3 warning unused-suppression', '6 warning kill-thread (suppressed)']);
    expect(summary(lint(text, { levels: new Map<string, Level>([['kill-thread', 'off']]) }))).toEqual(['3 warning unused-suppression']);
  });

  it('cannot suppress a compiler error', () => {
    const findings = lint(`${BASE}# seccompile-disable-next-line unknown-syscall: no\nallow reed\n`);
    expect(summary(findings)).toEqual(['3 warning unused-suppression', '4 error unknown-syscall']);
    expect(findings[0]!.message).toMatch(/errors the compiler reports cannot be suppressed/);
  });

  it('apply inside included files', () => {
    const dir = join(scratch, 'inc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'frag.policy'), '# seccompile-disable-next-line dangerous-syscall: shared debugging fragment\nallow ptrace\n');
    writeFileSync(join(dir, 'main.policy'), `${BASE}include "frag.policy"\nallow bpf\n`);
    const [result] = lintFiles([join(dir, 'main.policy')]);
    expect(result!.findings.map((f) => `${f.path.slice(dir.length + 1)}:${positionOf(f.span!.file, f.span!.start).line} ${f.ruleId}${f.suppression ? ' (suppressed)' : ''}`)).toEqual([
      'frag.policy:2 dangerous-syscall (suppressed)',
      'main.policy:4 dangerous-syscall',
    ]);
  });
});

describe('several files', () => {
  it('a fragment included by a linted policy is linted through it, and reported once', () => {
    const dir = join(scratch, 'frag');
    mkdirSync(join(dir, 'common'), { recursive: true });
    writeFileSync(join(dir, 'common', 'base.policy'), 'allow exit_group, rt_sigreturn\nallow bpf\n');
    writeFileSync(join(dir, 'a.policy'), 'default kill_process\ninclude "common/base.policy"\n');
    writeFileSync(join(dir, 'b.policy'), 'default errno(ENOSYS)\ninclude "common/base.policy"\n');
    const results = lintFiles(discoverInputs([dir]));
    expect(results.map((r) => r.path.slice(dir.length + 1))).toEqual(['a.policy', 'b.policy']);
    const findings = results.flatMap((r) => r.findings.map((f) => `${f.path.slice(dir.length + 1)} ${f.ruleId}`));
    expect(findings).toEqual(['common/base.policy dangerous-syscall']);
  });

  it('a fragment linted alone has no default', () => {
    const dir = join(scratch, 'frag');
    const [result] = lintFiles([join(dir, 'common', 'base.policy')]);
    expect(result!.findings.map((f) => `${f.ruleId} ${f.compilerCode}`)).toEqual(['invalid-policy SC3001']);
  });

  it('finds policies and profiles in directories, skipping dot-directories and node_modules', () => {
    const dir = join(scratch, 'tree');
    for (const sub of ['x', '.git', 'node_modules/pkg', 'y/z']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'x', 'a.policy'), BASE);
    writeFileSync(join(dir, '.git', 'b.policy'), BASE);
    writeFileSync(join(dir, 'node_modules', 'pkg', 'c.policy'), BASE);
    writeFileSync(join(dir, 'y', 'z', 'profile.json'), '{ "defaultAction": "SCMP_ACT_ERRNO" }');
    writeFileSync(join(dir, 'y', 'package.json'), '{ "name": "not-a-profile" }');
    writeFileSync(join(dir, 'y', 'notes.txt'), 'default allow');
    expect(discoverInputs([dir]).map((p) => p.slice(dir.length + 1))).toEqual(['x/a.policy', 'y/z/profile.json']);
    expect(() => discoverInputs([join(dir, 'nope')])).toThrow(DiscoveryError);
    mkdirSync(join(dir, 'empty'));
    expect(() => discoverInputs([join(dir, 'empty')])).toThrow(/no policies/);
    // A directory named explicitly is searched even when its name starts with a dot.
    expect(discoverInputs([join(dir, '.git')]).map((p) => p.slice(dir.length + 1))).toEqual(['.git/b.policy']);
    // A file named explicitly is linted whatever its name.
    expect(discoverInputs([join(dir, 'y', 'notes.txt')])).toEqual([join(dir, 'y', 'notes.txt')]);
  });

  it('an unreadable or binary file is an invalid-policy finding', () => {
    const binary = join(scratch, 'filter.bpf');
    writeFileSync(binary, Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]));
    const [missing, bin] = lintFiles([join(scratch, 'missing.policy'), binary]);
    expect(missing!.findings.map((f) => `${f.ruleId} ${f.compilerCode} ${f.fatal}`)).toEqual(['invalid-policy SC5001 true']);
    expect(bin!.findings.map((f) => `${f.ruleId} ${f.compilerCode}`)).toEqual(['invalid-policy SC5002']);
  });
});

describe('JSON paths', () => {
  const text = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },\n    { "names": [], "args": [ { "index": 0, "value": 1 } ], "we ird": 1 }\n  ]\n}\n';
  const at = (needle: string, nth = 0): string => {
    let offset = -1;
    for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
    return jsonPathAt(text, offset);
  };
  it('name the innermost value or member', () => {
    expect(at('"SCMP_ACT_ERRNO"')).toBe('$.defaultAction');
    expect(at('"defaultAction"')).toBe('$.defaultAction');
    expect(at('"write"')).toBe('$.syscalls[0].names[1]');
    expect(at('{ "names": ["read"')).toBe('$.syscalls[0]');
    expect(at('"SCMP_ACT_ALLOW"')).toBe('$.syscalls[0].action');
    expect(at('1 }')).toBe('$.syscalls[1].args[0].value');
    expect(at('"we ird"')).toBe('$.syscalls[1]["we ird"]');
    expect(jsonPathAt(text, 0)).toBe('$');
    expect(jsonPathAt('{ "a": [1, 2', 11)).toBe('$.a[1]');
  });
});

describe('docs/lint-rules.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'lint-rules.md'), 'utf8');
  const headings = [...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]);

  it('has a section for every rule, and none for rules that do not exist', () => {
    expect([...headings].sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it('gives every rule\'s default severity in its section', () => {
    for (const rule of RULES) {
      const section = doc.slice(doc.indexOf(`### ${rule.id}\n`));
      expect(section.split('\n')[2], rule.id).toMatch(new RegExp(`^\\*\\*${rule.defaultSeverity}\\*\\*`));
    }
  });

  it('maps every compiler code the rules report', () => {
    for (const rule of RULES) for (const code of rule.compilerCodes ?? []) expect(doc, `${code} → ${rule.id}`).toMatch(new RegExp(`${code}[^\\n]*\\[${rule.id}\\]`));
  });
});
