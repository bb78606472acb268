// Which files `seccompile lint` looks at: files named on the command line, whatever they are, and
// in directories (recursively) `*.policy` files and `*.json` files that are seccomp profiles (a
// JSON object with a "defaultAction"). node_modules and directories whose names start with a dot
// are skipped, and symbolic links to directories are not followed.
import { closeSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { MAX_INPUT_BYTES } from '../host/text.ts';

export class DiscoveryError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

/** The first bytes of a file, as text. */
function head(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A JSON file that is a seccomp profile: an object with a top-level-looking "defaultAction". */
export function isProfileFile(path: string): boolean {
  try {
    const size = statSync(path).size;
    if (size > MAX_INPUT_BYTES) return false;
    const text = head(path, size);
    return /^\s*\{/.test(text) && /"defaultAction"\s*:/.test(text);
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    throw new DiscoveryError(`cannot read the directory: ${(error as Error).message}`, dir);
  }
  for (const name of entries) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    let stat;
    try {
      stat = lstatSync(path);
      if (stat.isSymbolicLink()) {
        const target = statSync(path);
        if (target.isDirectory()) continue;
        stat = target;
      }
    } catch {
      continue; // a dangling link
    }
    if (stat.isDirectory()) walk(path, out);
    else if (stat.isFile() && (name.endsWith('.policy') || (name.endsWith('.json') && isProfileFile(path)))) out.push(path);
  }
}

/** The files to lint, in a stable order; `-` stands for standard input. */
export function discoverInputs(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const given of paths) {
    if (given === '-') {
      out.push('-');
      continue;
    }
    let stat;
    try {
      stat = statSync(given);
    } catch {
      throw new DiscoveryError('no such file or directory', given);
    }
    if (stat.isDirectory()) {
      const found: string[] = [];
      walk(normalize(given), found);
      if (found.length === 0) throw new DiscoveryError('no policies (*.policy) or profiles (*.json with "defaultAction") in this directory', given);
      out.push(...found);
    } else {
      out.push(normalize(given));
    }
  }
  return [...new Set(out)];
}
