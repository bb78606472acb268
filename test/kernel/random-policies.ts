// Random policies over calls that are harmless in a test child (fds it may close or duplicate,
// its own umask, ids), for the kernel tests of every target: each with calls whose arguments lie
// on and around the values the policy compares with, sometimes with random upper halves.
import type { Arch } from '../../src/arch/index.ts';
import { Random } from '../support/random.ts';

const ACTIONS = ['allow', 'log', 'kill_process', 'kill_thread', 'trap(3)', 'errno(EACCES)', 'errno(1234)', 'trace(5)', 'notify'];
const OPERATORS = ['==', '!=', '<', '<=', '>', '>='];
export const SAFE_CALLS = ['close', 'dup', 'umask', 'getpid', 'getppid', 'fchdir', 'fsync', 'flock', 'sched_yield', 'gettid'];

export interface RandomPolicy {
  readonly text: string;
  /** Calls to make under it: a syscall name and its first three arguments. */
  readonly calls: readonly { readonly name: string; readonly args: readonly bigint[] }[];
}

export function randomPolicies(arch: Arch, count: number, seed: number, calls: readonly string[] = SAFE_CALLS, callsEach = 8): RandomPolicy[] {
  const rng = new Random(seed);
  const SAFE = calls;
  const policies: RandomPolicy[] = [];
  for (let i = 0; i < count; i++) {
    const names = SAFE.filter(() => rng.chance(0.4));
    const constants: bigint[] = [0n, 1n, 5n, 0xffffffffn];
    const lines = [`default ${rng.pick(['errno(EPERM)', 'allow', 'kill_process', 'errno(ENOSYS)'])}`];
    for (const name of names) {
      const syscall = arch.syscalls.byName(name)!;
      for (let r = rng.int(3); r >= 0; r--) {
        const action = rng.pick(ACTIONS);
        if (syscall.args.length === 0 || rng.chance(0.3)) {
          lines.push(`${action} ${name}`);
          continue;
        }
        const arg = syscall.args[rng.int(syscall.args.length)]!;
        const value = rng.next64() & ((1n << BigInt(arg.width)) - 1n) & (rng.chance(0.5) ? 0xffn : ~0n);
        constants.push(value);
        const test = rng.chance(0.2) ? `${arg.name} & 0x${value.toString(16)}` : `${arg.name} ${rng.pick(OPERATORS)} 0x${value.toString(16)}`;
        lines.push(`${action} ${name} if ${test}`);
      }
    }
    const made = Array.from({ length: callsEach }, () => {
      const args = [0, 1, 2].map(() => {
        const near = BigInt.asUintN(64, rng.pick(constants) + BigInt(rng.int(3) - 1));
        return rng.chance(0.3) ? near | (rng.next64() & 0xffffffff00000000n) : near;
      });
      return { name: rng.pick(SAFE), args };
    });
    policies.push({ text: lines.join('\n'), calls: made });
  }
  return policies;
}
