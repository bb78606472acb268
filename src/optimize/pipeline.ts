// The optimiser: small named passes over the CFG, run in turn until none changes anything, then
// the graph is compacted to its reachable blocks.
import { compactCfg, type Cfg } from '../bpf/cfg.ts';
import { removeDeadLoads, removeRedundantLoads } from './passes/loads.ts';
import { mergeIdenticalBlocks } from './passes/merge.ts';
import type { Pass } from './passes/pass.ts';
import { shortcutJumps } from './passes/shortcut.ts';
import { threadJumps } from './passes/thread.ts';

export const PASSES: readonly Pass[] = [shortcutJumps, threadJumps, removeRedundantLoads, removeDeadLoads, mergeIdenticalBlocks];

/** A bound on rounds: every pass only removes or shortens, so a fixed point comes quickly. */
const MAX_ROUNDS = 50;

export function optimizeCfg(cfg: Cfg, passes: readonly Pass[] = PASSES): Cfg {
  let current = compactCfg(cfg);
  // A pass that changed nothing on a graph changes nothing on it again: the fixed point is reached
  // once every pass in turn has found nothing since the last change (mid-round, often).
  let unchanged = 0;
  for (let round = 0; round < MAX_ROUNDS && unchanged < passes.length; round++) {
    let changed = false;
    for (let i = 0; i < passes.length && unchanged < passes.length; i++) {
      const result = passes[i]!.run(current);
      unchanged = result.changed ? 0 : unchanged + 1;
      changed ||= result.changed;
      current = result.cfg;
    }
    // Passes leave unreachable blocks behind; drop them once a round.
    if (changed) current = compactCfg(current);
  }
  return current;
}
