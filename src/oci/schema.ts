// Reads the JSON of a profile into an OciProfile, checking it against the schema the runtimes use
// (runtime-spec specs-go LinuxSeccomp, Docker's profiles/seccomp types, containers/common):
//
//   profile    = { defaultAction: action, defaultErrnoRet?: uint, architectures?: [arch],
//                  archMap?: [archMap], flags?: [flag], listenerPath?: string,
//                  listenerMetadata?: string, syscalls?: [entry],
//                  defaultErrno?: string, comment?: string }
//   archMap    = { architecture: arch, subArchitectures?: [arch] }
//   entry      = { names?: [string], name?: string, action: action, errnoRet?: uint,
//                  args?: [arg], comment?: string, includes?: filter, excludes?: filter,
//                  errno?: string }
//   arg        = { index: 0..5, value: u64, valueTwo?: u64, op: operator }
//   filter     = { caps?: [string], arches?: [string], minKernel?: "MAJOR.MINOR" }
//   action     = "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" | "SCMP_ACT_KILL_PROCESS" | "SCMP_ACT_TRAP"
//              | "SCMP_ACT_ERRNO" | "SCMP_ACT_TRACE" | "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG" | "SCMP_ACT_NOTIFY"
//   operator   = "SCMP_CMP_NE" | "SCMP_CMP_LT" | "SCMP_CMP_LE" | "SCMP_CMP_EQ" | "SCMP_CMP_GE"
//              | "SCMP_CMP_GT" | "SCMP_CMP_MASKED_EQ"
//   arch       = "SCMP_ARCH_X86_64" | "SCMP_ARCH_X86" | "SCMP_ARCH_X32" | "SCMP_ARCH_AARCH64" | …
//   flag       = "SECCOMP_FILTER_FLAG_TSYNC" | "SECCOMP_FILTER_FLAG_LOG" | "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
//              | "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
//
// As Go's encoding/json reads it: `null` is the same as an absent field, member names also match
// case-insensitively (with a warning here), and the last of repeated members wins. Numbers are
// unsigned integers written in decimal. Every problem is reported with the JSON path of the value,
// e.g. `syscalls[3].args[0].op: unknown operator "SCMP_CMP_XX"`, and reading goes on, so one run
// reports them all. Unknown fields are warnings: the runtimes ignore them.
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Span } from '../diagnostics/source.ts';
import { Suggestions } from '../diagnostics/suggest.ts';
import { jsonKindName, type JsonMember, type JsonValue } from './json.ts';
import {
  DOCKER_NATIVE_ARCHES, OCI_ACTIONS, OCI_ARCHITECTURES, OCI_FLAGS, OCI_OPERATORS,
  type ArchMapEntry, type DockerFilter, type KernelVersion, type Located, type OciArg,
  type OciArchitecture, type OciFlag, type OciOperator, type OciProfile, type OciSyscallEntry,
} from './profile.ts';

const U64_MAX = (1n << 64n) - 1n;
const MAX_ARG_INDEX = 5;

const PROFILE_FIELDS = ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'flags', 'listenerPath', 'listenerMetadata', 'syscalls', 'defaultErrno', 'comment'] as const;
const ARCH_MAP_FIELDS = ['architecture', 'subArchitectures'] as const;
const ENTRY_FIELDS = ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes', 'errno'] as const;
const ARG_FIELDS = ['index', 'value', 'valueTwo', 'op'] as const;
const FILTER_FIELDS = ['caps', 'arches', 'minKernel'] as const;

type Fields<K extends string> = { readonly [key in K]?: JsonMember };

export interface SchemaResult {
  /** Absent when a required part is missing or wrong. */
  readonly profile?: OciProfile;
  readonly diagnostics: readonly Diagnostic[];
}

export function readProfile(root: JsonValue): SchemaResult {
  const reader = new SchemaReader();
  const profile = reader.profile(root);
  return reader.failed ? { diagnostics: reader.diagnostics } : { ...(profile ? { profile } : {}), diagnostics: reader.diagnostics };
}

const lowercased = new WeakMap<readonly string[], ReadonlyMap<string, string>>();

/** Field names by their lower-case form (Go's decoder matches names case-insensitively). */
function lowercaseFields<K extends string>(fields: readonly K[]): ReadonlyMap<string, K> {
  let map = lowercased.get(fields);
  if (!map) {
    map = new Map(fields.map((f) => [f.toLowerCase(), f]));
    lowercased.set(fields, map);
  }
  return map as ReadonlyMap<string, K>;
}

class SchemaReader {
  readonly diagnostics: Diagnostic[] = [];
  failed = false;

  private error(path: string, span: Span, message: string, hint?: string): undefined {
    this.failed = true;
    this.diagnostics.push({ code: 'SC7002', severity: 'error', message: `${path}: ${message}`, span, ...(hint ? { hint } : {}) });
    return undefined;
  }

  /** "Did you mean" for the first unknown names only (see Suggestions). */
  private readonly suggestions = new Suggestions();
  private suggest(word: string, candidates: readonly string[]): string | undefined {
    return this.suggestions.closest(word, candidates);
  }

  private warn(code: 'SC7003' | 'SC7010', path: string, span: Span, message: string, hint?: string): void {
    this.diagnostics.push({ code, severity: 'warning', message: `${path}: ${message}`, span, ...(hint ? { hint } : {}) });
  }

  /** The members of an object, by field name; `null` stands for absent. */
  private object<K extends string>(value: JsonValue, path: string, fields: readonly K[]): Fields<K> | undefined {
    if (value.kind !== 'object') return this.error(path, value.span, `expected an object, found ${jsonKindName(value)}`);
    const found: Partial<Record<K, JsonMember>> = {};
    const lowered = lowercaseFields(fields);
    // One warning per key, however often it repeats (a hostile profile may repeat one 600,000 times).
    const unknown = new Map<string, { member: JsonMember; times: number }>();
    const repeated = new Map<K, { member: JsonMember; times: number }>();
    for (const member of value.members) {
      const exact = (fields as readonly string[]).includes(member.key) ? (member.key as K) : undefined;
      const field = exact ?? lowered.get(member.key.toLowerCase());
      if (field === undefined) {
        const seen = unknown.get(member.key);
        if (seen) seen.times++;
        else unknown.set(member.key, { member, times: 1 });
        continue;
      }
      if (exact === undefined) {
        this.warn('SC7003', join(path, member.key), member.keySpan, `\`${member.key}\` is read as \`${field}\` (Go's JSON decoder ignores case); write \`${field}\``);
      }
      if (found[field] !== undefined) {
        const seen = repeated.get(field);
        if (seen) seen.times++;
        else repeated.set(field, { member, times: 2 });
      }
      found[field] = member;
    }
    for (const [key, { member, times }] of unknown) {
      const suggestion = this.suggest(key, fields);
      this.warn('SC7003', join(path, key), member.keySpan, `unknown field \`${key}\` is ignored${times > 1 ? ` (given ${times} times)` : ''}`, suggestion ? `did you mean \`${suggestion}\`?` : `the fields here are ${fields.join(', ')}`);
    }
    for (const [field, { member, times }] of repeated) {
      this.warn('SC7003', join(path, member.key), member.keySpan, `\`${field}\` is given ${times === 2 ? 'more than once' : `${times} times`}; the last one is used, as Docker and runc read it`);
    }
    for (const key of Object.keys(found) as K[]) {
      if (found[key]!.value.kind === 'null') delete found[key];
    }
    return found;
  }

  private string(member: JsonMember, path: string): Located<string> | undefined {
    const { value } = member;
    if (value.kind !== 'string') return this.error(path, value.span, `expected a string, found ${jsonKindName(value)}`);
    return { value: value.value, span: value.span };
  }

  private oneOf<T extends string>(member: JsonMember, path: string, allowed: readonly T[], what: string): Located<T> | undefined {
    const located = this.string(member, path);
    if (!located) return undefined;
    if ((allowed as readonly string[]).includes(located.value)) return located as Located<T>;
    const suggestion = this.suggest(located.value, allowed);
    return this.error(path, located.span, `unknown ${what} ${JSON.stringify(located.value)}`, suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : `use one of ${allowed.join(', ')}`);
  }

  /** A Go unsigned integer: decimal digits only, at most 2^64 − 1. */
  private unsigned(member: JsonMember, path: string): Located<bigint> | undefined {
    const { value } = member;
    if (value.kind !== 'number') {
      const hint = value.kind === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(value.value) ? 'write the number without quotes, in decimal' : undefined;
      return this.error(path, value.span, `expected an unsigned integer, found ${jsonKindName(value)}`, hint);
    }
    if (!/^[0-9]+$/.test(value.text)) {
      const what = value.text.startsWith('-') ? 'a negative number' : 'not an integer';
      return this.error(path, value.span, `${value.text} is ${what}: expected an unsigned integer`);
    }
    const n = BigInt(value.text);
    if (n > U64_MAX) return this.error(path, value.span, `${value.text} does not fit in 64 bits`);
    return { value: n, span: value.span };
  }

  private array<T>(member: JsonMember, path: string, item: (value: JsonValue, path: string) => T | undefined): T[] | undefined {
    const { value } = member;
    if (value.kind !== 'array') return this.error(path, value.span, `expected an array, found ${jsonKindName(value)}`);
    const out: T[] = [];
    value.items.forEach((element, i) => {
      const read = item(element, `${path}[${i}]`);
      if (read !== undefined) out.push(read);
    });
    return out;
  }

  private stringItems(member: JsonMember, path: string): Located<string>[] {
    return this.array(member, path, (v, p) => this.string({ key: '', keySpan: v.span, value: v, span: v.span }, p)) ?? [];
  }

  private enumItems<T extends string>(member: JsonMember, path: string, allowed: readonly T[], what: string): Located<T>[] {
    return this.array(member, path, (v, p) => this.oneOf({ key: '', keySpan: v.span, value: v, span: v.span }, p, allowed, what)) ?? [];
  }

  profile(root: JsonValue): OciProfile | undefined {
    const f = this.object(root, '(profile)', PROFILE_FIELDS);
    if (!f) return undefined;
    const defaultAction = f.defaultAction
      ? this.oneOf(f.defaultAction, 'defaultAction', OCI_ACTIONS, 'action')
      : this.error('defaultAction', spanOfStart(root), 'the profile has no `defaultAction`', 'add e.g. "defaultAction": "SCMP_ACT_ERRNO"');
    const defaultErrnoRet = f.defaultErrnoRet && this.unsigned(f.defaultErrnoRet, 'defaultErrnoRet');
    if (f.defaultErrno) {
      const name = this.string(f.defaultErrno, 'defaultErrno');
      if (name && !f.defaultErrnoRet) {
        this.warn('SC7010', 'defaultErrno', name.span, 'runc and crun ignore `defaultErrno` (a containers/common field): the default errno is `defaultErrnoRet`, EPERM when absent', 'give the number as "defaultErrnoRet"');
      }
    }
    const architectures = f.architectures ? this.enumItems(f.architectures, 'architectures', OCI_ARCHITECTURES, 'architecture') : [];
    const archMap = f.archMap ? this.array(f.archMap, 'archMap', (v, p) => this.archMapEntry(v, p)) ?? [] : [];
    if (architectures.length > 0 && archMap.length > 0) {
      this.error('archMap', f.archMap!.keySpan, 'a profile gives either `architectures` or `archMap`, not both (Docker refuses the profile)');
    }
    const flags = f.flags ? this.enumItems<OciFlag>(f.flags, 'flags', OCI_FLAGS, 'filter flag') : undefined;
    const listenerPath = f.listenerPath && this.string(f.listenerPath, 'listenerPath');
    const listenerMetadata = f.listenerMetadata && this.string(f.listenerMetadata, 'listenerMetadata');
    if (f.comment) this.string(f.comment, 'comment');
    const syscalls = f.syscalls ? this.array(f.syscalls, 'syscalls', (v, p) => this.entry(v, p)) ?? [] : [];
    if (!defaultAction) return undefined;
    return {
      defaultAction,
      ...(defaultErrnoRet ? { defaultErrnoRet } : {}),
      architectures,
      archMap,
      ...(flags ? { flags } : {}),
      ...(listenerPath ? { listenerPath } : {}),
      ...(listenerMetadata ? { listenerMetadata } : {}),
      syscalls,
      span: root.span,
    };
  }

  private archMapEntry(value: JsonValue, path: string): ArchMapEntry | undefined {
    const f = this.object(value, path, ARCH_MAP_FIELDS);
    if (!f) return undefined;
    const architecture = f.architecture
      ? this.oneOf<OciArchitecture>(f.architecture, `${path}.architecture`, OCI_ARCHITECTURES, 'architecture')
      : this.error(`${path}.architecture`, spanOfStart(value), 'the entry has no `architecture`');
    const subArchitectures = f.subArchitectures ? this.enumItems<OciArchitecture>(f.subArchitectures, `${path}.subArchitectures`, OCI_ARCHITECTURES, 'architecture') : [];
    return architecture && { architecture, subArchitectures, span: value.span };
  }

  private entry(value: JsonValue, path: string): OciSyscallEntry | undefined {
    const f = this.object(value, path, ENTRY_FIELDS);
    if (!f) return undefined;
    const index = Number(/\[(\d+)\]$/.exec(path)![1]);
    const names = f.names ? this.stringItems(f.names, `${path}.names`) : [];
    if (f.name) {
      const name = this.string(f.name, `${path}.name`);
      if (name && names.length > 0) {
        this.error(`${path}.name`, f.name.keySpan, 'an entry gives either `name` or `names`, not both (Docker refuses the profile)');
      } else if (name && name.value !== '') {
        names.push(name);
      }
    }
    names.forEach((name, i) => {
      if (name.value === '') this.error(`${path}.names[${i}]`, name.span, 'a syscall name cannot be empty (runc refuses it)');
    });
    const action = f.action
      ? this.oneOf(f.action, `${path}.action`, OCI_ACTIONS, 'action')
      : this.error(`${path}.action`, spanOfStart(value), 'the entry has no `action`', 'add e.g. "action": "SCMP_ACT_ALLOW"');
    const errnoRet = f.errnoRet && this.unsigned(f.errnoRet, `${path}.errnoRet`);
    if (f.errno) {
      const name = this.string(f.errno, `${path}.errno`);
      if (name && !f.errnoRet && (action?.value === 'SCMP_ACT_ERRNO' || action?.value === 'SCMP_ACT_TRACE')) {
        this.warn('SC7010', `${path}.errno`, name.span, 'runc and crun ignore `errno` (a containers/common field): the errno is `errnoRet`, EPERM when absent', 'give the number as "errnoRet"');
      }
    }
    const args = f.args ? this.array(f.args, `${path}.args`, (v, p) => this.arg(v, p)) ?? [] : [];
    const comment = f.comment && this.string(f.comment, `${path}.comment`);
    const includes = f.includes && this.filter(f.includes.value, `${path}.includes`);
    const excludes = f.excludes && this.filter(f.excludes.value, `${path}.excludes`);
    if (!action) return undefined;
    return {
      index, names, action, args, span: value.span,
      ...(errnoRet ? { errnoRet } : {}),
      ...(comment ? { comment: comment.value } : {}),
      ...(includes ? { includes } : {}),
      ...(excludes ? { excludes } : {}),
    };
  }

  private arg(value: JsonValue, path: string): OciArg | undefined {
    const f = this.object(value, path, ARG_FIELDS);
    if (!f) return undefined;
    const position = Number(/\[(\d+)\]$/.exec(path)![1]);
    const rawIndex = f.index ? this.unsigned(f.index, `${path}.index`) : this.error(`${path}.index`, spanOfStart(value), 'the argument has no `index`');
    let index: Located<number> | undefined;
    if (rawIndex && rawIndex.value > BigInt(MAX_ARG_INDEX)) {
      this.error(`${path}.index`, rawIndex.span, `argument index ${rawIndex.value} is out of range: a syscall has six arguments, 0 to ${MAX_ARG_INDEX}`);
    } else if (rawIndex) {
      index = { value: Number(rawIndex.value), span: rawIndex.span };
    }
    const op = f.op ? this.oneOf<OciOperator>(f.op, `${path}.op`, OCI_OPERATORS, 'operator') : this.error(`${path}.op`, spanOfStart(value), 'the argument has no `op`');
    // Go leaves an absent value at 0; the runtime-spec marks `value` required.
    const valueOf = (member: JsonMember | undefined, name: string): Located<bigint> | undefined =>
      member ? this.unsigned(member, `${path}.${name}`) : { value: 0n, span: spanOfStart(value) };
    const val = valueOf(f.value, 'value');
    const valueTwo = valueOf(f.valueTwo, 'valueTwo');
    if (!f.value) this.warn('SC7003', `${path}.value`, spanOfStart(value), 'the argument has no `value`: runtimes compare with 0');
    if (f.valueTwo && op && op.value !== 'SCMP_CMP_MASKED_EQ' && valueTwo && valueTwo.value !== 0n) {
      this.warn('SC7003', `${path}.valueTwo`, valueTwo.span, `\`valueTwo\` is only used by SCMP_CMP_MASKED_EQ; ${op.value} ignores it`);
    }
    if (!index || !op || !val || !valueTwo) return undefined;
    return { index, value: val, valueTwo, op, position, span: value.span };
  }

  private filter(value: JsonValue, path: string): DockerFilter | undefined {
    const f = this.object(value, path, FILTER_FIELDS);
    if (!f) return undefined;
    const caps = f.caps ? this.stringItems(f.caps, `${path}.caps`) : [];
    const arches = f.arches ? this.stringItems(f.arches, `${path}.arches`) : [];
    arches.forEach((arch, i) => {
      if (!(DOCKER_NATIVE_ARCHES as readonly string[]).includes(arch.value)) {
        const suggestion = this.suggest(arch.value, DOCKER_NATIVE_ARCHES);
        this.warn('SC7003', `${path}.arches[${i}]`, arch.span, `unknown architecture ${JSON.stringify(arch.value)}: Docker compares these with Go's names (amd64, arm64, x86, …)`, suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : undefined);
      }
    });
    const minKernel = f.minKernel && this.kernel(f.minKernel, `${path}.minKernel`);
    return { caps, arches, ...(minKernel ? { minKernel } : {}), span: value.span };
  }

  /** Docker's KernelVersion: "MAJOR.MINOR", each 0..255, not 0.0; "" means 0.0. */
  private kernel(member: JsonMember, path: string): Located<KernelVersion> | undefined {
    const text = this.string(member, path);
    if (!text) return undefined;
    if (text.value === '') return { value: { major: 0, minor: 0 }, span: text.span };
    const parsed = parseKernelVersion(text.value, true);
    if (!parsed) return this.error(path, text.span, `invalid kernel version ${JSON.stringify(text.value)}: expected "MAJOR.MINOR", e.g. "4.8"`);
    return { value: parsed, span: text.span };
  }
}

/**
 * "MAJOR.MINOR" as Docker reads a profile's minKernel (strict: exactly two numbers of 0..255, not
 * 0.0), or as it reads the running kernel's release (`6.1.0-18-amd64`: the first two numbers).
 */
export function parseKernelVersion(text: string, strict: boolean): KernelVersion | undefined {
  const match = strict ? /^([0-9]+)\.([0-9]+)$/.exec(text) : /^([0-9]+)\.([0-9]+)/.exec(text);
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (strict && (major > 255 || minor > 255 || (major === 0 && minor === 0))) return undefined;
  return { major, minor };
}

function join(path: string, key: string): string {
  return path === '(profile)' ? key : `${path}.${key}`;
}

/** The first character of a value: where a missing member is reported. */
function spanOfStart(value: JsonValue): Span {
  return { file: value.span.file, start: value.span.start, end: value.span.start + 1 };
}
