// The library API: everything the CLI does is available here.
export { compileChecked, compilePolicy, type BackendOptions, type CompileOptions, type CompiledFilter, type CompileResult } from './compile.ts';
export { emit, listing, OUTPUT_FORMATS, type OutputFormat, type EmitOptions } from './emit/index.ts';
export { emitC } from './emit/c.ts';
export { emitJson, JSON_FORMAT_VERSION } from './emit/json.ts';
export { encodeProgram, decodeProgram, type Instruction } from './bpf/insn.ts';
export { emulate, seccompDataWords, type SeccompData, type EmulationResult } from './bpf/emulate.ts';
export { disassemble } from './bpf/disasm.ts';
export { validateProgram, type ValidationProblem } from './bpf/validate.ts';
export { formatDiagnostic, formatDiagnostics } from './diagnostics/format.ts';
export { DIAGNOSTIC_CODES, hasErrors, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics/diagnostic.ts';
export { createSourceFile, positionOf, type SourceFile, type Span } from './diagnostics/source.ts';
export type { FileHost } from './parser/load.ts';
export { nodeFileHost } from './host/node-host.ts';
export { actionValue, decodeAction, formatReturnValue, type Action } from './seccomp/action.ts';
export { syscallByName, syscallByNumber, x86_64Syscalls, type Syscall, type SyscallArg } from './syscalls/index.ts';
export { lookupConstant } from './constants/index.ts';
export type { DispatchStrategy, NrRange } from './codegen/dispatch.ts';
export { VERSION } from './version.ts';
