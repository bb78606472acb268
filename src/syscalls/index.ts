// Syscall tables: numbers, user-facing names and parameter widths, one table per ABI (src/arch/).
import { MAX_SYSCALL_ARGS } from '../seccomp/abi.ts';

/** Bits of a parameter the kernel really reads (it casts each register to the declared type). */
export type ArgWidth = 16 | 32 | 64;

export interface SyscallArg {
  readonly index: number;
  readonly name: string;
  /** The declared C type, as in the kernel prototype. */
  readonly type: string;
  readonly width: ArgWidth;
  /** A pointer: the filter sees only the address, never the memory behind it. */
  readonly pointer: boolean;
}

export interface Syscall {
  readonly nr: number;
  readonly name: string;
  readonly abi: 'common' | '64' | 'x32';
  /** Kernel entry point; empty for numbers the kernel routes to sys_ni_syscall. */
  readonly entry: string;
  readonly args: readonly SyscallArg[];
}


const WIDTH_OF_TYPE: Readonly<Record<string, ArgWidth>> = {
  'int': 32, 'unsigned int': 32, 'unsigned': 32, 'u32': 32, '__u32': 32, '__s32': 32, 'uint32_t': 32,
  'pid_t': 32, 'uid_t': 32, 'gid_t': 32, 'key_t': 32, 'mqd_t': 32, 'clockid_t': 32, 'timer_t': 32,
  'rwf_t': 32, 'key_serial_t': 32, 'qid_t': 32,
  'umode_t': 16,
  // 16-bit IDs of the old i386 and arm calls (lchown, setuid, …; their *32 twins take uid_t).
  'old_uid_t': 16, 'old_gid_t': 16,
  'old_sigset_t': 64, 'uintptr_t': 64,
  'long': 64, 'unsigned long': 64, 'size_t': 64, 'off_t': 64, 'loff_t': 64, 'aio_context_t': 64, 'u64': 64,
  // Typedefs of pointers to capability structs.
  'cap_user_header_t': 64, 'cap_user_data_t': 64,
};
const POINTER_TYPEDEFS = new Set(['cap_user_header_t', 'cap_user_data_t', '__sighandler_t']);

const described = new Map<string, { width: ArgWidth; pointer: boolean }>();

/** Width and pointer-ness of a declared parameter type, as a 64-bit kernel reads it (32-bit ABIs cap it). */
export function describeType(type: string): { width: ArgWidth; pointer: boolean } {
  let result = described.get(type);
  if (!result) {
    result = describeTypeUncached(type);
    described.set(type, result);
  }
  return result;
}

function describeTypeUncached(type: string): { width: ArgWidth; pointer: boolean } {
  const bare = type.replace(/\b(const|volatile|__user)\b/g, '').replace(/\s+/g, ' ').trim();
  if (bare.includes('*') || POINTER_TYPEDEFS.has(bare)) return { width: 64, pointer: true };
  // x32 rows use the 32-bit compat types.
  if (bare.startsWith('enum ') || bare.startsWith('compat_')) return { width: 32, pointer: false };
  const width = WIDTH_OF_TYPE[bare];
  if (width === undefined) throw new Error(`unknown parameter type "${type}" in the syscall table`);
  return { width, pointer: false };
}

/** A parameter the kernel reads narrower than its prototype declares, and where it does so. */
export interface Narrowed {
  readonly width: ArgWidth;
  /** The kernel source (Linux 7.0) that drops the upper bits. */
  readonly source: string;
}

const FDGET = (file: string): Narrowed => ({ width: 32, source: `${file}: the fd reaches fdget(unsigned int fd)` });

/**
 * Parameters declared `unsigned long` or `long` that the kernel narrows before use: the upper half
 * is ignored, so a rule that compared 64 bits could be bypassed by setting it (readv with fd
 * 0x1_0000_0005 reads fd 5; clone with 0x1_0001_0000 is clone(CLONE_THREAD)). Found by reading the
 * implementations of the x86-64 syscalls whose `unsigned long`/`long` parameter is a flag set, an
 * fd, a pid, a mode or an index (docs/language.md §9 lists them); parameters whose meaning depends
 * on another argument (fcntl's and ioctl's `arg`, prctl's and keyctl's `arg2`..`arg5`, sysfs's
 * `arg1`, semctl's `arg`) are not listed: docs/language.md §9 says how to compare them.
 */
export const KERNEL_NARROWED: Readonly<Record<string, Readonly<Record<string, Narrowed>>>> = {
  readv: { fd: FDGET('fs/read_write.c, do_readv()') },
  writev: { fd: FDGET('fs/read_write.c, do_writev()') },
  preadv: { fd: FDGET('fs/read_write.c, do_preadv()') },
  pwritev: { fd: FDGET('fs/read_write.c, do_pwritev()') },
  preadv2: { fd: FDGET('fs/read_write.c, do_preadv()') },
  pwritev2: { fd: FDGET('fs/read_write.c, do_pwritev()') },
  mmap: { fd: { width: 32, source: 'mm/mmap.c, ksys_mmap_pgoff(): fget(fd), fget(unsigned int fd)' } },
  clone: { clone_flags: { width: 32, source: 'kernel/fork.c, SYSCALL_DEFINE5(clone): .flags = lower_32_bits(clone_flags) & ~CSIGNAL, .exit_signal = lower_32_bits(clone_flags) & CSIGNAL' } },
  ptrace: { pid: { width: 32, source: 'kernel/ptrace.c, SYSCALL_DEFINE4(ptrace): find_get_task_by_vpid(pid_t nr)' } },
  kcmp: { idx1: { width: 32, source: 'kernel/kcmp.c, SYSCALL_DEFINE5(kcmp): get_file_raw_ptr(task, unsigned int idx) for KCMP_FILE and KCMP_EPOLL_TFD' } },
  mbind: { mode: { width: 32, source: 'mm/mempolicy.c, kernel_mbind(): int lmode = mode' } },
};


/** How an ABI's table reads its rows. */
export interface TableLayout {
  /** Register width the kernel reads arguments at: on 32-bit ABIs no argument has more than 32 bits. */
  readonly bits: 32 | 64;
  /** Which rows of the data the ABI has (x86-64 and x32 share one table). */
  readonly rows: 'native' | 'x32';
  /** Added to every number (x32's bit 30). */
  readonly nrBit: number;
}

/** An ABI's generated table (src/syscalls/tables/), a row per index. */
export interface SyscallRows {
  readonly numbers: readonly number[];
  /** A character a row: `c`ommon, `6`4 or `x`32 (x86-64's table holds x32's own rows too). */
  readonly abis: string;
  readonly names: readonly string[];
  /** After a newline, a line a row: kernel entry point, a tab, then the parameters (`type name` joined by `;`). */
  readonly details: string;
}

const ABI_OF_CODE: Readonly<Record<string, Syscall['abi']>> = { c: 'common', 6: '64', x: 'x32' };

/** A row of the table. Its entry point and parameters are read from the table when first asked for (most never are). */
class TableSyscall implements Syscall {
  private described: readonly SyscallArg[] | undefined;
  constructor(
    readonly nr: number,
    readonly name: string,
    readonly abi: Syscall['abi'],
    private readonly table: SyscallTable,
    private readonly row: number,
  ) {}

  get entry(): string {
    const details = this.table.details(this.row);
    return details.slice(0, details.indexOf('\t'));
  }

  get args(): readonly SyscallArg[] {
    if (!this.described) {
      const details = this.table.details(this.row);
      this.described = describeParams(this.name, this.abi, details.slice(details.indexOf('\t') + 1), this.table.layout.bits);
    }
    return this.described;
  }
}

function describeParams(name: string, abi: Syscall['abi'], params: string, bits: 32 | 64): SyscallArg[] {
  const narrowed = abi === 'x32' || bits === 32 ? undefined : KERNEL_NARROWED[name];
  if (params === '') return [];
  return params.split(';').map((param, index) => {
    const split = param.lastIndexOf(' ');
    const type = param.slice(0, split);
    const argName = param.slice(split + 1);
    const { width, pointer } = describeType(type);
    const declared = narrowed?.[argName]?.width ?? width;
    return { index, name: argName, type, width: bits === 32 && declared > 32 ? 32 : declared, pointer };
  });
}

/** One ABI's syscalls by name and number, indexed from its generated rows on first use. */
export class SyscallTable {
  /** The rows of the ABI's own syscalls, by name (a compile looks up a few hundred names on up to three ABIs). */
  private indexed: { rows: SyscallRows; byName: Map<string, number> } | undefined;
  /** The ABI's syscalls by row (rows of the other ABI sharing the table are holes). */
  private readonly made: Syscall[] = [];
  private sorted: readonly Syscall[] | undefined;
  /** Where each row's line of `details` starts, and one past the last: found when first asked for. */
  private lineStarts: Int32Array | undefined;
  /** Made on the first lookup by number. */
  private numbers: Map<number, Syscall> | undefined;

  /**
   * `rows`: the generated table, from a function so that a table no command asks for is never
   * compiled from the bundle.
   */
  constructor(private readonly rows: () => SyscallRows, readonly layout: TableLayout) {}

  private index(): NonNullable<SyscallTable['indexed']> {
    if (this.indexed) return this.indexed;
    const rows = this.rows();
    const byName = new Map<string, number>();
    const unwanted = this.layout.rows === 'x32' ? '6' : 'x';
    const { abis, names } = rows;
    for (let i = 0; i < names.length; i++) {
      const code = abis[i]!;
      if (ABI_OF_CODE[code] === undefined) throw new Error(`row ${i} of the ${this.layout.rows} syscall table has an unknown ABI: ${code}`);
      if (code !== unwanted) {
        byName.set(names[i]!, i);
        this.made[i] = new TableSyscall((rows.numbers[i]! | this.layout.nrBit) >>> 0, names[i]!, ABI_OF_CODE[code]!, this, i);
      }
    }
    this.indexed = { rows, byName };
    return this.indexed;
  }

  /** Row `i`'s entry point, a tab and its parameters. */
  details(i: number): string {
    const { details, names } = this.index().rows;
    if (!this.lineStarts) {
      const starts = new Int32Array(names.length + 1);
      let at = details.indexOf('\n');
      for (let row = 0; row < names.length && at >= 0; row++) {
        starts[row] = at + 1;
        at = details.indexOf('\n', at + 1);
      }
      if (at >= 0 || starts[names.length - 1] === 0) throw new Error(`the details of the ${this.layout.rows} syscall table are not one line a row`);
      starts[names.length] = details.length + 1;
      this.lineStarts = starts;
    }
    return details.slice(this.lineStarts[i]!, this.lineStarts[i + 1]! - 1);
  }

  /** A syscall by the name the table gives it (`fstat`, not `newfstat`). */
  byName(name: string): Syscall | undefined {
    const i = this.index().byName.get(name);
    return i === undefined ? undefined : this.made[i];
  }

  /** A syscall by number, as the filter sees it in seccomp_data.nr. */
  byNumber(nr: number): Syscall | undefined {
    this.numbers ??= new Map(this.all().map((syscall) => [syscall.nr, syscall]));
    return this.numbers.get(nr);
  }

  /** Every syscall, ordered by number. */
  all(): readonly Syscall[] {
    if (!this.sorted) {
      this.index();
      this.sorted = this.made.filter((syscall) => syscall !== undefined).sort((a, b) => a.nr - b.nr);
    }
    return this.sorted;
  }

  /** A syscall the table lacks, named by number: its arguments are only arg0..arg5, full width. */
  forNumber(nr: number): Syscall {
    const known = this.byNumber(nr);
    if (known) return known;
    const width = this.layout.bits;
    const args = Array.from({ length: MAX_SYSCALL_ARGS }, (_, index) => ({ index, name: `arg${index}`, type: 'unsigned long', width, pointer: false }));
    return { nr, name: `syscall_${nr}`, abi: '64', entry: '', args };
  }

  /** Largest number the table knows. */
  highest(): number {
    const all = this.all();
    return all.length === 0 ? 0 : all[all.length - 1]!.nr;
  }
}

/** How a name in a condition (or on `sim`'s command line) names an argument of a syscall. */
export type ArgumentName =
  | { readonly kind: 'named'; readonly arg: SyscallArg }
  /** `argN`: the N-th register, as the prototype declares it (when it has an N-th parameter). */
  | { readonly kind: 'positional'; readonly index: number; readonly declared?: SyscallArg }
  /** `argN_64`: all 64 bits of the N-th register, whatever the prototype declares. */
  | { readonly kind: 'raw64'; readonly index: number }
  /** `argN_32`: the low 32 bits of the N-th register, whatever the prototype declares (libseccomp's view on 32-bit ABIs). */
  | { readonly kind: 'raw32'; readonly index: number };

/**
 * One rule for the policy language and `sim`: a parameter's name in the prototype first (prctl's
 * `arg2` is its second parameter, args[1], as in the man page), then `argN_64` and `argN_32`, then `argN` by
 * position (0 to 9 are recognised; the caller refuses 6 and above).
 */
export function lookupArgumentName(syscall: Syscall | undefined, name: string): ArgumentName | undefined {
  const named = syscall?.args.find((a) => a.name === name);
  if (named) return { kind: 'named', arg: named };
  const raw = /^arg([0-5])_(64|32)$/.exec(name);
  if (raw) return { kind: raw[2] === '64' ? 'raw64' : 'raw32', index: Number(raw[1]) };
  // `family_64`: the register of a named argument, as `argN_64` (`_32`: as `argN_32`).
  const suffixed = /^(.+)_(64|32)$/.exec(name);
  const base = suffixed && syscall?.args.find((a) => a.name === suffixed[1]);
  if (base) return { kind: suffixed[2] === '64' ? 'raw64' : 'raw32', index: base.index };
  const positional = /^arg([0-9])$/.exec(name);
  if (!positional) return undefined;
  const index = Number(positional[1]);
  const declared = syscall?.args[index];
  return { kind: 'positional', index, ...(declared ? { declared } : {}) };
}
