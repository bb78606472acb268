// The arguments whose values learn records, and the conditions written for them: with `--args`
// all of them; without, those lint calls dangerous to leave open (`always`: ioctl's request, clone's
// flags, the persona), so that a learned policy passes lint as it is.
//
// Only arguments that are plain values, never pointers (the filter sees an address, not the
// memory behind it): socket families, fcntl, ioctl and prctl commands, clone flags and memory
// protections. Values are reduced to the argument's width first (a 32-bit `int` is compared on
// its low word, whatever the C library left in the upper one), then written with the constant
// names of the right family when exactly one name has that value.
//
// Two kinds of condition:
//  - `values`: the argument must be one of the values seen (`family in {AF_UNIX, AF_INET}`).
//    For commands and families each value is a separate permission, and for memory protections
//    the combination is the permission: a program that mapped PROT_READ | PROT_EXEC and
//    PROT_READ | PROT_WRITE never asked for writable and executable memory, and a union of
//    bits would allow it.
//  - `bits`: no bit outside those seen (`not (clone_flags & ~(CLONE_VM | … | SIGCHLD))`). For
//    clone flags the dangerous part is a bit never seen (a new namespace, CLONE_PARENT,
//    CLONE_PTRACE), while the combination of ordinary bits varies with the C library and the
//    code path (fork, posix_spawn, threads): the union is robust across runs and still refuses
//    every new kind of clone.
// learn traces processes of this machine, whose calls it records by x86-64's table.
import { X86_64 } from '../arch/x86_64.ts';
import type { SyscallArg } from '../syscalls/index.ts';
import { signalName, type NamedConstant } from '../constants/index.ts';
import { AF_ALIASES, FCNTL_NOT_COMMANDS, IOCTL_ALIASES, ioctlFamilies, PRCTL_NOT_OPTIONS } from '../constants/argument-values.ts';
import type { ArgumentValues, LearnedRun } from './records.ts';
import { valuesKey } from './records.ts';

export interface TrackedArgument {
  readonly syscall: string;
  readonly arg: string;
  readonly condition: 'values' | 'bits';
  /** Recorded even without --args: lint's dangerous-syscall or clone-namespaces flags the syscall without it. */
  readonly always?: true;
  /** A constant expression for one value (already reduced to the argument's width). */
  readonly describe: (value: bigint, arg: SyscallArg) => string;
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function widthMask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Names by value among constants of `families` that `accept` keeps, values reduced to `width`. */
function namesByValue(families: readonly string[], accept: (name: string) => boolean, width: number): Map<bigint, string[]> {
  const map = new Map<bigint, string[]>();
  for (const family of families) {
    for (const constant of X86_64.constants.ofFamily(family)) {
      if (!accept(constant.name)) continue;
      const value = constant.value & widthMask(width);
      map.set(value, [...(map.get(value) ?? []), constant.name]);
    }
  }
  return map;
}

/** The unique name of a value among the accepted constants, else the number in hex. */
function uniqueName(families: () => readonly string[], accept: (name: string) => boolean): TrackedArgument['describe'] {
  const cache = new Map<number, Map<bigint, string[]>>();
  return (value, arg) => {
    let map = cache.get(arg.width);
    if (!map) {
      map = namesByValue(families(), accept, arg.width);
      cache.set(arg.width, map);
    }
    const names = map.get(value);
    return names?.length === 1 ? names[0]! : hex(value);
  };
}

/** A value as an OR of the single-bit constants of a family (`PROT_READ | PROT_WRITE`). */
function bitNames(family: string, zero: string): TrackedArgument['describe'] {
  return (value) => (value === 0n ? zero : orOfBits(value, family, (c) => c.value > 0n));
}

/** A value as an OR of the single-bit constants of `family` that `accept` keeps, the rest in hex. */
function orOfBits(value: bigint, family: string, accept: (constant: NamedConstant) => boolean): string {
  const parts: string[] = [];
  let rest = value;
  const bits = X86_64.constants.ofFamily(family).filter((c) => accept(c) && (c.value & (c.value - 1n)) === 0n).sort((a, b) => (a.value < b.value ? -1 : 1));
  for (const bit of bits) {
    if ((rest & bit.value) !== 0n) {
      parts.push(bit.name);
      rest &= ~bit.value;
    }
  }
  if (rest !== 0n) parts.push(hex(rest));
  return parts.join(' | ');
}

const describeFamily = uniqueName(() => ['af'], (name) => !AF_ALIASES.has(name));
const describeProt = bitNames('prot', 'PROT_NONE');

/** The single-bit CLONE_* flags above the exit-signal byte. */
function describeCloneBits(value: bigint): string {
  return orOfBits(value, 'clone', (c) => c.name.startsWith('CLONE_') && c.value >= 0x100n);
}

/** The arguments `--args` records, in the order the policy mentions them. */
export const TRACKED_ARGUMENTS: readonly TrackedArgument[] = [
  { syscall: 'socket', arg: 'family', condition: 'values', describe: describeFamily },
  { syscall: 'socketpair', arg: 'family', condition: 'values', describe: describeFamily },
  { syscall: 'fcntl', arg: 'cmd', condition: 'values', describe: uniqueName(() => ['fcntl'], (name) => name.startsWith('F_') && !FCNTL_NOT_COMMANDS.test(name)) },
  { syscall: 'ioctl', arg: 'cmd', condition: 'values', always: true, describe: uniqueName(ioctlFamilies, (name) => !IOCTL_ALIASES.has(name)) },
  { syscall: 'prctl', arg: 'option', condition: 'values', describe: uniqueName(() => ['prctl'], (name) => !PRCTL_NOT_OPTIONS.test(name)) },
  { syscall: 'clone', arg: 'clone_flags', condition: 'bits', always: true, describe: describeCloneBits },
  { syscall: 'personality', arg: 'personality', condition: 'values', always: true, describe: uniqueName(() => ['personality'], (name) => name.startsWith('PER_')) },
  { syscall: 'mmap', arg: 'prot', condition: 'values', describe: describeProt },
  { syscall: 'mprotect', arg: 'prot', condition: 'values', describe: describeProt },
  { syscall: 'pkey_mprotect', arg: 'prot', condition: 'values', describe: describeProt },
];

export interface ResolvedTracking {
  readonly nr: number;
  readonly syscall: string;
  readonly arg: SyscallArg;
  readonly spec: TrackedArgument;
}

/** The tracked arguments with their syscall numbers and argument descriptions: all, or the `always` ones. */
export function resolvedTracking(all = true): readonly ResolvedTracking[] {
  return TRACKED_ARGUMENTS.filter((spec) => all || spec.always).map((spec) => {
    const syscall = X86_64.syscalls.byName(spec.syscall);
    const arg = syscall?.args.find((a) => a.name === spec.arg);
    if (!syscall || !arg || arg.pointer) throw new Error(`learn: ${spec.syscall}(${spec.arg}) is not a plain argument in the syscall table`);
    return { nr: syscall.nr, syscall: syscall.name, arg, spec };
  });
}

export interface LearnedCondition {
  /** The condition, for `allow NAME if …`; absent when none can be written. */
  readonly text?: string;
  /** Why there is no condition, or what it means, for the rule's comment. */
  readonly note?: string;
}

function sortedUnique(values: readonly bigint[]): bigint[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The condition for one tracked argument of a syscall that was called. */
function conditionFor(tracking: ResolvedTracking, seen: ArgumentValues | undefined): LearnedCondition {
  const { arg, spec } = tracking;
  if (!seen || (seen.values.length === 0 && seen.union === 0n && !seen.overflow)) return { note: `no ${arg.name} recorded` };
  const mask = widthMask(arg.width);
  if (spec.condition === 'bits') {
    const union = seen.union & mask;
    if (union === mask) return { note: `every bit of ${arg.name} seen` };
    if (union === 0n) return { text: `${arg.name} == 0` };
    const lowBytes = sortedUnique(seen.values.map((v) => v & 0xffn).filter((v) => v !== 0n));
    const low = union & 0xffn;
    const parts = [describeCloneBitsFor(union & ~0xffn)];
    if (low !== 0n) parts.push(!seen.overflow && lowBytes.length === 1 && signalName(Number(low)) ? signalName(Number(low))! : hex(low));
    const expression = parts.filter((p) => p !== '').join(' | ');
    return { text: `not (${arg.name} & ~(${expression}))` };
  }
  if (seen.overflow) return { note: `more than ${seen.values.length} distinct ${arg.name} values: no condition` };
  const values = sortedUnique(seen.values.map((v) => v & mask));
  const names = values.map((v) => spec.describe(v, arg));
  return { text: names.length === 1 ? `${arg.name} == ${names[0]}` : `${arg.name} in {${names.join(', ')}}` };
}

function describeCloneBitsFor(value: bigint): string {
  return value === 0n ? '' : describeCloneBits(value);
}

/**
 * The condition written for syscall `nr` (all tracked arguments with `--args`, else the `always`
 * ones), or undefined when none of its arguments is tracked.
 */
export function learnedCondition(run: LearnedRun, nr: number, all = true): LearnedCondition | undefined {
  const tracked = resolvedTracking(all).filter((t) => t.nr === nr);
  if (tracked.length === 0) return undefined;
  const parts = tracked.map((t) => conditionFor(t, run.values.get(valuesKey(t.nr, t.arg.index))));
  const texts = parts.filter((p) => p.text !== undefined).map((p) => p.text!);
  const notes = parts.filter((p) => p.note !== undefined).map((p) => p.note!);
  // With any argument unconstrained the rule would still need every value of it: no condition at all.
  if (notes.length > 0) return { note: notes.join('; ') };
  return { text: texts.join(' and ') };
}
