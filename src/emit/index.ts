// Output formats of a compiled filter.
import { disassemble } from '../bpf/disasm.ts';
import { encodeProgram } from '../bpf/insn.ts';
import type { CompiledFilter } from '../compile.ts';
import { abiOfCall, callAbi, type Arch } from '../arch/index.ts';
import { SKIPPED_SYSCALL_NR } from '../seccomp/abi.ts';
import { emitC } from './c.ts';
import { emitJson } from './json.ts';

import type { EmitOptions, OutputFormat } from './formats.ts';

export { OUTPUT_FORMATS, type EmitOptions, type OutputFormat } from './formats.ts';

export function emit(filter: CompiledFilter, format: OutputFormat, options: EmitOptions): Uint8Array | string {
  switch (format) {
    case 'raw': return encodeProgram(filter.program);
    case 'c': return emitC(filter, options);
    case 'json': return emitJson(filter);
    case 'asm': return listing(filter.program, filter.ir.arch);
  }
}

/**
 * A listing that names each syscall number with the table of the ABI the filter has established
 * there (`target` where it says nothing else); x32 calls of an x86-64 filter read `x32:name`.
 */
export function listing(program: CompiledFilter['program'], target?: Arch): string {
  return disassemble(program, { syscallName: (nr, auditArch) => callName(nr, auditArch ?? target?.auditArch, target) });
}

/** How a listing or a C comment names syscall `nr` of a call with that arch. */
export function callName(nr: number, auditArch: number | undefined, target?: Arch): string | undefined {
  if (auditArch === undefined || nr === SKIPPED_SYSCALL_NR) return undefined;
  const abi = target && callAbi(target, auditArch, nr) === 'native' ? target : abiOfCall(auditArch, nr);
  const name = abi?.syscalls.byNumber(nr)?.name;
  if (!abi || !name) return undefined;
  // Another ABI's call is prefixed with it (x32:read in an x86-64 filter, i386:read in a section).
  return abi === target || (!target && abi.name !== 'x32') ? name : `${abi.name}:${name}`;
}

export { emitC, emitJson };
