// Syscall groups as systemd defines them (`@system-service`, `@basic-io`, …): the members
// systemd 252's `systemd-analyze syscall-filter` lists (data/systemd-252-syscall-groups.txt; systemd
// is LGPL-2.1-or-later, and only the names of its groups and their members are taken). A group may
// name other groups; it stands for the syscalls of all of them, those a target lacks left out.
import type { Arch } from '../arch/arch.ts';
import { GROUPS } from './groups.generated.ts';

export interface SyscallGroup {
  /** Without the `@`. */
  readonly name: string;
  /** systemd's one-line description. */
  readonly help: string;
  /** Members as systemd lists them: syscall names and `@group` names. */
  readonly members: readonly string[];
}

let byName: Map<string, SyscallGroup> | undefined;

function table(): Map<string, SyscallGroup> {
  byName ??= new Map(GROUPS.map(([name, help, members]) => [name, { name, help, members: members.split(' ') }]));
  return byName;
}

/** Every group, in systemd's order. */
export function syscallGroups(): readonly SyscallGroup[] {
  return [...table().values()];
}

export function syscallGroup(name: string): SyscallGroup | undefined {
  return table().get(name);
}

/** The syscall names a group stands for, nested groups expanded, each once, in systemd's order. */
export function groupSyscalls(name: string): string[] | undefined {
  const group = table().get(name);
  if (!group) return undefined;
  const out = new Set<string>();
  const visit = (g: SyscallGroup, seen: Set<string>): void => {
    if (seen.has(g.name)) return; // systemd's groups have no cycles; this keeps a bad table finite
    seen.add(g.name);
    for (const member of g.members) {
      if (!member.startsWith('@')) out.add(member);
      else visit(table().get(member.slice(1))!, seen);
    }
  };
  visit(group, new Set());
  return [...out];
}

/**
 * The groups a list of syscalls can be written with (`allow @basic-io, @timer, …, rest`) on these
 * ABIs: a group is used only when every member each ABI has is in the list, so that the group
 * stands for no syscall the list lacks. Largest first; a group whose members are all covered
 * already is left out, and `@known` never used. The names no group covers keep their order.
 */
export function coveringGroups(names: readonly string[], arches: readonly Arch[]): { groups: string[]; rest: string[] } {
  const listed = new Set(names);
  const candidates = syscallGroups().filter((g) => g.name !== 'known').map((g) => ({
    name: g.name,
    members: groupSyscalls(g.name)!.filter((m) => arches.some((a) => a.syscalls.byName(m))),
  })).filter((g) => g.members.length > 1 && g.members.every((m) => listed.has(m)));
  candidates.sort((a, b) => b.members.length - a.members.length || (a.name < b.name ? -1 : 1));
  const covered = new Set<string>();
  const groups: string[] = [];
  for (const group of candidates) {
    if (group.members.every((m) => covered.has(m))) continue;
    groups.push(group.name);
    for (const m of group.members) covered.add(m);
  }
  return { groups, rest: names.filter((n) => !covered.has(n)) };
}
