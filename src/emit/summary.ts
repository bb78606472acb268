// What a compiled filter means, per syscall and overall: shared by the JSON and C emitters.
import type { CompiledFilter } from '../compile.ts';
import { errnoName } from '../constants/index.ts';
import type { FilterFlagName } from '../seccomp/abi.ts';
import { flagsValue } from '../seccomp/flags.ts';
import { actionValue, formatAction, type Action } from '../seccomp/action.ts';

export function actionText(action: Action): string {
  return formatAction(action, errnoName);
}

export interface SyscallSummary {
  readonly nr: number;
  readonly name: string;
  /** Some verdict depends on the arguments. */
  readonly conditional: boolean;
  /** Every verdict the syscall can get, in rule order; the default last when a call can fall through. */
  readonly actions: readonly string[];
}

export function summarizeSyscalls(filter: CompiledFilter): SyscallSummary[] {
  return filter.ir.syscalls.map((decision) => {
    const conditional = decision.rules.some((r) => r.condition.kind !== 'true');
    const fallsThrough = !decision.rules.some((r) => r.condition.kind === 'true');
    const actions = [...decision.rules.map((r) => r.action), ...(fallsThrough ? [filter.ir.defaultAction] : [])];
    const texts = [...new Set(actions.map(actionText))];
    return { nr: decision.nr, name: decision.name, conditional, actions: texts };
  });
}

/** Flags the filter must be installed with. */
export function requiredFlags(filter: CompiledFilter): readonly FilterFlagName[] {
  return filter.ir.metadata.flags;
}

export { flagsValue };

export function describeAction(action: Action): { action: string; value: number; text: string } {
  return { action: action.kind, value: actionValue(action), text: actionText(action) };
}
