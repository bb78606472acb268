// Where an offset of a JSON document is, as a path: `$.syscalls[3].names[2]`. Findings about
// profiles carry it besides line:column. A small scanner of its own, so it does not depend on
// the profile reader's internals; on text that is not JSON it returns what it found so far.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

class Stop extends Error {}

/** The path of the innermost value (or member) containing `offset`; `$` for the whole document. */
export function jsonPathAt(text: string, offset: number): string {
  let pos = 0;
  let found: string | undefined;

  const space = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r')) pos++;
  };
  const string = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return text.slice(start + 1, pos - 1);
    }
  };
  const expect = (c: string): void => {
    space();
    if (text[pos] !== c) throw new Stop();
    pos++;
  };

  /** Parses a value; records `path` when the offset is inside it and no inner value claimed it. */
  const value = (path: string): void => {
    space();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      space();
      if (text[pos] === '}') pos++;
      else {
        for (;;) {
          space();
          const keyStart = pos;
          if (text[pos] !== '"') throw new Stop();
          const key = string();
          expect(':');
          const child = path + keySegment(key);
          value(child);
          // an offset on the key counts as the member
          if (found === undefined && offset >= keyStart && offset < pos) found = child;
          space();
          if (text[pos] === ',') { pos++; continue; }
          expect('}');
          break;
        }
      }
    } else if (c === '[') {
      pos++;
      space();
      if (text[pos] === ']') pos++;
      else {
        for (let index = 0; ; index++) {
          value(`${path}[${index}]`);
          space();
          if (text[pos] === ',') { pos++; continue; }
          expect(']');
          break;
        }
      }
    } else if (c === '"') {
      string();
    } else if (c !== undefined) {
      while (pos < text.length && !/[\s,\]}]/.test(text[pos]!)) pos++;
    } else {
      throw new Stop();
    }
    if (found === undefined && offset >= start && offset < pos) found = path;
    if (pos > offset && found !== undefined) throw new Stop();
  };

  try {
    value('$');
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  return found ?? '$';
}
