// Run with `node --expose-gc`: proves one policy (argv[2]) argv[3] times with the built library
// while the garbage collector runs every millisecond, so that Z3 objects dropped by earlier proofs
// are released while later checks run. Prints one line per proof that is not `proven`.
import { readFileSync } from 'node:fs';
import { compilePolicy, proveFilter } from '../../dist/index.js';

const [path, rounds] = process.argv.slice(2);
const collector = setInterval(() => globalThis.gc(), 1);
let failures = 0;
for (let round = 0; round < Number(rounds); round++) {
  const compiled = compilePolicy(readFileSync(path, 'utf8'), { path });
  if (!compiled.ok) throw new Error(`${path} does not compile`);
  const proof = await proveFilter(compiled.filter.policy, compiled.filter.program);
  if (proof.status !== 'proven') {
    failures++;
    console.log(`round ${round}: ${proof.status}`);
  }
}
clearInterval(collector);
console.log(`${rounds} proofs, ${failures} not proven`);
