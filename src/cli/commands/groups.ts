// `seccompile groups [NAME] [--arch A]`: systemd's syscall groups, usable in syscall lists
// (`allow @basic-io`): every group with its size on the target, or one group's syscalls.
import { parseArch } from '../arch-option.ts';
import { closestMatch } from '../../diagnostics/suggest.ts';
import { groupSyscalls, syscallGroup, syscallGroups } from '../../syscalls/groups.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { writeOutput } from '../output.ts';

export function runGroups(name: string | undefined, options: { arch?: string }): void {
  const arch = parseArch(options.arch);
  const has = (syscall: string): boolean => arch.syscalls.byName(syscall) !== undefined;
  if (name === undefined) {
    const groups = syscallGroups();
    const width = Math.max(...groups.map((g) => g.name.length)) + 1;
    const lines = groups.map((g) => `@${g.name.padEnd(width)} ${String(groupSyscalls(g.name)!.filter(has).length).padStart(3)}  ${g.help}`);
    writeOutput('-', `# systemd 252's syscall groups; the count is of the syscalls ${arch.title} has\n${lines.join('\n')}\n`);
    return;
  }
  const bare = name.replace(/^@/, '');
  const group = syscallGroup(bare);
  if (!group) {
    const suggestion = closestMatch(bare, syscallGroups().map((g) => g.name));
    throw new CliError(`unknown syscall group \`@${bare}\``, EXIT_USAGE, { code: 'SC2017', hint: suggestion ? `did you mean \`@${suggestion}\`?` : '`seccompile groups` lists them' });
  }
  const members = groupSyscalls(bare)!;
  const nested = group.members.filter((m) => m.startsWith('@'));
  const missing = members.filter((m) => !has(m));
  const out = [
    `# @${group.name}: ${group.help}${nested.length > 0 ? ` (includes ${nested.join(', ')})` : ''}`,
    ...members.filter(has).sort(),
    ...(missing.length > 0 ? [`# not on ${arch.title} (left out of rules there): ${missing.sort().join(' ')}`] : []),
  ];
  writeOutput('-', `${out.join('\n')}\n`);
}
