import { ARCHES, X86_64 } from '../src/arch/index.ts';
import { constantsFor } from '../src/arch/constants.ts';
import { CONSTANTS_X86_64, ConstantTable, constantTable } from '../src/constants/index.ts';
import { describe, it, expect } from 'vitest';
import { errnoName, errnoValue, signalName } from '../src/constants/index.ts';
import { CONSTANT_FAMILIES } from '../src/constants/table.generated.ts';

// Expected values come from the Linux x86-64 UAPI / man pages, not from the
// generated table.
const KNOWN: ReadonlyArray<readonly [string, bigint, string]> = [
  ['EPERM', 1n, 'errno'],
  ['ENOENT', 2n, 'errno'],
  ['EAGAIN', 11n, 'errno'],
  ['EACCES', 13n, 'errno'],
  ['ENOSYS', 38n, 'errno'],
  ['O_RDONLY', 0n, 'open'],
  ['O_ACCMODE', 3n, 'open'],
  ['O_CREAT', 0o100n, 'open'],
  ['O_CLOEXEC', 0o2000000n, 'open'],
  ['AT_FDCWD', -100n, 'at'],
  ['AT_EMPTY_PATH', 0x1000n, 'at'],
  ['PROT_EXEC', 4n, 'prot'],
  ['MAP_SHARED', 1n, 'map'],
  ['MAP_ANONYMOUS', 0x20n, 'map'],
  ['AF_UNIX', 1n, 'af'],
  ['AF_INET', 2n, 'af'],
  ['AF_INET6', 10n, 'af'],
  ['AF_NETLINK', 16n, 'af'],
  ['SOCK_STREAM', 1n, 'sock'],
  ['SOCK_CLOEXEC', 0o2000000n, 'sock'],
  ['CLONE_NEWUSER', 0x10000000n, 'clone'],
  ['CLONE_NEWNS', 0x20000n, 'clone'],
  ['CLONE_THREAD', 0x10000n, 'clone'],
  ['F_SETFD', 2n, 'fcntl'],
  ['F_GETFL', 3n, 'fcntl'],
  ['PR_SET_SECCOMP', 22n, 'prctl'],
  ['PR_SET_NO_NEW_PRIVS', 38n, 'prctl'],
  ['TCGETS', 0x5401n, 'ioctl_tty'],
  ['TIOCSTI', 0x5412n, 'ioctl_tty'],
  ['TIOCGWINSZ', 0x5413n, 'ioctl_tty'],
  ['FIONREAD', 0x541bn, 'ioctl_tty'],
  ['FS_IOC_GETFLAGS', 0x80086601n, 'ioctl_fs'],
  ['SIGKILL', 9n, 'signal'],
  ['SIGSYS', 31n, 'signal'],
  ['AUDIT_ARCH_X86_64', 0xc000003en, 'audit_arch'],
  ['ARCH_SET_FS', 0x1002n, 'arch_prctl'],
  ['SECCOMP_RET_ALLOW', 0x7fff0000n, 'seccomp'],
];

describe('named constants: known values', () => {
  for (const [name, value, family] of KNOWN) {
    it(`${name} = ${value} (${family})`, () => {
      const c = CONSTANTS_X86_64.lookup(name);
      expect(c).toBeDefined();
      expect(c?.value).toBe(value);
      expect(c?.family).toBe(family);
    });
  }

  it('keeps errno aliases and maps numbers to canonical names', () => {
    expect(errnoValue('EPERM')).toBe(1);
    expect(errnoValue('EAGAIN')).toBe(11);
    expect(errnoValue('EWOULDBLOCK')).toBe(11);
    expect(errnoValue('EDEADLOCK')).toBe(errnoValue('EDEADLK'));
    expect(errnoValue('ENOTSUP')).toBe(errnoValue('EOPNOTSUPP'));
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(35)).toBe('EDEADLK');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(0)).toBeUndefined();
    expect(errnoName(4096)).toBeUndefined();
  });

  it('errnoValue only answers for errno names', () => {
    expect(errnoValue('O_CREAT')).toBeUndefined();
    expect(errnoValue('SIGKILL')).toBeUndefined();
    expect(errnoValue('ENOSUCHERRNO')).toBeUndefined();
  });

  it('maps signal numbers to canonical names', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(31)).toBe('SIGSYS');
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(17)).toBe('SIGCHLD');
    expect(signalName(29)).toBe('SIGIO');
    expect(signalName(0)).toBeUndefined();
  });

  it('ioctl requests are unsigned 32-bit, other constants keep their sign', () => {
    for (const c of CONSTANT_FAMILIES.filter((f) => f.id.startsWith('ioctl_')).flatMap((f) => CONSTANTS_X86_64.ofFamily(f.id))) {
      expect(c.value >= 0n && c.value <= 0xffffffffn, c.name).toBe(true);
    }
    expect(CONSTANTS_X86_64.lookup('AT_FDCWD')?.value).toBe(-100n);
  });

  it('unknown names and families', () => {
    expect(CONSTANTS_X86_64.lookup('NOT_A_CONSTANT')).toBeUndefined();
    expect(CONSTANTS_X86_64.lookup('eperm')).toBeUndefined();
    expect(CONSTANTS_X86_64.ofFamily('no-such-family')).toEqual([]);
  });
});

describe('named constants: table structure', () => {
  it('has a reasonably complete table', () => {
    expect(constantTable().length).toBeGreaterThanOrEqual(1500);
  });

  it('every errno value is in 1..4095', () => {
    const errnos = CONSTANTS_X86_64.ofFamily('errno');
    expect(errnos.length).toBeGreaterThan(100);
    for (const c of errnos) {
      expect(c.value >= 1n && c.value <= 4095n, c.name).toBe(true);
    }
  });

  it('every signal value is in 1..64', () => {
    for (const c of CONSTANTS_X86_64.ofFamily('signal')) {
      expect(c.value >= 1n && c.value <= 64n, c.name).toBe(true);
    }
  });

  it('has no duplicate names', () => {
    const names = constantTable().map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('all names are upper-case identifiers', () => {
    for (const [name] of constantTable()) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('every listed family has at least one entry and every entry a listed family', () => {
    const ids = new Set(CONSTANT_FAMILIES.map((f) => f.id));
    expect(ids.size).toBe(CONSTANT_FAMILIES.length);
    for (const f of CONSTANT_FAMILIES) {
      expect(CONSTANTS_X86_64.ofFamily(f.id).length, f.id).toBeGreaterThan(0);
      expect(f.headers.length, f.id).toBeGreaterThan(0);
    }
    for (const [name, , family] of constantTable()) expect(ids.has(family), `${name}: ${family}`).toBe(true);
  });

  it('is sorted by family order, then by name', () => {
    const order = new Map(CONSTANT_FAMILIES.map((f, i) => [f.id, i]));
    for (let i = 1; i < constantTable().length; i++) {
      const prev = constantTable()[i - 1];
      const cur = constantTable()[i];
      if (prev === undefined || cur === undefined) throw new Error('unreachable');
      const fp = order.get(prev[2]) ?? -1;
      const fc = order.get(cur[2]) ?? -1;
      expect(fp < fc || (fp === fc && prev[0] < cur[0]), `${prev[0]} before ${cur[0]}`).toBe(true);
    }
  });

  it('lookups, names and families agree with the whole table, on every target, in either order of first use', () => {
    // x86-64: each row of the table, read whole, is what a lookup of its name makes from its row.
    for (const [name, value, family] of constantTable()) expect(CONSTANTS_X86_64.lookup(name), name).toEqual({ name, value, family });
    for (const arch of ARCHES) {
      for (const familiesFirst of [false, true]) {
        // a fresh table each time: what was asked first matters
        const table = arch.name === 'x86_64' ? new ConstantTable() : constantsFor(arch.name);
        const byFamily = familiesFirst ? CONSTANT_FAMILIES.flatMap((f) => table.ofFamily(f.id)) : [];
        const looked = table.names().map((name) => table.lookup(name)!);
        if (!familiesFirst) byFamily.push(...CONSTANT_FAMILIES.flatMap((f) => table.ofFamily(f.id)));
        expect(new Set(looked.map((c) => c.name)).size, arch.name).toBe(looked.length);
        // every constant is in exactly one family's list, as the same object a lookup gives
        expect(byFamily.length, arch.name).toBe(looked.length);
        for (const c of byFamily) expect(table.lookup(c.name), c.name).toBe(c);
      }
    }
  });

  it('allConstantNames is sorted, unique and consistent with lookupConstant', () => {
    const names = CONSTANTS_X86_64.names();
    expect(names.length).toBe(constantTable().length);
    expect([...names].sort()).toEqual(names);
    for (const name of names) expect(CONSTANTS_X86_64.lookup(name)?.name).toBe(name);
  });
});
