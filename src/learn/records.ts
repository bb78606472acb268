// What a learning run saw, built from the helper's JSON-lines records (native/README.md lists
// them). Pure: the records come in as text, a LearnedRun comes out, so it is tested without a kernel.

/** The record protocol this code understands; the helper announces its own in `hello`. */
export const LEARN_PROTOCOL = 1;

/** How a call entered the kernel: x86-64, x32 (nr with bit 30), i386 (`int $0x80`), or another arch. */
export type CallAbi = 'x86_64' | 'x32' | 'i386' | 'other';

/** The values one argument of one syscall took. */
export interface ArgumentValues {
  readonly nr: number;
  readonly arg: number;
  /** Distinct values as the registers held them (all 64 bits), in the order first seen. */
  readonly values: readonly bigint[];
  /** Every bit set in any value. */
  readonly union: bigint;
  /** More distinct values were seen than the helper keeps: `values` is incomplete. */
  readonly overflow: boolean;
}

export interface LearnProgress {
  readonly calls: number;
  readonly distinct: number;
  readonly processes: number;
  readonly threads: number;
}

export interface LearnedRun extends LearnProgress {
  /** Calls of each x86-64 syscall, by number. */
  readonly counts: ReadonlyMap<number, number>;
  /** Calls through other ABIs, by ABI and number (no rule can allow them one by one). */
  readonly foreign: ReadonlyMap<Exclude<CallAbi, 'x86_64'>, ReadonlyMap<number, number>>;
  /** Recorded argument values, by `${nr}:${arg}`. */
  readonly values: ReadonlyMap<string, ArgumentValues>;
  /** Programs executed (execve, execveat), in order, without repetitions; null when unreadable. */
  readonly programs: readonly string[];
  /** How the command ended, when it did. */
  readonly exit?: { readonly code: number } | { readonly signal: number };
  readonly timedOut: boolean;
  /** Calls whose answer came too late (the caller was killed or interrupted; a restarted call counts again). */
  readonly interrupted: number;
  readonly elapsedMs: number;
  /** Problems the helper reported (the command was not found, could not be executed, …). */
  readonly errors: readonly { readonly kind?: string; readonly message: string }[];
  /** The helper's protocol, from its `hello`. */
  readonly protocol?: number;
  /** The `done` record arrived: the run is complete. */
  readonly complete: boolean;
  /** Process ids of the command and every process it started (from `ready` and `task` records). */
  readonly pids: readonly number[];
}

export function valuesKey(nr: number, arg: number): string {
  return `${nr}:${arg}`;
}

const X32_SYSCALL_BIT = 0x40000000;
const ABIS: readonly CallAbi[] = ['x86_64', 'x32', 'i386', 'other'];

function isAbi(value: unknown): value is CallAbi {
  return typeof value === 'string' && (ABIS as readonly string[]).includes(value);
}

function bigintOf(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-f]+$/i.test(value)) return undefined;
  return BigInt(value);
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Collects records, line by line or in arbitrary chunks, into a LearnedRun. */
export class RecordReader {
  private partial = '';
  private readonly counts = new Map<number, number>();
  private readonly foreign = new Map<Exclude<CallAbi, 'x86_64'>, Map<number, number>>();
  private readonly values = new Map<string, { nr: number; arg: number; values: bigint[]; seen: Set<bigint>; union: bigint; overflow: boolean }>();
  private readonly programs: string[] = [];
  private readonly errors: { kind?: string; message: string }[] = [];
  private progress: LearnProgress = { calls: 0, distinct: 0, processes: 0, threads: 0 };
  private exit: LearnedRun['exit'];
  private timedOut = false;
  private interrupted = 0;
  private elapsedMs = 0;
  private protocol: number | undefined;
  private complete = false;
  private readonly pids = new Set<number>();
  /** Lines that were not records (a helper bug, or not our helper): kept for the error message. */
  readonly garbage: string[] = [];

  constructor(private readonly onProgress?: (progress: LearnProgress) => void) {}

  /** Feeds a chunk of the stream. */
  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Feeds one complete line. */
  line(text: string): void {
    if (text.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      record = parsed as Record<string, unknown>;
    } catch {
      if (this.garbage.length < 5) this.garbage.push(text.slice(0, 200));
      return;
    }
    this.apply(record);
  }

  private apply(record: Record<string, unknown>): void {
    switch (record['t']) {
      case 'hello':
        this.protocol = numberOf(record['protocol']);
        break;
      case 'exec': {
        const path = record['path'];
        if (typeof path === 'string' && !this.programs.includes(path)) this.programs.push(path);
        break;
      }
      case 'value': {
        const value = bigintOf(record['value']);
        if (value !== undefined) this.entry(numberOf(record['nr']), numberOf(record['arg'])).add(value);
        break;
      }
      case 'values': {
        const entry = this.entry(numberOf(record['nr']), numberOf(record['arg']));
        entry.union(bigintOf(record['union']) ?? 0n, record['overflow'] === true);
        break;
      }
      case 'counts': {
        const abi = record['arch'];
        const list = record['counts'];
        if (!isAbi(abi) || !Array.isArray(list)) break;
        const target = abi === 'x86_64' ? this.counts : this.foreignMap(abi);
        for (const pair of list) {
          if (!Array.isArray(pair) || pair.length !== 2) continue;
          const nr = numberOf(pair[0]);
          // -1 (a tracer skipping a call) and numbers no x86-64 entry has: the default decides them.
          if (abi === 'x86_64' && (nr < 0 || nr >= X32_SYSCALL_BIT)) continue;
          target.set(nr, (target.get(nr) ?? 0) + numberOf(pair[1]));
        }
        break;
      }
      case 'progress':
        this.progress = { calls: numberOf(record['calls']), distinct: numberOf(record['distinct']), processes: numberOf(record['processes']), threads: numberOf(record['threads']) };
        this.onProgress?.(this.progress);
        break;
      case 'exit':
        this.exit = typeof record['signal'] === 'number' ? { signal: record['signal'] } : { code: numberOf(record['code']) };
        break;
      case 'error':
        this.errors.push({ ...(typeof record['kind'] === 'string' ? { kind: record['kind'] } : {}), message: typeof record['message'] === 'string' ? record['message'] : 'unknown error' });
        break;
      case 'done':
        this.progress = { calls: numberOf(record['calls']), distinct: numberOf(record['distinct']), processes: numberOf(record['processes']), threads: numberOf(record['threads']) };
        this.timedOut = record['timed_out'] === true;
        this.interrupted = numberOf(record['interrupted']);
        this.elapsedMs = numberOf(record['elapsed_ms']);
        this.complete = true;
        break;
      case 'ready':
        this.pids.add(numberOf(record['pid']));
        break;
      case 'task':
        this.pids.add(numberOf(record['tgid']));
        break;
      default:
        // syscall: informative only (progress carries the totals).
        break;
    }
  }

  private foreignMap(abi: Exclude<CallAbi, 'x86_64'>): Map<number, number> {
    let map = this.foreign.get(abi);
    if (!map) {
      map = new Map();
      this.foreign.set(abi, map);
    }
    return map;
  }

  private entry(nr: number, arg: number): { add(value: bigint): void; union(bits: bigint, overflow: boolean): void } {
    const key = valuesKey(nr, arg);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { nr, arg, values: [], seen: new Set(), union: 0n, overflow: false };
      this.values.set(key, entry);
    }
    const target = entry;
    return {
      add(value) {
        if (target.seen.has(value)) return;
        target.seen.add(value);
        target.values.push(value);
        target.union |= value;
      },
      union(bits, overflow) {
        target.union |= bits;
        target.overflow ||= overflow;
      },
    };
  }

  /** The run as seen so far (complete once the `done` record has arrived). */
  result(): LearnedRun {
    if (this.partial !== '') {
      this.line(this.partial);
      this.partial = '';
    }
    const values = new Map<string, ArgumentValues>();
    for (const [key, { nr, arg, values: list, union, overflow }] of this.values) values.set(key, { nr, arg, values: [...list], union, overflow });
    return {
      ...this.progress,
      counts: new Map(this.counts),
      foreign: new Map([...this.foreign].map(([abi, map]) => [abi, new Map(map)])),
      values,
      programs: [...this.programs],
      ...(this.exit ? { exit: this.exit } : {}),
      timedOut: this.timedOut,
      interrupted: this.interrupted,
      elapsedMs: this.elapsedMs,
      errors: [...this.errors],
      ...(this.protocol !== undefined ? { protocol: this.protocol } : {}),
      complete: this.complete,
      pids: [...this.pids].filter((pid) => pid > 0),
    };
  }
}

/** A whole stream of records at once. */
export function parseRecords(text: string): LearnedRun {
  const reader = new RecordReader();
  reader.push(text);
  return reader.result();
}
