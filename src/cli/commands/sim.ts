// `seccompile sim <policy|file.bpf> <syscall> [arg=value…]`: runs the filter on one call in the
// emulator and prints the verdict with the instructions executed.
import { accumulatorContents, describeInstruction } from '../../bpf/disasm.ts';
import { emulate } from '../../bpf/emulate.ts';
import { ExpressionChecker } from '../../check/expressions.ts';
import { closestMatch } from '../../diagnostics/suggest.ts';
import { createSourceFile } from '../../diagnostics/source.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { parseExpression } from '../../parser/index.ts';
import { abiOfCall, archByName, type Arch } from '../../arch/index.ts';
import { callName } from '../../emit/index.ts';
import { archName, MAX_SYSCALL_ARGS, X32_SYSCALL_BIT } from '../../seccomp/abi.ts';
import { formatReturnValue } from '../../seccomp/action.ts';
import { lookupArgumentName, type Syscall } from '../../syscalls/index.ts';
import { parseArches } from '../arch-option.ts';
import { loadFilter } from '../filter-input.ts';
import type { OciCliOptions } from '../oci-input.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { report } from '../io.ts';
import { writeStdout } from '../stdout.ts';

export interface SimOptions extends OciCliOptions {
  /** Another ABI or AUDIT_ARCH number to make the call through. */
  readonly callArch?: string;
  readonly x32?: boolean;
  readonly ip?: string;
  readonly quiet?: boolean;
}

/** A value given on the command line: any constant expression of the policy language. */
export function evaluateValue(text: string, what: string, arch: Arch): bigint {
  const file = createSourceFile(what, text);
  const parsed = parseExpression(file);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const value = parsed.expr && new ExpressionChecker(arch, (d) => diagnostics.push(d)).constant(parsed.expr, { defines: new Map() });
  if (value === undefined || diagnostics.some((d) => d.severity === 'error')) {
    report(diagnostics);
    throw new CliError(`invalid value for ${what}: "${text}"`, EXIT_USAGE);
  }
  return BigInt.asUintN(64, value);
}

/** The ABI of the call: the target's, x32 with `--x32`, or `--call-arch` (a name or an AUDIT_ARCH number). */
interface CallAbi {
  readonly auditArch: number;
  /** Its table, when seccompile has one. */
  readonly abi?: Arch;
}

function callAbiOf(target: Arch, options: SimOptions): CallAbi {
  if (options.x32) {
    if (target.name !== 'x86_64' && target.name !== 'x32') throw new CliError('--x32 makes an x32 call, which only x86-64 processes can make', EXIT_USAGE, { hint: 'use --call-arch for other ABIs' });
    const abi = archByName('x32')!;
    return { auditArch: abi.auditArch, abi };
  }
  if (options.callArch === undefined) return { auditArch: target.auditArch, abi: target };
  const named = archByName(options.callArch);
  if (named) return { auditArch: named.auditArch, abi: named };
  return { auditArch: Number(BigInt.asUintN(32, evaluateValue(options.callArch, '--call-arch', target))) };
}

function resolveSyscall(spec: string, call: CallAbi, target: Arch): { nr: number; syscall?: Syscall } {
  if (/^-?[0-9]/.test(spec)) {
    const value = evaluateValue(spec, 'the syscall number', target);
    // seccomp_data.nr is an int: a number from -2^31 to 2^32 - 1, nothing wider.
    if (value > 0xffffffffn && value < (1n << 64n) - (1n << 31n)) {
      throw new CliError(`the syscall number ${spec} does not fit 32 bits: seccomp_data.nr is an int`, EXIT_USAGE, { hint: 'give a number from -2147483648 to 0xffffffff' });
    }
    let nr = Number(BigInt.asUintN(32, value));
    // `--x32 20` means x32's number 20: the call carries bit 30.
    if (call.abi?.name === 'x32' && nr !== 0xffffffff) nr = (nr | X32_SYSCALL_BIT) >>> 0;
    const abi = abiOfCall(call.auditArch, nr);
    const syscall = abi?.syscalls.byNumber(nr);
    return { nr, ...(syscall ? { syscall } : {}) };
  }
  if (!call.abi) throw new CliError(`give the syscall as a number for arch ${archName(call.auditArch)}`, EXIT_USAGE);
  const syscall = call.abi.syscalls.byName(spec);
  if (!syscall) {
    const suggestion = closestMatch(spec, call.abi.syscalls.all().map((s) => s.name));
    throw new CliError(`unknown ${call.abi.title} syscall "${spec}"`, EXIT_USAGE, suggestion ? { hint: `did you mean \`${suggestion}\`?` } : {});
  }
  return { nr: syscall.nr, syscall };
}

function parseArgs(specs: readonly string[], syscall: Syscall | undefined, target: Arch): bigint[] {
  const args: bigint[] = Array.from({ length: MAX_SYSCALL_ARGS }, () => 0n);
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new CliError(`argument "${spec}" is not of the form name=value`, EXIT_USAGE, { hint: 'e.g. `flags=O_CREAT|O_WRONLY` or `arg2=0x41`' });
    const name = spec.slice(0, eq);
    // The policy language's rule: prototype names first (prctl's `arg2` is args[1]), then argN.
    const found = lookupArgumentName(syscall, name);
    const index = found === undefined ? -1 : found.kind === 'named' ? found.arg.index : found.index;
    if (index < 0 || index >= MAX_SYSCALL_ARGS) {
      const names = syscall?.args.map((a) => a.name) ?? [];
      throw new CliError(`"${name}" is not an argument of ${syscall?.name ?? 'this call'}`, EXIT_USAGE, { hint: names.length > 0 ? `its arguments are ${names.join(', ')} (or arg0..arg5)` : 'use arg0..arg5' });
    }
    args[index] = evaluateValue(spec.slice(eq + 1), name, target);
  }
  return args;
}

export function runSim(inputPath: string, syscallSpec: string, argSpecs: readonly string[], options: SimOptions): void {
  // With several ABIs in the filter, the call goes through the first unless --call-arch says otherwise.
  const target = parseArches(options.arch)[0]!;
  const call = callAbiOf(target, options);
  const resolved = resolveSyscall(syscallSpec, call, target);
  const { nr } = resolved;
  const arch = call.auditArch;
  const args = parseArgs(argSpecs, resolved.syscall, target);
  const instructionPointer = options.ip === undefined ? 0n : evaluateValue(options.ip, '--ip', target);
  const { program } = loadFilter(inputPath, options);

  const result = emulate(program, { nr, arch, args, instructionPointer });
  const names = resolved.syscall?.args.map((a) => a.name) ?? [];
  const shown = args.map((v, i) => `${names[i] ?? `arg${i}`}=0x${v.toString(16)}`).slice(0, Math.max(names.length, lastNonZero(args) + 1));
  const called = (resolved.syscall && callName(nr, arch, target)) ?? `syscall ${nr}`;
  const lines = [`${called}(${shown.join(', ')}) [nr ${nr === 0xffffffff ? -1 : `0x${nr.toString(16)}`}, arch ${archName(arch)}] -> ${formatReturnValue(result.value)}`];
  if (!options.quiet) {
    const holds = accumulatorContents(program);
    lines.push(`${result.trace.length} instructions executed:`);
    for (const pc of result.trace) {
      lines.push(`  ${String(pc).padStart(4, '0')}: ${describeInstruction(program[pc]!, pc, holds[pc]!, { syscallName: (n, auditArch) => callName(n, auditArch ?? arch, target) })}`);
    }
  }
  writeStdout(lines.join('\n') + '\n');
}

function lastNonZero(values: readonly bigint[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== 0n) return i;
  return -1;
}
