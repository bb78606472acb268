// Reading a profile against the schema: every violation is reported with its JSON path and the
// position of the offending value, reading goes on to report them all, and nothing throws.
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../src/diagnostics/source.ts';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { loadProfile } from '../../src/oci/index.ts';

const KERNEL = { major: 6, minor: 1 };

function report(text: string): string[] {
  return loadProfile(text, 'p.json', { kernel: KERNEL }).diagnostics.map(show);
}

function show(d: Diagnostic): string {
  const at = d.span ? positionOf(d.span.file, d.span.start) : undefined;
  return `${at ? `${at.line}:${at.column} ` : ''}${d.severity} ${d.code} ${d.message}`;
}

/** A profile with one syscalls[] entry replaced by `entry` (JSON text), on its own line 3. */
function withEntry(entry: string): string {
  return `{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},\n  ${entry}]}`;
}

function errors(text: string): string[] {
  return report(text).filter((d) => d.includes(' error '));
}

describe('schema errors name the JSON path and point at the value', () => {
  const cases: [string, string, string][] = [
    ['the profile is not an object', '[1, 2]', '1:1 error SC7002 (profile): expected an object, found an array'],
    ['no defaultAction', '{"syscalls": []}', '1:1 error SC7002 defaultAction: the profile has no `defaultAction`'],
    ['unknown default action', '{"defaultAction": "SCMP_ACT_DENY"}', '1:19 error SC7002 defaultAction: unknown action "SCMP_ACT_DENY"'],
    ['defaultAction of the wrong type', '{"defaultAction": 1}', '1:19 error SC7002 defaultAction: expected a string, found a number'],
    ['negative defaultErrnoRet', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}', '1:56 error SC7002 defaultErrnoRet: -1 is a negative number: expected an unsigned integer'],
    ['fractional defaultErrnoRet', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1.5}', '1:56 error SC7002 defaultErrnoRet: 1.5 is not an integer: expected an unsigned integer'],
    ['defaultErrnoRet as a string', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "1"}', '1:56 error SC7002 defaultErrnoRet: expected an unsigned integer, found a string'],
    ['unknown architecture', '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}', '1:75 error SC7002 architectures[1]: unknown architecture "SCMP_ARCH_Z80"'],
    ['architectures and archMap together', '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}', '1:76 error SC7002 archMap: a profile gives either `architectures` or `archMap`, not both (Docker refuses the profile)'],
    ['archMap entry without architecture', '{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"subArchitectures": []}]}', '1:49 error SC7002 archMap[0].architecture: the entry has no `architecture`'],
    ['unknown flag', '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}', '1:47 error SC7002 flags[0]: unknown filter flag "SECCOMP_FILTER_FLAG_FAST"'],
    ['syscalls not an array', '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}', '1:49 error SC7002 syscalls: expected an array, found an object'],
    ['an entry is not an object', withEntry('"read"'), '3:3 error SC7002 syscalls[1]: expected an object, found a string'],
    ['entry without action', withEntry('{"names": ["write"]}'), '3:3 error SC7002 syscalls[1].action: the entry has no `action`'],
    ['unknown action', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALOW"}'), '3:34 error SC7002 syscalls[1].action: unknown action "SCMP_ACT_ALOW"'],
    ['names not an array', withEntry('{"names": "write", "action": "SCMP_ACT_ALLOW"}'), '3:13 error SC7002 syscalls[1].names: expected an array, found a string'],
    ['a name not a string', withEntry('{"names": ["write", 1], "action": "SCMP_ACT_ALLOW"}'), '3:23 error SC7002 syscalls[1].names[1]: expected a string, found a number'],
    ['an empty name', withEntry('{"names": [""], "action": "SCMP_ACT_ALLOW"}'), '3:14 error SC7002 syscalls[1].names[0]: a syscall name cannot be empty (runc refuses it)'],
    ['name and names together', withEntry('{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}'), '3:4 error SC7002 syscalls[1].name: an entry gives either `name` or `names`, not both (Docker refuses the profile)'],
    ['args not an array', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": {"index": 0}}'), '3:60 error SC7002 syscalls[1].args: expected an array, found an object'],
    ['unknown operator', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}'), '3:92 error SC7002 syscalls[1].args[0].op: unknown operator "SCMP_CMP_XX"'],
    ['argument without op', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1}]}'), '3:61 error SC7002 syscalls[1].args[0].op: the argument has no `op`'],
    ['argument without index', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"value": 1, "op": "SCMP_CMP_EQ"}]}'), '3:61 error SC7002 syscalls[1].args[0].index: the argument has no `index`'],
    ['argument index 6', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}'), '3:71 error SC7002 syscalls[1].args[0].index: argument index 6 is out of range: a syscall has six arguments, 0 to 5'],
    ['value above 64 bits', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}'), '3:83 error SC7002 syscalls[1].args[0].value: 18446744073709551616 does not fit in 64 bits'],
    ['negative value', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}'), '3:83 error SC7002 syscalls[1].args[0].value: -1 is a negative number: expected an unsigned integer'],
    ['value as a hex string', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": "0x10", "op": "SCMP_CMP_EQ"}]}'), '3:83 error SC7002 syscalls[1].args[0].value: expected an unsigned integer, found a string'],
    ['errnoRet not a number', withEntry('{"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": "EPERM"}'), '3:64 error SC7002 syscalls[1].errnoRet: expected an unsigned integer, found a string'],
    ['includes not an object', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": ["CAP_SYS_ADMIN"]}'), '3:64 error SC7002 syscalls[1].includes: expected an object, found an array'],
    ['caps not strings', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": [1]}}'), '3:74 error SC7002 syscalls[1].includes.caps[0]: expected a string, found a number'],
    ['bad minKernel', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8.1"}}'), '3:78 error SC7002 syscalls[1].includes.minKernel: invalid kernel version "4.8.1": expected "MAJOR.MINOR", e.g. "4.8"'],
    ['minKernel 0.0', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "0.0"}}'), '3:78 error SC7002 syscalls[1].excludes.minKernel: invalid kernel version "0.0": expected "MAJOR.MINOR", e.g. "4.8"'],
    ['minKernel part above 255', withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "4.256"}}'), '3:78 error SC7002 syscalls[1].excludes.minKernel: invalid kernel version "4.256": expected "MAJOR.MINOR", e.g. "4.8"'],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(errors(text)).toEqual([expected]));
  }

  it('reports every problem of the file, not only the first', () => {
    const text = withEntry('{"names": [1], "action": "SCMP_ACT_NOPE", "args": [{"index": 9, "value": -3, "op": "SCMP_CMP_EQ"}]}');
    expect(errors(text)).toEqual([
      '3:14 error SC7002 syscalls[1].names[0]: expected a string, found a number',
      '3:28 error SC7002 syscalls[1].action: unknown action "SCMP_ACT_NOPE"',
      '3:64 error SC7002 syscalls[1].args[0].index: argument index 9 is out of range: a syscall has six arguments, 0 to 5',
      '3:76 error SC7002 syscalls[1].args[0].value: -3 is a negative number: expected an unsigned integer',
    ]);
  });

  it('suggests the action, operator or architecture meant', () => {
    const d = loadProfile(withEntry('{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_GTE"}]}'), 'p.json', { kernel: KERNEL }).diagnostics[0]!;
    expect(d.hint).toBe('did you mean "SCMP_CMP_GE"?');
  });

  it('invalid JSON is an SC7001 error with the position, never an exception', () => {
    expect(report('{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [}')).toEqual(['2:15 error SC7001 invalid JSON: expected a JSON value, found `}`']);
  });
});

describe('what Go\'s JSON decoder accepts is accepted, with a warning', () => {
  it('unknown fields are ignored with a warning and a suggestion', () => {
    const d = loadProfile('{"defaultAction": "SCMP_ACT_ALLOW", "sycalls": []}', 'p.json', { kernel: KERNEL }).diagnostics;
    expect(d.map(show)).toEqual(['1:37 warning SC7003 sycalls: unknown field `sycalls` is ignored']);
    expect(d[0]!.hint).toBe('did you mean `syscalls`?');
  });

  it('member names match case-insensitively, as encoding/json matches them', () => {
    const loaded = loadProfile('{"DefaultAction": "SCMP_ACT_ERRNO", "Syscalls": [{"Names": ["read"], "ACTION": "SCMP_ACT_ALLOW"}]}', 'p.json', { kernel: KERNEL });
    expect(loaded.policy?.rules.map((r) => r.syscall.name)).toEqual(['read']);
    expect(loaded.diagnostics.map(show)).toEqual([
      '1:2 warning SC7003 DefaultAction: `DefaultAction` is read as `defaultAction` (Go\'s JSON decoder ignores case); write `defaultAction`',
      '1:37 warning SC7003 Syscalls: `Syscalls` is read as `syscalls` (Go\'s JSON decoder ignores case); write `syscalls`',
      '1:51 warning SC7003 syscalls[0].Names: `Names` is read as `names` (Go\'s JSON decoder ignores case); write `names`',
      '1:70 warning SC7003 syscalls[0].ACTION: `ACTION` is read as `action` (Go\'s JSON decoder ignores case); write `action`',
    ]);
  });

  it('a repeated member: the last one wins', () => {
    const loaded = loadProfile('{"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_LOG"}', 'p.json', { kernel: KERNEL });
    expect(loaded.policy?.defaultAction).toEqual({ kind: 'log' });
    expect(loaded.diagnostics.map(show)).toEqual(['1:37 warning SC7003 defaultAction: `defaultAction` is given more than once; the last one is used, as Docker and runc read it']);
  });

  it('null is an absent field; args: null (Podman writes it) is no argument', () => {
    const loaded = loadProfile('{"defaultAction": "SCMP_ACT_ERRNO", "architectures": null, "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": null, "comment": null}]}', 'p.json', { kernel: KERNEL });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy?.rules[0]?.condition).toBeUndefined();
  });

  it('the old `name` field names one syscall', () => {
    const loaded = loadProfile('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW"}]}', 'p.json', { kernel: KERNEL });
    expect(loaded.policy?.rules.map((r) => r.syscall.name)).toEqual(['read']);
  });

  it('containers/common\'s `errno` names are reported as ignored by runc', () => {
    const loaded = loadProfile('{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ERRNO", "errno": "EACCES"}]}', 'p.json', { kernel: KERNEL });
    expect(loaded.diagnostics.map(show)).toEqual(['2:73 warning SC7010 syscalls[0].errno: runc and crun ignore `errno` (a containers/common field): the errno is `errnoRet`, EPERM when absent']);
    expect(loaded.policy?.rules[0]?.action).toEqual({ kind: 'errno', errno: 1 });
  });
});
