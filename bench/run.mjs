#!/usr/bin/env node
// `npm run bench`: seccompile's filters next to libseccomp's for the same policies, and the
// theoretical optimum, in one run. Costs are instructions executed per syscall (arguments zero)
// in seccompile's emulator, weighted by a syscall profile (the built-in mix by default), raw and
// with the kernel's action cache. Also compile times. `--write` puts the tables into
// docs/performance.md between the BENCH markers.
//
// Usage: node bench/run.mjs [--profile FILE] [--write] [--quick]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libseccompRules } from './libseccomp-rules.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = args.includes('--write');
const profileArg = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;

const lib = await import(join(ROOT, 'dist', 'index.js'));
const { compilePolicy, nodeFileHost, filterStats, rangeTreeBound, genericProfile, parseProfile, actionValue, decodeProgram, createSourceFile } = lib;
const profile = profileArg ? parseProfile(createSourceFile(profileArg, readFileSync(profileArg, 'utf8')), lib.X86_64).profile : genericProfile(lib.X86_64);

// ---- inputs -------------------------------------------------------------------------------------
const DOCKER = join(ROOT, 'test', 'fixtures', 'profiles', 'docker-default.json');
const DOCKER_CAPS = lib.DOCKER_DEFAULT_CAPS;

const inputs = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.policy')).map((f) => ({ name: f, path: join(ROOT, 'examples', f), kind: 'policy' }));
inputs.push({ name: 'docker-default.json', path: DOCKER, kind: 'oci' });

function compileInput(input, optimize) {
  const text = readFileSync(input.path, 'utf8');
  const result = input.kind === 'oci'
    ? lib.compileProfile(text, { path: input.path, dockerDefaultCaps: true, kernel: { major: 6, minor: 18 }, optimize, profile })
    : compilePolicy(text, { path: input.path, host: nodeFileHost, optimize, profile });
  if (!result.ok) throw new Error(`${input.name} does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result.filter;
}

// ---- libseccomp -----------------------------------------------------------------------------------
function libseccomp(cases) {
  const run = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'libseccomp_bench.py')], { input: JSON.stringify({ cases }), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`libseccomp_bench.py failed (is Debian's python3-seccomp installed?):\n${run.stderr}`);
  return new Map(JSON.parse(run.stdout).results.map((r) => [r.id, r]));
}

/** `abis`: the filter's sections (Docker's profile has x86-64, i386 and x32): x86-64's figures. */
function statsOf(program, abis) {
  const s = filterStats(program, profile, profile.arch, abis);
  return { length: s.length, mean: s.meanRaw, cached: s.meanCached, worst: s.worstRaw, cachedCount: s.cachedCount };
}

// ---- timing --------------------------------------------------------------------------------------
/**
 * Median wall time of each command, run in turns (a, b, c, a, b, c, …) so that a busy moment of
 * the machine weighs on all of them alike.
 */
function wallMs(commands, runs) {
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach(([command, commandArgs, env], c) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed: ${r.stderr}`);
      times[c].push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

/**
 * Instructions a command executes, counted by valgrind's callgrind: the same to about 0.1 % from
 * run to run where wall times move by 10 % on a busy machine. Left out: V8's optimising compiler,
 * which runs on a thread of its own beside the program (it changes the wall time little), and its
 * random hash seeding at start (a primality test whose length varies with the seed). Undefined
 * without valgrind.
 */
function instructions(commandArgs, env) {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-bench-callgrind-'));
  const out = join(dir, 'callgrind.out');
  const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file', process.execPath, ...commandArgs], { cwd: ROOT, env, encoding: 'utf8' });
  const annotated = run.error || run.status !== 0 ? undefined : spawnSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', out], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(dir, { recursive: true, force: true });
  if (annotated === undefined || annotated.status !== 0) return undefined;
  const inclusive = (name) => {
    const line = annotated.stdout.split('\n').find((l) => l.includes(name));
    return line ? Number(line.trim().split(/\s+/)[0].replaceAll(',', '')) : 0;
  };
  return inclusive('PROGRAM TOTALS') - inclusive('OptimizingCompileDispatcher::CompileNext(') - inclusive('HashSeed::InitializeRoots(');
}

/**
 * Minor page faults a command takes (the kernel's count for the child, as getrusage reports it to
 * its parent, python3 here): a first touch of a page of memory. Median of `runs`.
 */
function pageFaults(command, commandArgs, runs, env) {
  const script = 'import resource, subprocess, sys\nsubprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt)';
  const counts = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/python3', ['-c', script, command, ...commandArgs], { cwd: ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    counts.push(Number(r.stdout.trim()));
  }
  return counts.sort((a, b) => a - b)[Math.floor(counts.length / 2)];
}

/** What one first touch of a page costs on this machine (µs): 64 MiB touched page by page, best of 5. */
function pageFaultMicroseconds() {
  const pages = 16384;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const memory = new Uint8Array(new ArrayBuffer(pages * 4096));
    const start = process.hrtime.bigint();
    for (let page = 0; page < pages; page++) memory[page * 4096] = 1;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e3 / pages);
  }
  return best;
}

function libraryMs(input) {
  for (let i = 0; i < 20; i++) compileInput(input, true); // warm up
  const times = [];
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    const start = process.hrtime.bigint();
    compileInput(input, true);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// ---- run ---------------------------------------------------------------------------------------------
const rows = [];
const cases = [];
for (const input of inputs) {
  const optimized = compileInput(input, true);
  const linear = compileInput(input, false);
  const bound = rangeTreeBound(optimized.ir, optimized.program, profile);
  const abis = (optimized.sections ?? [optimized]).map((s) => s.policy.arch);
  const row = { input, abis, optimized: statsOf(optimized.program, abis), linear: statsOf(linear.program, abis), bound: bound.bound };
  if (input.kind === 'oci') {
    const docker = { profile: JSON.parse(readFileSync(input.path, 'utf8')), caps: [...DOCKER_CAPS], kernel: [6, 18] };
    cases.push({ id: `${input.name}:1`, optimize: 1, docker }, { id: `${input.name}:2`, optimize: 2, docker });
  } else {
    const translated = libseccompRules(optimized, actionValue);
    if (translated.rules) cases.push({ id: `${input.name}:1`, optimize: 1, rules: translated.rules }, { id: `${input.name}:2`, optimize: 2, rules: translated.rules });
    else row.untranslatable = translated.error;
    if (translated.approximate) row.approximate = translated.approximate;
  }
  rows.push(row);
}
const fromLibseccomp = libseccomp(cases);
for (const row of rows) {
  for (const level of [1, 2]) {
    const r = fromLibseccomp.get(`${row.input.name}:${level}`);
    if (!r) continue;
    if (r.error) row[`libseccomp${level}Error`] = r.error;
    else row[`libseccomp${level}`] = { ...statsOf(decodeProgram(Buffer.from(r.bpf, 'hex')), row.abis), seconds: r.seconds };
  }
}

// ---- report --------------------------------------------------------------------------------------
const fmt = (s) => (s ? `${s.mean.toFixed(2)} / ${s.cached.toFixed(2)} / ${s.worst} / ${s.length}` : 'n/a');
const lines = [];
lines.push(`Profile: ${profile.source}. Figures: mean instructions per syscall (raw) / mean with the kernel action cache / worst case (any syscall number, arguments zero) / program length.`);
lines.push('');
lines.push('| policy | seccompile | seccompile, no optimiser | libseccomp default | libseccomp binary tree | range-tree optimum (mean) | seccompile ÷ optimum |');
lines.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const ratio = row.bound > 0 ? (row.optimized.mean / row.bound).toFixed(3) : 'n/a';
  const l1 = row.libseccomp1 ? fmt(row.libseccomp1) : row.untranslatable ? `not translatable: ${row.untranslatable}` : (row.libseccomp1Error ?? 'n/a');
  const l2 = row.libseccomp2 ? fmt(row.libseccomp2) : row.untranslatable ? '—' : (row.libseccomp2Error ?? 'n/a');
  const name = row.approximate ? `${row.input.name} ¹` : row.input.name;
  lines.push(`| ${name} | ${fmt(row.optimized)} | ${fmt(row.linear)} | ${l1} | ${l2} | ${row.bound.toFixed(2)} | ${ratio} |`);
}
const approximations = rows.filter((r) => r.approximate);
if (approximations.length > 0) {
  lines.push('');
  lines.push(`¹ libseccomp cannot express this policy exactly (no first-match order); its filter is for an approximation: ${approximations.map((r) => `${r.input.name}: ${r.approximate}`).join('. ')}.`);
}

// ---- targets -------------------------------------------------------------------------------------
// Every example on every target, and Docker's profile on each 64-bit host next to libseccomp's
// filter for that arch alone; each with the built-in mix by the target's numbers.
{
  const perTarget = (arch, program, ir, abis = [arch]) => {
    const mix = genericProfile(arch);
    const s = filterStats(program, mix, arch, abis);
    const free = ir.syscalls.filter((d) => d.rules.length > 0 && d.rules[0].condition.kind === 'true' && d.rules[0].action.kind === 'allow').map((d) => d.nr);
    const uncached = free.filter((nr) => !s.syscalls.find((c) => c.nr === nr)?.cached).length;
    const bound = rangeTreeBound(ir, program, mix).bound;
    return { s, free: free.length, uncached, bound };
  };
  const cell = ({ s, free, uncached, bound }) => `${s.meanRaw.toFixed(2)} / ${s.meanCached.toFixed(2)} / ${s.worstRaw} / ${s.length} (${(s.meanRaw / bound).toFixed(3)}×; ${free - uncached}/${free} cached)`;
  lines.push('');
  lines.push('Every target, the built-in mix by its numbers (calls it lacks drop out). Figures: mean raw / mean with the action cache / worst / length (mean ÷ range-tree optimum; argument-free allowed syscalls the kernel caches, of all; x32 numbers are never cached):');
  lines.push('');
  lines.push(`| policy | ${lib.ARCHES.map((a) => a.name).join(' | ')} |`);
  lines.push(`| --- | ${lib.ARCHES.map(() => '---').join(' | ')} |`);
  for (const input of inputs.filter((i) => i.kind === 'policy')) {
    const text = readFileSync(input.path, 'utf8');
    const cells = lib.ARCHES.map((arch) => {
      const r = compilePolicy(text, { path: input.path, host: nodeFileHost, arch });
      return r.ok ? cell(perTarget(arch, r.filter.program, r.filter.ir)) : `does not compile: ${r.diagnostics.find((d) => d.severity === 'error')?.message}`;
    });
    lines.push(`| ${input.name} | ${cells.join(' | ')} |`);
  }
  const hosts = ['x86_64', 'aarch64', 'riscv64'].map((name) => lib.archByName(name));
  const LIBSECCOMP = { x86_64: 'X86_64', aarch64: 'AARCH64', riscv64: 'RISCV64' };
  const dockerProfile = JSON.parse(readFileSync(DOCKER, 'utf8'));
  const theirs = libseccomp(hosts.map((arch) => ({ id: arch.name, optimize: 2, docker: { profile: dockerProfile, caps: [...DOCKER_CAPS], kernel: [6, 18], host: { goarch: arch.oci.goArch, scmp: arch.oci.scmpArch, arch: LIBSECCOMP[arch.name] } } })));
  lines.push('');
  lines.push("Docker's profile on each host (default capabilities, kernel 6.18): a section per ABI of the host's archMap entry, each measured with the built-in mix by its own numbers, next to libseccomp's filter for the same architectures (the whole program's length):");
  lines.push('');
  lines.push('| host: section | seccompile | libseccomp binary tree |');
  lines.push('| --- | --- | --- |');
  for (const arch of hosts) {
    const r = lib.compileProfile(readFileSync(DOCKER, 'utf8'), { path: DOCKER, dockerDefaultCaps: true, kernel: { major: 6, minor: 18 }, arch });
    const t = theirs.get(arch.name);
    if (!r.ok) {
      lines.push(`| ${arch.name} | refused | ${t?.error ?? 'n/a'} |`);
      continue;
    }
    const sections = r.filter.sections ?? [{ policy: r.filter.policy, ir: r.filter.ir }];
    const abis = sections.map((s) => s.policy.arch);
    for (const section of sections) {
      const abi = section.policy.arch;
      const other = t?.bpf ? filterStats(decodeProgram(Buffer.from(t.bpf, 'hex')), genericProfile(abi), abi, abis) : undefined;
      lines.push(`| ${arch.name}: ${abi.name} | ${cell(perTarget(abi, r.filter.program, section.ir, abis))} | ${other ? `${other.meanRaw.toFixed(2)} / ${other.meanCached.toFixed(2)} / ${other.worstRaw} / ${other.length}` : (t?.error ?? 'n/a')} |`);
    }
  }
}

const timing = [];
const docker = inputs.find((i) => i.kind === 'oci');
const timed = docker ?? inputs.find((i) => i.name === 'web-server.policy');
/**
 * Node reads the file NODE_EXTRA_CA_CERTS names at every start, before any script runs, and
 * NODE_OPTIONS can change V8's flags (and so whether the CLI's code cache is taken). Start-up is
 * measured without both, as most users run it, and also in this machine's environment when it
 * sets them: a baseline that takes longer to start makes every ratio to it smaller.
 */
const STARTUP_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !STARTUP_VARIABLES.includes(name)));
const setVariables = STARTUP_VARIABLES.filter((name) => process.env[name]);
const environments = [{ name: 'without ' + STARTUP_VARIABLES.join(' and '), env: cleanEnv }, ...(setVariables.length > 0 ? [{ name: `as this machine runs it (${setVariables.map((name) => `${name}=${process.env[name]}`).join(', ')})`, env: process.env }] : [])];
if (timed) {
  const runs = quick ? 5 : 41;
  const out = join(mkdtempSync(join(tmpdir(), 'seccompile-bench-')), 'out.bpf');
  const kernel = ['--docker-default-caps', '--kernel', '6.18'];
  // A policy in seccompile's language too: its start-up has the parser, a profile's the importer.
  const policyInput = join(ROOT, 'examples', 'web-server.policy');
  const nodeRuns = [['-e', '0'], [join(ROOT, 'bin', 'seccompile.js'), 'compile', timed.path, '-o', out, ...(timed.kind === 'oci' ? kernel : [])], [join(ROOT, 'bin', 'seccompile.js'), 'compile', policyInput, '-o', out]];
  const commands = [
    ...environments.flatMap(({ env }) => nodeRuns.map((nodeArgs) => [process.execPath, nodeArgs, env])),
    ['/usr/bin/python3', ['-c', 'import seccomp'], cleanEnv],
    ...(timed.kind === 'oci' ? [['/usr/bin/python3', [join(ROOT, 'bench', 'libseccomp_bench.py'), '--compile', timed.path, out, '6.18', ...DOCKER_CAPS], cleanEnv]] : []),
  ];
  const walls = wallMs(commands, runs);
  const [pythonCold, libseccompCli] = walls.slice(environments.length * nodeRuns.length);
  const warm = libraryMs(timed);
  const libRow = rows.find((r) => r.input === timed);
  const ms = (n) => `${n.toFixed(1)} ms`;
  timing.push(`Library call on ${timed.name}, warm: ${warm.toFixed(2)} ms` + (libRow?.libseccomp2 ? `; libseccomp build + export (in Python, warm process) ${(libRow.libseccomp2.seconds * 1000).toFixed(2)} ms.` : '.'));
  environments.forEach(({ name }, e) => {
    const [node, cli, policyCli] = walls.slice(e * nodeRuns.length, (e + 1) * nodeRuns.length);
    const versus = (t) => `${ms(t)} (${(t / node).toFixed(2)}× node -e 0, ${ms(t - node)} more)`;
    timing.push(`Start-up and compile, CLI, ${name} (median of ${runs} runs, all commands in turns): \`node -e 0\` ${ms(node)}; ${timed.name} ${versus(cli)}; examples/web-server.policy ${versus(policyCli)}.`);
  });
  if (libseccompCli !== undefined) timing.push(`libseccomp from the command line (python3-seccomp, cold: Python start, Docker's profile handling, build, export) ${ms(libseccompCli)}; a cold \`python3 -c 'import seccomp'\` ${ms(pythonCold)} (in the same turns; Python reads neither variable).`);
  environments.forEach(({ name, env }) => {
    const counted = nodeRuns.map((nodeArgs) => instructions(nodeArgs, env));
    if (counted.some((n) => n === undefined)) {
      timing.push('Instructions executed: not counted (valgrind and callgrind_annotate are not installed).');
      return;
    }
    const [base, profiled, policy] = counted;
    const millions = (n) => `${(n / 1e6).toFixed(1)} M`;
    timing.push(`Instructions executed, ${name} (valgrind's callgrind, every thread but V8's optimising compiler; steady to 0.1 %): \`node -e 0\` ${millions(base)}; ${timed.name} ${millions(profiled)} (${(profiled / base).toFixed(3)}× node -e 0, ${millions(profiled - base)} of its own); web-server.policy ${millions(policy)} (${(policy / base).toFixed(3)}×, ${millions(policy - base)} of its own).`);
  });
  const faults = nodeRuns.map((nodeArgs) => pageFaults(process.execPath, nodeArgs, quick ? 3 : 9, cleanEnv));
  if (faults.every((n) => n !== undefined)) {
    const [base, profiled, policy] = faults;
    const cost = pageFaultMicroseconds();
    const faultMs = (n) => `${((n * cost) / 1000).toFixed(1)} ms`;
    timing.push(`Minor page faults, ${environments[0].name} (a first touch of a page; median of ${quick ? 3 : 9} runs): \`node -e 0\` ${base}; ${timed.name} ${profiled} (${profiled - base} more); web-server.policy ${policy} (${policy - base} more). One costs ${cost.toFixed(2)} µs on this machine (64 MiB touched page by page), so the extra faults are about ${faultMs(profiled - base)} and ${faultMs(policy - base)} of the wall times above.`);
  }
}
{
  // 10,000 rules in two shapes: runs of values that merge into ranges (the filter fits the kernel's
  // limit), and alternating actions that cannot merge (the filter is too long and is refused, after
  // the whole pipeline has run). Either way the time grows linearly with the rules.
  const names = ['read', 'write', 'openat', 'close', 'mmap', 'ioctl', 'fcntl', 'lseek'];
  const policies = [
    ['runs of values of 8 syscalls, one action', (i) => `allow ${names[i % names.length]} if arg0 == ${Math.floor(i / names.length)}`],
    ['one value each, 100 different errno actions', (i) => `errno(${1 + (i % 100)}) ${names[i % names.length]} if arg0 == ${i}`],
  ];
  for (const [shape, rule] of policies) {
    const text = 'default errno(EPERM)\n' + Array.from({ length: 10_000 }, (_, i) => rule(i)).join('\n') + '\n';
    const start = process.hrtime.bigint();
    const r = compilePolicy(text);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const outcome = r.ok ? `${r.filter.program.length} instructions` : `refused: ${r.diagnostics.find((d) => d.severity === 'error')?.message}`;
    timing.push(`10,000 rules (${shape}): ${ms.toFixed(0)} ms (library call), ${outcome}.`);
  }
}

{
  // Hostile inputs through the CLI, diagnostics printed: each must finish in seconds (a limit is
  // reported, or the work is linear). Each was quadratic once (issue: front-end correctness).
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-bench-hostile-'));
  // 60,000 terms: as long as a chain can be within the 1 MiB policy limit.
  const terms = 60_000;
  const shapes = [
    [`a ${terms.toLocaleString('en')}-term \`and\` chain`, `default allow\nerrno(1) read if ${Array.from({ length: terms }, (_, i) => `fd != ${i}`).join(' and ')}\n`],
    [`a ${terms.toLocaleString('en')}-term \`or\` chain`, `default allow\nerrno(1) read if ${Array.from({ length: terms }, (_, i) => `fd == ${i}`).join(' or ')}\n`],
    ['one syscall listed 100,000 times', `default allow\nerrno(1) ${Array.from({ length: 100_000 }, () => 'read').join(', ')}\n`],
    ['20,000 defines, each doubling the last (overflows)', `define D0 = 1 << 63\n${Array.from({ length: 20_000 }, (_, i) => `define D${i + 1} = D${i} + D${i}`).join('\n')}\ndefault allow\n`],
    ['10 MB of `allow read, write, close, fstat` lines (over the 1 MiB policy limit)', `default errno(EPERM)\n${'allow read, write, close, fstat\n'.repeat(330_000)}`],
    ['1 MiB of the same lines (128,000 SC3004 warnings)', `default errno(EPERM)\n${'allow read, write, close, fstat\n'.repeat(31_000)}`],
    ['60,000 unknown syscall names in one rule', `default allow\nerrno(1) ${Array.from({ length: 60_000 }, (_, i) => `nosuch${i}`).join(', ')}\n`],
    ['a profile entry with 20,000 args on one index', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: Array.from({ length: 20_000 }, (_, i) => ({ index: 0, value: i, op: 'SCMP_CMP_NE' })) }] })],
    ['a profile with 500,000 repeated unknown keys', `{"defaultAction": "SCMP_ACT_ALLOW", ${Array.from({ length: 500_000 }, () => '"x": 1').join(', ')}}`],
    ['a profile with 70,000 unknown actions', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: Array.from({ length: 70_000 }, (_, i) => ({ names: ['read'], action: `SCMP_ACT_BOGUS${i}` })) })],
  ];
  for (const [shape, text] of shapes) {
    const path = join(dir, text.startsWith('{') ? 'hostile.json' : 'hostile.policy');
    writeFileSync(path, text);
    const start = process.hrtime.bigint();
    const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin', 'seccompile.js'), 'compile', path, '-o', join(dir, 'out.bpf')], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const lines = run.stderr.trimEnd().split('\n');
    const peak = Number(lines.pop()) / 1024;
    const said = lines.find((l) => /(error|warning): /.test(l))?.replace(/^.*?(error|warning): /, '$1: ').slice(0, 140) ?? 'no diagnostic';
    timing.push(`Hostile input, ${shape} (${(text.length / 1e6).toFixed(1)} MB), CLI: ${(ms / 1000).toFixed(2)} s, ${peak.toFixed(0)} MB peak, exit ${run.status}, ${said}.`);
  }
}

{
  // Proof times (seccompile verify, Z3): the examples and Docker's profile, the solver started
  // once (its start, about 0.2 s, is counted separately).
  const { proveCompiled, proveFilter } = lib;
  const start = process.hrtime.bigint();
  await proveFilter(compilePolicy('default allow\n').filter.policy, compilePolicy('default allow\n').filter.program);
  const startup = Number(process.hrtime.bigint() - start) / 1e6;
  const times = [];
  for (const input of inputs) {
    const filter = compileInput(input, true);
    const t = process.hrtime.bigint();
    const proof = await proveCompiled(filter);
    times.push(`${input.name} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms${proof.status === 'proven' ? '' : ` (${proof.status})`}`);
  }
  timing.push(`Proof times (seccompile verify, Z3): ${times.join(', ')}; the solver's start ${startup.toFixed(0)} ms.`);
}

{
  // 1,000 allowed ioctl requests, none neighbours: the set is searched by bisection.
  const requests = Array.from({ length: 1000 }, (_, i) => 0x5400 + 7 * i + (i % 3));
  const r = compilePolicy(`default kill_process\nallow read, write, close, exit_group\nallow ioctl if cmd in {${requests.join(', ')}}\n`);
  if (r.ok) {
    const ioctl = lib.X86_64.syscalls.byName('ioctl').nr;
    let worst = 0;
    for (const cmd of [...requests, ...requests.map((v) => v + 1), 0, 0xffffffff]) {
      worst = Math.max(worst, lib.emulate(r.filter.program, { nr: ioctl, arch: 0xc000003e, instructionPointer: 0n, args: [3n, BigInt(cmd), 0n, 0n, 0n, 0n] }).trace.length);
    }
    timing.push(`1,000 allowed ioctl requests: ${r.filter.program.length} instructions, at most ${worst} executed for an ioctl call (the requests, their neighbours, 0 and 0xffffffff).`);
  }
}

{
  // The real kernel: each compiler's filter for Docker's and Podman's profiles installed in a
  // child (bench/kernel-bench.c), timing a call the action cache answers (getpid) and one the
  // filter must check (personality(0xffffffff), argument-checked in both profiles), with and
  // without the cache (a tiny argument-reading filter installed first defeats it). Thread CPU
  // time per call; compilers interleaved round by round.
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-kbench-'));
  const helper = join(dir, 'kernel-bench');
  const gcc = spawnSync('gcc', ['-O2', '-o', helper, join(ROOT, 'bench', 'kernel-bench.c')], { encoding: 'utf8' });
  if (gcc.status !== 0) throw new Error(`cannot build bench/kernel-bench.c:\n${gcc.stderr}`);
  const profiles = ['docker-default.json', 'podman-default.json'];
  const blobs = [];
  const libCases = [];
  for (const name of profiles) {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'profiles', name), 'utf8');
    const r = lib.compileProfile(text, { path: name, dockerDefaultCaps: true, kernel: { major: 6, minor: 18 } });
    if (!r.ok) throw new Error(`${name} does not compile`);
    const file = join(dir, `${name}.seccompile.bpf`);
    writeFileSync(file, lib.encodeProgram(r.filter.program));
    blobs.push({ profile: name, compiler: 'seccompile', file });
    // Docker's filters were built for the instruction counts above: only the others are asked for.
    const docker = { profile: JSON.parse(text), caps: [...DOCKER_CAPS], kernel: [6, 18] };
    for (const level of [1, 2]) if (!fromLibseccomp.has(`${name}:${level}`)) libCases.push({ id: `${name}:${level}`, optimize: level, docker });
  }
  const fromLib = new Map([...fromLibseccomp, ...libseccomp(libCases)]);
  for (const name of profiles) {
    for (const [level, compiler] of [[1, 'libseccomp default'], [2, 'libseccomp tree']]) {
      const r = fromLib.get(`${name}:${level}`);
      if (!r || r.error) continue;
      const file = join(dir, `${name}.libseccomp${level}.bpf`);
      writeFileSync(file, Buffer.from(r.bpf, 'hex'));
      blobs.push({ profile: name, compiler, file });
    }
  }
  const calls = [['getpid', 39, '0'], ['personality(0xffffffff)', 135, '0xffffffff']];
  blobs.sort((a, b) => profiles.indexOf(a.profile) - profiles.indexOf(b.profile));
  const runs = [{ compiler: 'no filter', file: 'none', profile: '' }, ...blobs];
  const count = quick ? '200000' : '1000000';
  const samples = new Map();
  for (let round = 0; round < (quick ? 3 : 9); round++) {
    for (const run of runs) {
      for (const [call, nr, arg] of calls) {
        for (const defeat of ['0', '1']) {
          const out = spawnSync(helper, [run.file, defeat, String(nr), arg, count], { encoding: 'utf8' });
          const key = `${run.profile}|${run.compiler}|${call}|${defeat}`;
          if (!samples.has(key)) samples.set(key, []);
          samples.get(key).push(out.status === 0 ? Number(out.stdout) : NaN);
        }
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const stat = (profile, compiler, call, defeat) => {
    const xs = samples.get(`${profile}|${compiler}|${call}|${defeat}`) ?? [NaN];
    return { min: Math.min(...xs), median: median(xs) };
  };
  timing.push('');
  timing.push(`Kernel cost per call (thread CPU time, ${Number(count).toLocaleString('en')} calls per run, ${quick ? 3 : 9} rounds in turns; min / median ns, and in brackets the median overhead over no filter; "no cache": a one-instruction argument-reading filter installed first, so every call runs the filters):`);
  timing.push('');
  timing.push(`| profile | compiler | ${calls.map(([c]) => `${c} | ${c}, no cache`).join(' | ')} |`);
  timing.push(`| --- | --- | ${calls.map(() => '--- | ---').join(' | ')} |`);
  for (const run of runs) {
    const cells = calls.flatMap(([call]) => ['0', '1'].map((defeat) => {
      const s = stat(run.profile, run.compiler, call, defeat);
      if (!Number.isFinite(s.median)) return 'failed';
      const base = stat('', 'no filter', call, '0').median;
      return `${s.min.toFixed(0)} / ${s.median.toFixed(0)}${run.file === 'none' && defeat === '0' ? '' : ` (+${(s.median - base).toFixed(0)})`}`;
    }));
    timing.push(`| ${run.profile || '—'} | ${run.compiler} | ${cells.join(' | ')} |`);
  }
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Linux ${release()}, Node ${process.version}`;
const report = [`Run on ${new Date().toISOString().slice(0, 10)}, ${machine}.`, '', ...lines, '', ...timing].join('\n');
console.log(report);
if (write) {
  const path = join(ROOT, 'docs', 'performance.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf('<!-- BENCH:START -->');
  const end = doc.indexOf('<!-- BENCH:END -->');
  if (start < 0 || end < 0) throw new Error('docs/performance.md has no BENCH markers');
  writeFileSync(path, `${doc.slice(0, start)}<!-- BENCH:START -->\n${report}\n${doc.slice(end)}`);
  console.log(`\nwrote ${path}`);
}
