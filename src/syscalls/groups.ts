// Syscall groups as systemd defines them (`@system-service`, `@basic-io`, …): the members
// systemd 252's `systemd-analyze syscall-filter` lists (data/systemd-252-syscall-groups.txt; systemd
// is LGPL-2.1-or-later, and only the names of its groups and their members are taken). A group may
// name other groups; it stands for the syscalls of all of them, those a target lacks left out.
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
