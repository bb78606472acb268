// Builds the CLI bundle (dist/) before a test file runs it, when it is missing or older than the
// sources. The same logic, and the same lock directory, as cli.test.ts and bad-input.test.ts:
// test files may start at once, and the lock makes one of them build while the others wait.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'seccompile.js');

function newestSourceTime(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of ['src', 'scripts/build.mjs', 'package.json']) visit(join(ROOT, path));
  return newest;
}

function bundleIsStale(): boolean {
  const cli = join(ROOT, 'dist', 'cli.js');
  return !existsSync(cli) || statSync(cli).mtimeMs < newestSourceTime();
}

export async function ensureBuilt(): Promise<void> {
  if (!bundleIsStale()) return;
  const lock = join(tmpdir(), `seccompile-test-build-${Buffer.from(ROOT).toString('hex').slice(-40)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is removed after a minute.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      } catch { /* released meanwhile */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    if (!bundleIsStale()) return;
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
