// Output formats of a compiled filter.
import { disassemble } from '../bpf/disasm.ts';
import { encodeProgram } from '../bpf/insn.ts';
import type { CompiledFilter } from '../compile.ts';
import { syscallByNumber } from '../syscalls/index.ts';
import { emitC } from './c.ts';
import { emitJson } from './json.ts';

import type { EmitOptions, OutputFormat } from './formats.ts';

export { OUTPUT_FORMATS, type EmitOptions, type OutputFormat } from './formats.ts';

export function emit(filter: CompiledFilter, format: OutputFormat, options: EmitOptions): Uint8Array | string {
  switch (format) {
    case 'raw': return encodeProgram(filter.program);
    case 'c': return emitC(filter, options);
    case 'json': return emitJson(filter);
    case 'asm': return listing(filter.program);
  }
}

export function listing(program: CompiledFilter['program']): string {
  return disassemble(program, { syscallName: (nr) => syscallByNumber(nr)?.name });
}

export { emitC, emitJson };
