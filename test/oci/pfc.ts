// An interpreter of libseccomp's pseudo filter code (seccomp_export_pfc): libseccomp's own print
// of its rule database, written from it directly (src/gen_pfc.c) rather than through its BPF
// generator. The OCI differential test uses it to tell libseccomp's rule semantics from its BPF.
//
//   if ($arch == 3221225534)          a test; its block runs when it holds, else the `else` block;
//     if ($syscall == 0)              when the block that ran ends without an action, the next
//       if ($a0.hi32 == 0)            statement after the `if` runs (a 32-bit ABI's argument
//                                     is `$a0`, its low word)
//         if ($a0.lo32 & 0x000000ff == 3)
//           action ERRNO(5);
//     # default action
//     action ERRNO(1);
import { seccompDataWords, type SeccompData } from '../../src/bpf/emulate.ts';
import { RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS, RET_KILL_THREAD, RET_LOG, RET_TRACE, RET_TRAP, RET_USER_NOTIF } from '../../src/seccomp/action.ts';

type Statement =
  | { readonly kind: 'action'; readonly value: number }
  | { readonly kind: 'if'; readonly test: (words: Uint32Array) => boolean; readonly then: Statement[]; readonly else: Statement[] };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

function parseAction(text: string): number {
  const m = /^action (.+);$/.exec(text);
  if (!m) throw new Error(`not an action: ${text}`);
  const a = m[1]!;
  const data = /^(ERRNO|TRACE|TRAP)\((\d+)\)$/.exec(a);
  if (data) return ((data[1] === 'ERRNO' ? RET_ERRNO : data[1] === 'TRACE' ? RET_TRACE : RET_TRAP) | Number(data[2])) >>> 0;
  switch (a) {
    case 'ALLOW': return RET_ALLOW;
    case 'KILL': return RET_KILL_THREAD;
    case 'KILL_PROCESS': return RET_KILL_PROCESS;
    case 'TRAP': return RET_TRAP;
    case 'LOG': return RET_LOG;
    case 'NOTIFY': return RET_USER_NOTIF;
    default:
      if (/^0x[0-9a-f]+$/i.test(a)) return Number(a) >>> 0;
      throw new Error(`unknown PFC action ${a}`);
  }
}

function parseTest(text: string): (words: Uint32Array) => boolean {
  // a 32-bit ABI's argument is `$aN`, its one word
  const m = /^if \(\$(arch|syscall|a([0-5])(?:\.(hi32|lo32))?)(?: & (0x[0-9a-f]+))? (==|>|>=|!=) (\d+)\)$/.exec(text);
  if (!m) throw new Error(`unknown PFC test: ${text}`);
  const offset = m[1] === 'arch' ? 1 : m[1] === 'syscall' ? 0 : 4 + 2 * Number(m[2]) + (m[3] === 'hi32' ? 1 : 0);
  const mask = m[4] === undefined ? 0xffffffff : Number(m[4]);
  const value = Number(m[6]);
  const op = m[5];
  return (words) => {
    const a = (words[offset]! & mask) >>> 0;
    switch (op) {
      case '==': return a === value;
      case '!=': return a !== value;
      case '>': return a > value;
      default: return a >= value;
    }
  };
}

function parseBlock(lines: readonly Line[], start: number, indent: number): { statements: Statement[]; next: number } {
  const statements: Statement[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent >= indent) {
    const line = lines[i]!;
    if (line.indent > indent) throw new Error(`PFC line ${line.number}: unexpected indent`);
    if (line.text.startsWith('action')) {
      statements.push({ kind: 'action', value: parseAction(line.text) });
      i++;
    } else if (line.text.startsWith('if ')) {
      const test = parseTest(line.text);
      const then = parseBlock(lines, i + 1, indent + 1);
      i = then.next;
      let otherwise: Statement[] = [];
      if (i < lines.length && lines[i]!.indent === indent && /^else\b/.test(lines[i]!.text)) {
        const block = parseBlock(lines, i + 1, indent + 1);
        otherwise = block.statements;
        i = block.next;
      }
      statements.push({ kind: 'if', test, then: then.statements, else: otherwise });
    } else {
      throw new Error(`PFC line ${line.number}: cannot read "${line.text}"`);
    }
  }
  return { statements, next: i };
}

export class PfcProgram {
  private readonly statements: Statement[];
  /** The arch each top-level `if` is for, in order (`x86_64`, `x32`, `x86`…). */
  private readonly blockArchs: string[] = [];

  constructor(text: string) {
    const lines: Line[] = [];
    text.split('\n').forEach((raw, n) => {
      const body = raw.trimEnd();
      const content = body.trimStart();
      // libseccomp prints x86-64's and x32's rules as two blocks that test the same arch value
      const block = /^# filter for arch (\S+) /.exec(content);
      if (block) this.blockArchs.push(block[1]!);
      if (content === '' || content.startsWith('#')) return;
      const spaces = body.length - content.length;
      lines.push({ indent: spaces / 2, text: content, number: n + 1 });
    });
    this.statements = parseBlock(lines, 0, 0).statements;
  }

  /**
   * The action the rule database gives the call. An x86-64 call with the x32 bit set (nr -1
   * included) is x32's when the filter has x32 (libseccomp's BPF sends such numbers to x32's
   * rules alone), else x86-64's.
   */
  run(data: SeccompData): number {
    const words = seccompDataWords(data);
    const x32 = this.blockArchs.includes('x32') && data.arch >>> 0 === 0xc000003e && data.nr >>> 0 >= 0x40000000;
    const skip = x32 ? 'x86_64' : 'x32';
    const statements = this.statements.filter((_, i) => this.blockArchs[i] !== skip);
    const result = execute(statements, words);
    if (result === undefined) throw new Error('the PFC ended without an action');
    return result;
  }
}

function execute(statements: readonly Statement[], words: Uint32Array): number | undefined {
  for (const s of statements) {
    if (s.kind === 'action') return s.value;
    const result = execute(s.test(words) ? s.then : s.else, words);
    if (result !== undefined) return result;
  }
  return undefined;
}
