// Runs once before every test file: builds the CLI bundles (dist/) that CLI tests run, when they
// are missing or older than the sources (`npm test` builds first; this covers running vitest alone).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/cli-build.ts';

function newestSourceTime(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of ['src', 'bin', 'scripts/build.mjs', 'scripts/code-cache.mjs', 'package.json']) visit(join(ROOT, path));
  return newest;
}

export default function setup(): void {
  const cli = join(ROOT, 'dist', 'cli', 'base.cjs.cache');
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestSourceTime()) return;
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
}
