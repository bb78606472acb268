/**
 * `convert --to oci`: a policy exported as an OCI profile gives the policy's verdicts when
 * libseccomp compiles it as runc does (Debian's python3-seccomp, test/oci/libseccomp_reference.py),
 * call for call in the emulator, and the exporter's own proof (the profile read back by
 * seccompile's importer, Z3) holds; a policy OCI cannot express is refused with an error at the
 * rule, never exported approximately.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { X86_64 } from '../../src/arch/index.ts';
import type { CompiledFilter } from '../../src/backend.ts';
import { compilePolicy } from '../../src/compile.ts';
import { nodeFileHost } from '../../src/host/node-host.ts';
import { exportOciProfile } from '../../src/oci/export-profile.ts';
import { Random } from '../support/random.ts';
import { callsForAbis, compareVerdicts, describeCall, referenceAbis, referenceFilters, type ReferenceResult } from './support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RANDOM_POLICIES = 300;

/** Syscalls with arguments of each width, and the values worth comparing them with. */
const SYSCALLS = ['socket', 'personality', 'prctl', 'ioctl', 'clone', 'mmap', 'read', 'kill', 'fcntl', 'setsockopt'];
const VALUES = [0n, 1n, 2n, 3n, 10n, 16n, 0x7fn, 0x80n, 0x5401n, 0xffffffffn, 0x100000000n, 0x100000002n, 0x8000000000000000n, 0xffffffffffffffffn];
const ACTIONS = ['allow', 'errno(1)', 'errno(13)', 'kill_process', 'log', 'trap', 'trace(7)', 'kill_thread'];
const OPS = ['==', '!=', '<', '<=', '>', '>='];

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A comparison of an argument (declared width, `_64` or `_32`), masked or not, or a set. */
function atom(rng: Random): string {
  const wide = rng.chance(0.4);
  const operand = `arg${rng.int(3)}${wide ? '_64' : pick(rng, ['', '_32'])}`;
  const mask = (masks: readonly string[]): string => pick(rng, wide ? [...masks, '0x100000000'] : masks);
  const value = (): string => `0x${pick(rng, VALUES).toString(16)}`;
  switch (rng.int(5)) {
    case 0: return `${operand} in {${Array.from({ length: 1 + rng.int(3) }, value).join(', ')}}`;
    case 1: return `(${operand} & ${mask(['0x1', '0x3', '0xf0', '0x80000000'])}) ${pick(rng, ['==', '!='])} ${pick(rng, ['0', '0x1', '0x10', '0x80000000'])}`;
    case 2: return `${operand} & ${mask(['0x1', '0x6'])}`;
    default: return `${operand} ${pick(rng, OPS)} ${value()}`;
  }
}

function condition(rng: Random, depth = 0): string {
  if (depth >= 2 || rng.chance(0.5)) return rng.chance(0.15) ? `not (${atom(rng)})` : atom(rng);
  return `(${condition(rng, depth + 1)} ${pick(rng, ['and', 'or'])} ${condition(rng, depth + 1)})`;
}

function randomPolicy(rng: Random): string {
  const lines = [`default ${pick(rng, ['kill_process', 'errno(1)', 'allow', 'log'])}`];
  for (let i = 1 + rng.int(6); i > 0; i--) {
    const syscalls = Array.from({ length: 1 + rng.int(2) }, () => pick(rng, SYSCALLS));
    lines.push(`${pick(rng, ACTIONS)} ${[...new Set(syscalls)].join(', ')}${rng.chance(0.75) ? ` if ${condition(rng)}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Exported {
  readonly id: string;
  readonly filter: CompiledFilter;
  readonly profile?: unknown;
  readonly errors: readonly string[];
}

async function exportText(id: string, text: string, path = id): Promise<Exported | undefined> {
  const compiled = compilePolicy(text, { path, host: nodeFileHost });
  if (!compiled.ok) return undefined;
  const exported = await exportOciProfile([compiled.filter.policy], { path: id });
  const errors = exported.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  return { id, filter: compiled.filter, ...(exported.text ? { profile: parseExact(exported.text) } : {}), errors };
}

/** JSON with 64-bit values kept exact (as bigints), for toJson to write back. */
function parseExact(text: string): unknown {
  const marked = text.replace(/(": )(\d{16,})([,\n])/g, '$1"big:$2"$3');
  return JSON.parse(marked, (_key, value: unknown) => (typeof value === 'string' && value.startsWith('big:') ? BigInt(value.slice(4)) : value));
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.policy')).sort();

/** Every ```policy block of the documentation, named by page and place. */
function docsPolicies(): { id: string; text: string }[] {
  return readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().flatMap((page) =>
    [...readFileSync(join(ROOT, 'docs', page), 'utf8').matchAll(/^```policy\n([\s\S]*?)^```$/gm)].map((m, i) => ({ id: `docs/${page} #${i}`, text: m[1]! })));
}

describe('convert --to oci', () => {
  const results: Exported[] = [];
  let reference: Map<string, ReferenceResult>;

  beforeAll(async () => {
    for (const name of examples) {
      const path = join(ROOT, 'examples', name);
      const exported = await exportText(name, readFileSync(path, 'utf8'), path);
      if (exported) results.push(exported);
    }
    for (const { id, text } of docsPolicies()) {
      const exported = await exportText(id, text); // fragments and examples of errors do not compile
      if (exported) results.push(exported);
    }
    const rng = new Random(20_261_203);
    for (let i = 0; i < RANDOM_POLICIES; i++) {
      const exported = await exportText(`random policy ${i}`, randomPolicy(rng));
      if (exported) results.push(exported);
    }
    const cases = results.filter((r) => r.profile).map((r) => ({ id: r.id, profile: r.profile, caps: [], kernel: [6, 1] as const }));
    reference = new Map(referenceFilters(cases).results.map((r) => [r.id, r]));
  }, 600_000);

  it('exports every example, and libseccomp gives the policy\'s verdict on every call', () => {
    for (const name of examples) {
      const result = results.find((r) => r.id === name);
      expect(result, `${name} does not compile`).toBeDefined();
      expect(result!.errors, name).toEqual([]);
    }
    const problems = compare(results.filter((r) => examples.includes(r.id)));
    expect(problems.mismatches).toEqual([]);
    console.info(`OCI export, examples: ${examples.length} exported, ${problems.calls} calls compared with libseccomp, 0 mismatches`);
  });

  it('exports the documentation\'s policies exactly, or refuses them at a rule', () => {
    const docs = results.filter((r) => r.id.startsWith('docs/'));
    const exported = docs.filter((r) => r.profile);
    for (const r of docs.filter((d) => !d.profile)) expect(r.errors.every((e) => e.startsWith('SC7012 ')), `${r.id}: ${r.errors.join('\n')}`).toBe(true);
    const { mismatches, calls } = compare(exported);
    console.info(`OCI export, docs policies: ${docs.length} compiled, ${exported.length} exported and proven, ${docs.length - exported.length} refused; ${calls} calls compared with libseccomp, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    expect(docs.length).toBeGreaterThan(10);
    expect(exported.length).toBeGreaterThan(docs.length / 2);
  });

  it(`exports random policies exactly, or refuses them at a rule (${RANDOM_POLICIES} policies)`, () => {
    const random = results.filter((r) => r.id.startsWith('random'));
    const exported = random.filter((r) => r.profile);
    const refused = random.filter((r) => !r.profile);
    for (const r of refused) {
      expect(r.errors.length, r.id).toBeGreaterThan(0);
      expect(r.errors.every((e) => e.startsWith('SC7012 ')), r.errors.join('\n')).toBe(true);
    }
    const { mismatches, calls } = compare(exported);
    console.info(`OCI export, random policies: ${random.length} compiled, ${exported.length} exported and proven, ${refused.length} refused (e.g. ${refused[0]?.errors[0] ?? '-'}); ${calls} calls compared with libseccomp, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    expect(exported.length).toBeGreaterThan(random.length / 2);
    expect(refused.length).toBeGreaterThan(0);
  });

  /** The policy's filter against libseccomp's for the exported profile, on the calls the differential test makes. */
  function compare(exported: readonly Exported[]): { mismatches: string[]; calls: number } {
    const mismatches: string[] = [];
    let calls = 0;
    exported.forEach((r, i) => {
      const theirs = reference.get(r.id)!;
      if (!theirs.ok) {
        mismatches.push(`${r.id}: libseccomp refuses the exported profile: ${theirs.error}`);
        return;
      }
      const abis = referenceAbis(theirs);
      expect(abis).toEqual([X86_64]);
      const set = callsForAbis(abis, r.profile, VALUES, new Random(i), 48, theirs);
      calls += set.length;
      const { mismatches: found, libseccompInconsistent } = compareVerdicts(r.filter.program, theirs, set, abis);
      for (const m of [...found, ...libseccompInconsistent].slice(0, 3)) mismatches.push(`${r.id}: ${describeCall(m.call)}: policy ${m.ours}, libseccomp ${m.theirs} (its rules ${m.database})`);
    });
    return { mismatches, calls };
  }
});
