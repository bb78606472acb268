// Z3 (in WebAssembly), started once per process, and checks that cannot be corrupted by the
// garbage collector.
//
// z3-solver runs `solver.check()` on a worker thread, while the terms, solvers and models that the
// main thread has dropped are released by FinalizationRegistry callbacks that call Z3's
// `*_dec_ref` on the main thread at any time — including during a check on the same context. Z3's
// contexts are not thread-safe: such a release races with the solver's own reference counting,
// and a run of many proofs (a test suite, `verify` over many files) then saw a corrupted heap,
// WebAssembly memory exhausted, or a wrong answer (a counterexample on which both sides agreed,
// reproduced by forcing a collection every millisecond). So every release is held back while a
// check is running and made once no check is.
import { createRequire } from 'node:module';
import type { Context, Solver } from 'z3-solver';

let started: Promise<{ z3: Context<'main'> }> | undefined;
let checksRunning = 0;
const heldReleases: (() => void)[] = [];

/** Z3, started once per process (about 200 ms). Its worker threads do not keep the process alive. */
export function startZ3(): Promise<{ z3: Context<'main'> }> {
  // require, not import(): the CLI's bundles run from V8's code cache (vm.Script), where a
  // dynamic import has no loader.
  started ??= (async () => {
    const { init } = createRequire(import.meta.url)('z3-solver') as typeof import('z3-solver');
    const { Z3, Context: makeContext } = await init();
    holdReleasesDuringChecks(Z3 as unknown as Record<string, unknown>);
    return { z3: makeContext('main') };
  })();
  return started;
}

/** The high-level API looks each release function up on this object when it runs, so wrapping it here covers every object kind. */
function holdReleasesDuringChecks(lowLevel: Record<string, unknown>): void {
  for (const name of Object.keys(lowLevel)) {
    if (!/(^|_)dec_ref$|^del_context$/.test(name) || name === 'enable_concurrent_dec_ref') continue;
    const release = lowLevel[name] as (...args: unknown[]) => unknown;
    lowLevel[name] = (...args: unknown[]): unknown => {
      if (checksRunning === 0) return release(...args);
      heldReleases.push(() => release(...args));
      return undefined;
    };
  }
}

/**
 * solver.check(), bounded: Z3's own timeout bounds the search, and a watchdog also bounds a check
 * whose worker thread never answers (a known failure of the WebAssembly build). Releases stay held
 * until the check has really ended, even when the watchdog has answered for it.
 */
export async function checkWithin(z3: Context<'main'>, solver: Solver<'main'>, budgetMs: number): Promise<'sat' | 'unsat' | 'unknown'> {
  let watchdog: NodeJS.Timeout | undefined;
  const expired = new Promise<'unknown'>((resolve) => {
    watchdog = setTimeout(() => {
      z3.interrupt();
      resolve('unknown');
    }, budgetMs + 5_000);
    watchdog.unref();
  });
  checksRunning++;
  const check = solver.check().finally(() => {
    if (--checksRunning === 0) for (const release of heldReleases.splice(0)) release();
  });
  return Promise.race([check, expired]).finally(() => clearTimeout(watchdog));
}
