// The command line: a thin layer over the library. Each command's module is loaded only when that
// command runs, so `seccompile --help` and simple commands start fast; bin/seccompile.js calls main().
import { ARCH_NAMES } from '../arch/arch.ts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { writeStdout } from './stdout.ts';

const FILTER_FLAG_CHOICES = ['tsync', 'log', 'spec_allow', 'new_listener', 'tsync_esrch', 'wait_killable_recv'];

/** A repeatable option. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options that resolve an OCI/Docker profile for a host (see docs/oci.md). */
function addProfileOptions(command: Command): Command {
  return addContainerOptions(command.addOption(new Option('--input <kind>', 'read the input as an OCI/Docker seccomp profile or a policy (default: a JSON object is a profile)').choices(['oci', 'policy'])), 'profiles: ')
    .option('--strict', 'profiles: syscall names unknown on x86-64 are errors');
}

/** The container a profile's includes/excludes are resolved for; `prefix` marks them in commands that read policies too. */
function addContainerOptions(command: Command, prefix: string): Command {
  return command
    .option('--cap <cap>', `${prefix}the container has this capability, for Docker's includes/excludes (repeatable; CAP_SYS_ADMIN or sys_admin)`, collect)
    .option('--docker-default-caps', `${prefix}the container has Docker's default capabilities`)
    .option('--kernel <version>', `${prefix}the kernel MAJOR.MINOR for minKernel, or host for the running one (default: 7.0, the newest seccompile knows)`);
}

/** A repeatable option whose values must come from a list. */
function collectChoices(choices: readonly string[]): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`choose one of ${choices.join(', ')}`);
    return [...(previous ?? []), value];
  };
}

const ARCH_HELP = `the ABI to compile for: ${ARCH_NAMES.join(', ')} (default x86_64)`;

/** Each command's definition, in the order help lists them. */
const COMMANDS: Readonly<Record<string, (program: Command) => void>> = {
  'compile': (program) => {
    addProfileOptions(program
      .command('compile')
      .description('compile a policy or an OCI/Docker seccomp profile into a seccomp filter')
      .argument('<policy>', 'policy file or profile (.json), or - for standard input')
      .option('-o, --output <file>', 'write to FILE (- for standard output); the file is replaced only when compilation succeeds')
      .addOption(new Option('-f, --format <format>', 'raw: struct sock_filter bytes; c: header; json: filter and summary; asm: listing (default: from the -o extension, else raw)').choices(['raw', 'c', 'json', 'asm']))
      .option('--name <identifier>', 'C identifier of the filter array for --format c (default: from the file name)')
      .option('--flag <flag>', `also install with SECCOMP_FILTER_FLAG_<FLAG> (repeatable): ${FILTER_FLAG_CHOICES.join(', ')}; new_listener is added for notify`, collectChoices(FILTER_FLAG_CHOICES))
      .option('--no-optimize', 'skip the optimiser (a linear dispatch, no passes)')
      .option('--arch <arch>', ARCH_HELP)
      .option('--profile <file>', 'syscall frequencies (name<TAB>weight lines) to lay the dispatch out for (default: a built-in mix of real programs)')
      .option('--verify', 'prove the filter against the policy with an SMT solver before writing it (seccompile verify)')
      .option('--verify-timeout <seconds>', 'the proof\'s time budget (default 60)'))
      .addHelpText('after', '\nExamples:\n  seccompile compile web.policy -o web.bpf\n  seccompile compile web.policy --format asm\n  seccompile compile web.policy -o filter.h\n  seccompile compile docker-default.json --docker-default-caps -o docker.bpf')
      .action(async (policy: string, options) => (await import('./commands/compile.ts')).runCompile(policy, options));
  },
  'stats': (program) => {
    addProfileOptions(program
      .command('stats')
      .description('measure a filter: length, instructions per syscall (raw and with the kernel action cache), cacheable syscalls')
      .argument('<filter>', 'policy file, profile (.json), or a raw filter (.bpf, or any binary file)')
      .option('--profile <file>', 'syscall frequencies to weigh the mean by (default: a built-in mix of real programs)')
      .option('--no-optimize', 'measure the unoptimised compilation of a policy')
      .option('--arch <arch>', `${ARCH_HELP}; a raw filter is read as the ABI it checks for first`)
      .option('--syscalls', 'also list every syscall with its verdict and cost')
      .option('--json', 'print the figures as JSON'))
      .action(async (filter: string, options) => (await import('./commands/stats.ts')).runStats(filter, options));
  },
  'disasm': (program) => {
    program
      .command('disasm')
      .description('print a raw filter as a listing')
      .argument('<file>', 'raw filter (struct sock_filter bytes), or - for standard input')
      .option('-o, --output <file>', 'write the listing to FILE')
      .option('--arch <arch>', 'name syscalls with this ABI\'s table where the filter does not check the arch itself (default: each section\'s own)')
      .action(async (file: string, options) => (await import('./commands/disasm.ts')).runDisasm(file, options));
  },
  'convert': (program) => {
    addContainerOptions(program
      .command('convert')
      .description('write an OCI/Docker seccomp profile as a policy with the same verdicts, or a policy as a profile (--to oci)')
      .argument('<input>', 'profile (.json) or policy, or - for standard input')
      .addOption(new Option('--to <kind>', 'policy: write a policy (default for a profile); oci: write an OCI/Docker profile, proven to give the policy\'s verdicts (default for a policy)').choices(['policy', 'oci']))
      .option('-o, --output <file>', 'write to FILE (- for standard output); replaced only on success'), 'profiles: ')
      .addOption(new Option('--input <kind>', 'read the input as an OCI/Docker seccomp profile or a policy (default: a JSON object is a profile)').choices(['oci', 'policy']))
      .option('--strict', 'profiles: syscall names unknown on the target are errors')
      .option('--arch <arch>', `the host: ${ARCH_NAMES.filter((a) => a !== 'x32').join(', ')} (default x86_64); with --to oci, the ABIs the profile filters, host first (x86_64,i386,x32)`)
      .option('--k8s-name <name>', 'with --to oci: write a Kubernetes SeccompProfile (Security Profiles Operator) of this name')
      .addOption(new Option('--approximate <direction>', 'with --to oci: give a syscall whose rules OCI cannot say one verdict, the strictest of its verdicts (deny) or the laxest (allow), with a warning').choices(['deny', 'allow']))
      .option('--verify-timeout <seconds>', 'with --to oci: the proof\'s time budget (default 60)')
      .addHelpText('after', '\nExamples:\n  seccompile convert docker-default.json --docker-default-caps -o docker.policy\n  seccompile convert web.policy --to oci -o web.json\n  seccompile convert web.policy --to oci --arch x86_64,i386,x32 --k8s-name web -o web-profile.json')
      .action(async (input: string, options) => (await import('./commands/convert.ts')).runConvert(input, options));
  },
  'groups': (program) => {
    program
      .command('groups')
      .description('list systemd\'s syscall groups (@basic-io, @system-service, …), or the syscalls of one')
      .argument('[group]', 'a group, with or without its @')
      .option('--arch <arch>', `count and list the syscalls of this target: ${ARCH_NAMES.join(', ')} (default x86_64)`)
      .addHelpText('after', '\nExamples:\n  seccompile groups\n  seccompile groups @system-service --arch aarch64')
      .action(async (group: string | undefined, options) => (await import('./commands/groups.ts')).runGroups(group, options));
  },
  'sim': (program) => {
    addProfileOptions(program
      .command('sim')
      .description('run a filter on one system call and show the verdict and the instructions executed')
      .argument('<filter>', 'policy file, profile (.json), or a raw filter (.bpf, or any binary file)')
      .argument('<syscall>', 'syscall name, or a number (e.g. 0x40000027, -1)')
      .argument('[args...]', 'arguments as name=value or argN=value; values may use constants (flags=O_CREAT|O_WRONLY)')
      .option('--arch <arch>', `${ARCH_HELP}; the call is made through it unless --x32 or --call-arch says otherwise`)
      .option('--call-arch <arch>', 'make the call through another ABI: a name, or an AUDIT_ARCH number')
      .option('--x32', 'make the call through the x32 ABI (sets bit 30 of the number)')
      .option('--ip <address>', 'instruction pointer')
      .option('-q, --quiet', 'print only the verdict'))
      .addHelpText('after', '\nExamples:\n  seccompile sim web.policy openat \'flags=O_WRONLY|O_CREAT\'\n  seccompile sim web.bpf read --x32')
      .action(async (filter: string, syscall: string, args: string[], options) => (await import('./commands/sim.ts')).runSim(filter, syscall, args, options));
  },
  'verify': (program) => {
    addProfileOptions(program
      .command('verify')
      .description('prove with an SMT solver that a filter gives every possible call the verdict of its policy')
      .argument('<policy>', 'the policy or profile (.json)')
      .argument('[filter]', 'a raw filter (.bpf) to prove against the policy (default: the policy, compiled now)')
      .addOption(new Option('-f, --format <format>', 'human (default) or json').choices(['human', 'json']))
      .option('--timeout <seconds>', 'the solver\'s time budget (default 60); running out is a failure, never a pass')
      .option('--arch <arch>', ARCH_HELP))
      .addHelpText('after', '\nExamples:\n  seccompile verify app.policy\n  seccompile verify docker-default.json docker.bpf --docker-default-caps\n\nExit status: 0 proven, 1 a counterexample (printed) or no proof within the budget, 2 wrong usage.\nGuide: docs/verify.md')
      .action(async (policy: string, filter: string | undefined, options) => (await import('./commands/verify.ts')).runVerify(policy, filter, options));
  },
  'diff': (program) => {
    addProfileOptions(program
      .command('diff')
      .description('show exactly which calls change verdict between two policies, profiles or filters (SMT solver)')
      .argument('<a>', 'policy, profile (.json) or raw filter (.bpf): before')
      .argument('<b>', 'policy, profile (.json) or raw filter (.bpf): after')
      .addOption(new Option('-f, --format <format>', 'human (default), json, markdown (a pull-request comment) or github (annotations on B)').choices(['human', 'json', 'markdown', 'github']))
      .option('--timeout <seconds>', 'the solver\'s time budget for each query (default 60); running out is a failure, never "equivalent"')
      .option('--arch <arch>', ARCH_HELP))
      .addHelpText('after', '\nExamples:\n  seccompile diff old.policy new.policy\n  seccompile diff docker-default.json docker.policy --docker-default-caps\n\nExit status: 0 equivalent, 1 different, 2 wrong usage. Guide: docs/verify.md')
      .action(async (a: string, b: string, options) => (await import('./commands/diff.ts')).runDiff(a, b, options));
  },
  'explain': (program) => {
    addProfileOptions(program
      .command('explain')
      .description('name the syscall of a seccomp audit record (type=1326, from dmesg or audit.log) and the policy statement that decided it')
      .argument('<policy>', 'the policy or profile (.json) the filter was compiled from')
      .argument('[records...]', 'audit records; without any, the type=1326 lines of standard input')
      .option('--arch <arch>', ARCH_HELP))
      .addHelpText('after', "\nExamples:\n  seccompile explain app.policy \"$(dmesg | grep 'type=1326' | tail -1)\"\n  journalctl -k | seccompile explain app.policy\n\nGuide: docs/language.md, Debugging a policy")
      .action(async (policy: string, records: string[], options) => (await import('./commands/explain.ts')).runExplain(policy, records, options));
  },
  'notify-kit': (program) => {
    program
      .command('notify-kit')
      .description('write seccompile_notify.h, a header-only C kit for user-notification supervisors')
      .option('-o, --output <file>', 'write to FILE (- for standard output)')
      .addHelpText('after', '\nExample:\n  seccompile notify-kit -o seccompile_notify.h\n\nGuide: docs/user-notification.md')
      .action(async (options: { output?: string }) => (await import('./commands/notify-kit.ts')).runNotifyKit(options));
  },
  'lint': (program) => {
    addContainerOptions(program
      .command('lint')
      .description('check policies and OCI/Docker profiles for mistakes, dangerous allowances and compatibility problems (for CI)')
      .argument('[paths...]', 'policy files, profiles (.json), directories to search (*.policy, profile *.json), or - for standard input (default: .)')
      .addOption(new Option('-f, --format <format>', 'human (default), json, sarif (SARIF 2.1.0, for code scanning) or github (workflow annotations)').choices(['human', 'json', 'sarif', 'github']))
      .option('--rule <id=level>', 'set a rule to off, info, warning or error (repeatable; overrides .seccompile.json)', collect)
      .option('--config <file>', 'read this configuration instead of the nearest .seccompile.json')
      .option('--max-warnings <n>', 'exit 1 when there are more than N warnings')
      .option('--target-kernel <version>', 'the oldest kernel MAJOR.MINOR the filters must work on (enables the kernel-version rules)')
      .option('--arch <arch>', `${ARCH_HELP}; for a profile, the host's`), 'profiles: ')
      .option('-o, --output <file>', 'write the report to FILE')
      .option('--list-rules', 'list the rules with their IDs and default severities')
      .addHelpText('after', '\nExamples:\n  seccompile lint policies/\n  seccompile lint --format sarif -o lint.sarif .\n  seccompile lint docker.json --docker-default-caps --rule default-allow=off\n\nRules, rationale and sources: docs/lint-rules.md')
      .action(async (paths: string[], options) => (await import('./commands/lint.ts')).runLint(paths, options));
  },
  'learn': (program) => {
    program
      .command('learn')
      .description('run a command and write a policy that allows the system calls it made (user notification; a native helper)')
      .usage('[options] -- <command> [args...]')
      // `learn -o p.policy ls -l`: -l is taken for an option of learn; say where the command goes.
      .configureOutput({ outputError: (text, write) => write(/unknown option/.test(text) ? `${text.trimEnd()}\n  help: options of the command go after --: seccompile learn [options] -- COMMAND [ARG]...\n` : text) })
      .argument('<command...>', 'the command to run and its arguments, after --')
      .option('-o, --output <file>', 'write the policy to FILE (default: standard output, once the command has ended)')
      .option('--args', 'also record the plain argument values of socket, fcntl, ioctl, prctl, clone, mmap and mprotect, and write conditions on them')
      .option('--default <action>', 'the policy\'s default action (default: errno(ENOSYS))')
      .option('--merge <policy>', 'add what was seen to this policy: its text is kept, a learned section is appended')
      .option('--groups', 'write systemd\'s syscall groups the run used fully as `allow @group` (seccompile groups)')
      .option('--profile <file>', 'also write the syscall frequencies (name<TAB>share) for compile/stats --profile')
      .option('--timeout <seconds>', 'stop the command after this long (SIGTERM, then SIGKILL); exit status 124')
      .addHelpText('after', '\nExamples:\n  seccompile learn -o ls.policy -- ls -l /tmp\n  seccompile learn --args --profile app.tsv -o app.policy -- ./app --serve\n  seccompile learn --merge app.policy -o app.policy -- ./app --other-mode\n\nExit status: the command\'s; 124 on --timeout; 125 when learn itself fails; 126/127 when the\ncommand cannot be run. Guide: docs/learn.md')
      .action(async (command: string[], options) => (await import('./commands/learn.ts')).runLearnCommand(command, options));
  },
};

/**
 * The command line. A run of one command defines only that command (setting all of them up in
 * commander costs milliseconds at every start); help, version and anything unknown get them all.
 */
function buildProgram(argv: readonly string[]): Command {
  const program = new Command('seccompile')
    .description('Compile seccomp policies into classic-BPF filters for Linux x86-64.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('-v, --verbose', 'also print notes (info diagnostics), such as the architectures a profile names that are not compiled')
    .hook('preAction', async (command) => {
      if (command.opts()['verbose']) (await import('./io.ts')).setVerbose(true);
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: writeStdout, writeErr: (text) => process.stderr.write(text) });

  const command = argv.find((arg) => !arg.startsWith('-'));
  const defined = command !== undefined && Object.hasOwn(COMMANDS, command) ? [command] : Object.keys(COMMANDS);
  for (const name of defined) COMMANDS[name]!(program);
  return program;
}

async function printError(error: CliError): Promise<void> {
  if (!error.message) return;
  const { code, path, hint } = error.details;
  if (code) {
    // Input problems read like any other diagnostic: `path: error: message [SC5001]`.
    const { report } = await import('./io.ts');
    report([{ code, severity: 'error', message: error.message, ...(path ? { path } : {}), ...(hint ? { hint } : {}) }]);
    return;
  }
  process.stderr.write(`seccompile: error: ${error.message}\n`);
  if (hint) process.stderr.write(`  help: ${hint}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram(argv).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof Error && error.name === 'OutputClosed') return 0;
    if (error instanceof CliError) {
      await printError(error);
      return error.exitCode;
    }
    // A bug: say so plainly; the stack only on request.
    process.stderr.write(`seccompile: internal error: ${(error as Error)?.message ?? String(error)}\n  please report this; set SECCOMPILE_DEBUG=1 for details\n`);
    if (process.env['SECCOMPILE_DEBUG']) process.stderr.write(`${(error as Error)?.stack}\n`);
    return 70;
  }
}
