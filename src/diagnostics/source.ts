// Source text with a line index, so offsets become line:column without rescanning.

export interface SourceFile {
  /** Path as the user gave it (or `<stdin>`), used in messages. */
  readonly path: string;
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];
}

export interface Span {
  readonly file: SourceFile;
  /** Offsets into file.text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

/** Line starts are found when first asked for: a file without diagnostics never needs them. */
export function createSourceFile(path: string, text: string): SourceFile {
  let lineStarts: number[] | undefined;
  return {
    path,
    text,
    get lineStarts(): readonly number[] {
      if (!lineStarts) {
        // LF, CRLF and a lone CR each end a line, as the lexer reads them.
        lineStarts = [0];
        const ends = /\r\n?|\n/g;
        for (let m = ends.exec(text); m; m = ends.exec(text)) lineStarts.push(m.index + m[0].length);
      }
      return lineStarts;
    },
  };
}

export function positionOf(file: SourceFile, offset: number): Position {
  // Binary search for the last line start <= offset.
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - file.lineStarts[lo]! + 1 };
}

/** The text of a 1-based line, without its newline. */
export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? file.text.length;
  const next = file.lineStarts[line];
  const end = next === undefined ? file.text.length : next - 1;
  return file.text.slice(start, end).replace(/\r$/, '');
}
