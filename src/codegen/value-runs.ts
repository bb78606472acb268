// Runs of rules that each compare the same argument words with exact values and have different
// actions (`errno(1) ioctl if cmd == A`, `errno(2) ioctl if cmd == B`, …). As a chain they cost a
// test per value; found here, the optimiser searches all their values at once.
import type { Cond, IrRule, MaskedWord } from '../ir/types.ts';

/** Below this many values, a chain is as quick as a search. */
const MIN_VALUES = 6;

/** The words a condition compares and the value tuples it accepts, when it is only that. */
export interface PointValues {
  readonly words: readonly MaskedWord[];
  readonly values: readonly (readonly number[])[];
}

export function pointValues(cond: Cond): PointValues | undefined {
  if (cond.kind === 'in') return cond;
  const tests = cond.kind === 'test' ? [cond] : cond.kind === 'and' ? cond.operands : [];
  if (tests.length === 0) return undefined;
  const words: MaskedWord[] = [];
  const tuple: number[] = [];
  for (const operand of tests) {
    if (operand.kind !== 'test' || operand.test.op !== 'eq') return undefined;
    const { offset, mask, value } = operand.test;
    if (words.some((w) => w.offset === offset)) return undefined;
    words.push(mask === undefined ? { offset } : { offset, mask });
    tuple.push(value >>> 0);
  }
  return { words, values: [tuple] };
}

export interface ValueRun {
  /** Index of the run's first rule; the run ends at the rule it was looked up from. */
  readonly first: number;
  readonly words: readonly MaskedWord[];
  /** Each rule of the run with its values, in order. */
  readonly rules: readonly { readonly rule: IrRule; readonly values: readonly (readonly number[])[] }[];
}

/** The longest run of such rules ending at rules[last], if it is worth a search. */
export function valueRunEndingAt(rules: readonly IrRule[], last: number): ValueRun | undefined {
  const end = pointValues(rules[last]!.condition);
  if (!end) return undefined;
  const key = wordsKey(end.words);
  const run = [{ rule: rules[last]!, values: end.values }];
  let count = end.values.length;
  for (let k = last - 1; k >= 0; k--) {
    const point = pointValues(rules[k]!.condition);
    if (!point || wordsKey(point.words) !== key) break;
    run.unshift({ rule: rules[k]!, values: point.values });
    count += point.values.length;
  }
  if (run.length < 2 || count < MIN_VALUES) return undefined;
  return { first: last - run.length + 1, words: end.words, rules: run };
}

function wordsKey(words: readonly MaskedWord[]): string {
  return words.map((w) => `${w.offset}&${w.mask ?? ''}`).join(',');
}
