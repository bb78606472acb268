#!/usr/bin/env node
// Makes V8's code cache for each CLI bundle (dist/cli/<name>.cjs.cache, read by bin/load-bundle.js).
// A bundle is trained: loaded without a cache and run on typical inputs, each in a process of its
// own; the cache then holds the bytecode of every function that ran, so a real run starts without
// compiling them. V8 accepts a cache only from the same Node version and flags, so this runs at
// build and at install time (`node scripts/code-cache.mjs`: every bundle in dist/cli, quietly
// skipped when the CLI is not built).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Caches trained on some inputs only (`<bundle>.<variant>.cache`), which bin/seccompile.js picks
 * for those inputs: smaller, as they leave out what other inputs need.
 */
export const VARIANTS = { compile: ['oci'] };

/** A profile using what the importer handles: includes/excludes, argument operators, several actions. */
const TRAINING_PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read', 'write', 'close', 'fstat', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigreturn', 'exit_group', 'openat', 'futex', 'epoll_wait', 'getpid'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 4294967295, op: 'SCMP_CMP_EQ' }] },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, op: 'SCMP_CMP_NE' }, { index: 2, value: 9, op: 'SCMP_CMP_LE' }] },
    { names: ['mount', 'umount2'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['io_uring_setup'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.1' } },
    { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 1, value: 100, op: 'SCMP_CMP_GT' }] },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ],
};

/** A few instructions of a raw filter: load the arch, compare, return. */
function trainingFilter() {
  const insn = (code, jt, jf, k) => { const b = Buffer.alloc(8); b.writeUInt16LE(code, 0); b[2] = jt; b[3] = jf; b.writeUInt32LE(k >>> 0, 4); return b; };
  return Buffer.concat([insn(0x20, 0, 0, 4), insn(0x15, 1, 0, 0xc000003e), insn(0x06, 0, 0, 0x80000000), insn(0x20, 0, 0, 0), insn(0x35, 0, 1, 0x40000000), insn(0x06, 0, 0, 0x00050001), insn(0x06, 0, 0, 0x7fff0000)]);
}

/** The argument vectors each bundle is trained on (its command's common uses). */
function trainingRuns(dir) {
  const policy = join(root, 'examples', 'web-server.policy');
  const profile = join(dir, 'profile.json');
  const filter = join(dir, 'filter.bpf');
  writeFileSync(profile, JSON.stringify(TRAINING_PROFILE));
  writeFileSync(filter, trainingFilter());
  return {
    base: [['--help'], ['--version']],
    compile: [['compile', policy, '-o', '/dev/null'], ['compile', profile, '--kernel', '6.1', '-o', '/dev/null']],
    'compile.oci': [['compile', profile, '--kernel', '6.1', '-o', '/dev/null']],
    stats: [['stats', policy], ['stats', profile, '--kernel', '6.1']],
    disasm: [['disasm', filter]],
    convert: [['convert', profile, '--kernel', '6.1', '-o', '/dev/null']],
    sim: [['sim', policy, 'openat', 'flags=O_RDONLY']],
    // verify's time goes to the solver; its bundle is trained on the command line only.
    verify: [['verify', '--help']],
    diff: [['diff', '--help']],
    explain: [['explain', policy, 'type=1326 audit(1.0:1): pid=1 comm="x" sig=31 arch=c000003e syscall=59 compat=0 ip=0x1 code=0x80000000']],
    'notify-kit': [['notify-kit', '-o', '/dev/null']],
    lint: [['lint', policy, profile, '--kernel', '6.1']],
    // learn runs a program; its bundle is trained on setting up the command line only.
    learn: [['learn', '--help']],
    groups: [['groups'], ['groups', '@system-service']],
  };
}

/** In a child process: trains one bundle and writes its cache (of `variant`). */
async function trainBundle(path, variant, runs) {
  const { loadBundle, disableCaches, cachePathOf, loaded, ID_LENGTH } = require('../bin/load-bundle.js');
  disableCaches();
  const { exports } = loadBundle(path);
  const { stdout, stderr } = process;
  const [writeOut, writeErr] = [stdout.write, stderr.write];
  stdout.write = stderr.write = () => true;
  try {
    for (const argv of runs) {
      // 1 is a lint finding; anything else means the training input is wrong.
      const status = await exports.main(argv);
      if (status > 1) throw new Error(`training run \`seccompile ${argv.join(' ')}\` exited with ${status}`);
    }
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
  process.exitCode = 0;
  const { script, id } = loaded.get(path);
  if (id === undefined || id.length !== ID_LENGTH) throw new Error(`${path} has no id line; build it with scripts/build.mjs`);
  const cache = cachePathOf(path, variant);
  const temporary = `${cache}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
  renameSync(temporary, cache);
}

/** The caches to train for these bundles: `name` for each, `name.variant` for its variants. */
function cacheNames(bundles) {
  return bundles.flatMap((name) => [name, ...(VARIANTS[name] ?? []).map((variant) => `${name}.${variant}`)]);
}

/** Every cache file the bundle at `path` may have. */
export function cacheFiles(path) {
  const { cachePathOf } = require('../bin/load-bundle.js');
  return [cachePathOf(path), ...(VARIANTS[basename(path, '.cjs')] ?? []).map((variant) => cachePathOf(path, variant))];
}

/** Trains the bundles dist/cli/<name>.cjs and their variants, two at a time. */
export async function writeCodeCaches(packageRoot, bundles) {
  const queue = cacheNames(bundles);
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const [bundle, variant] = name.split('.');
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--train', join(packageRoot, 'dist', 'cli', `${bundle}.cjs`), ...(variant ? [variant] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      const status = await new Promise((resolve) => child.on('close', resolve));
      if (status !== 0) throw new Error(`training the ${name} bundle failed:\n${stderr}`);
    }
  };
  await Promise.all([worker(), worker()]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--train') {
    const [path, variant] = process.argv.slice(3);
    const dir = mkdtempSync(join(tmpdir(), 'seccompile-train-'));
    try {
      const name = basename(path, '.cjs') + (variant ? `.${variant}` : '');
      const runs = trainingRuns(dir)[name];
      if (!runs) throw new Error(`no training runs for ${name}`);
      await trainBundle(path, variant, runs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const dir = join(root, 'dist', 'cli');
    const bundles = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.cjs')).map((name) => basename(name, '.cjs')) : [];
    await writeCodeCaches(root, bundles);
  }
}
