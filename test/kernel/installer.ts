// Builds installer-test.c against the `--format c` header of a target.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../../src/arch/index.ts';
import { compilePolicy } from '../../src/compile.ts';
import { emitC } from '../../src/emit/c.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const INSTALLER_POLICY = 'default allow\nerrno(EACCES) getppid\n';

/** The installer test for `arch`, built with `cc`; returns the binary. */
export function buildInstallerTest(arch: Arch, cc: string): Uint8Array {
  const result = compilePolicy(INSTALLER_POLICY, { arch });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
  const dir = join(here, 'qemu', '.build', `installer-${arch.name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'filter.h'), emitC(result.filter, { name: 'inst', source: 'installer-test', version: 'test' }));
  const out = join(dir, 'installer-test');
  execFileSync(cc, ['-static', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-I', dir, '-o', out, join(here, 'installer-test.c')], { stdio: 'pipe' });
  return readFileSync(out);
}
