// Renders diagnostics for people: `file:line:col: error: message [CODE]`, the source line, a caret
// underline, then hints and related locations. Colour only when asked (the CLI asks on a terminal).
import type { Diagnostic, Severity } from './diagnostic.ts';
import { painter, type Paint } from './paint.ts';
import { lineText, positionOf, type Span } from './source.ts';

export interface FormatOptions {
  readonly color: boolean;
}

const MAX_UNDERLINE = 200;
/** Longest source line shown whole; longer ones are cut to a window around the span. */
const MAX_LINE = 160;
const WINDOW_BEFORE = 60;

function paintSeverity(paint: Paint, severity: Severity): string {
  switch (severity) {
    case 'error': return paint.bold(paint.red('error'));
    case 'warning': return paint.bold(paint.yellow('warning'));
    case 'info': return paint.bold(paint.cyan('info'));
  }
}

export function formatLocation(span: Span): string {
  const { line, column } = positionOf(span.file, span.start);
  return `${span.file.path}:${line}:${column}`;
}

/** The source line of a span with a caret underline, indented under a gutter with the line number. */
function renderSnippet(paint: Paint, span: Span, color: (s: string) => string): string[] {
  const start = positionOf(span.file, span.start);
  const text = lineText(span.file, start.line);
  const end = positionOf(span.file, Math.max(span.start, span.end - 1));
  // A span running over several lines is underlined to the end of its first line.
  const lastColumn = end.line === start.line ? end.column : text.length;
  const width = Math.min(MAX_UNDERLINE, Math.max(1, lastColumn - start.column + 1));
  // A very long line is shown as a window around the span.
  let shown = text;
  let column = start.column;
  if (text.length > MAX_LINE) {
    const from = Math.max(0, start.column - 1 - WINDOW_BEFORE);
    const to = Math.min(text.length, from + MAX_LINE);
    shown = `${from > 0 ? '…' : ''}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
    column = start.column - from + (from > 0 ? 1 : 0);
  }
  // Control characters would act on the terminal: show them as visible symbols (one per
  // character). Only the window shown is rewritten: a long line costs nothing per diagnostic.
  shown = shown.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => String.fromCharCode(c === '\x7f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
  // Keep tabs so the caret lines up under the same characters.
  const pad = shown.slice(0, column - 1).replace(/[^\t]/g, ' ');
  const gutter = String(start.line);
  const blank = ' '.repeat(gutter.length);
  return [
    `${paint.blue(`${gutter} |`)} ${shown}`,
    `${paint.blue(`${blank} |`)} ${pad}${color('^'.repeat(Math.max(1, Math.min(width, shown.length - column + 1))))}`,
  ];
}

/**
 * What formatDiagnostic prints: a Diagnostic, or one coded by another scheme (lint rule IDs) with
 * extra `= note:` lines after the hint.
 */
export type PrintableDiagnostic = Omit<Diagnostic, 'code'> & { readonly code: string; readonly notes?: readonly string[] };

export function formatDiagnostic(diagnostic: PrintableDiagnostic, options: FormatOptions): string {
  const paint = painter(options.color);
  const where = diagnostic.span ? formatLocation(diagnostic.span) : diagnostic.path;
  const head = `${where ? paint.bold(`${where}: `) : ''}${paintSeverity(paint, diagnostic.severity)}: ${paint.bold(diagnostic.message)} ${paint.dim(`[${diagnostic.code}]`)}`;
  const lines = [head];
  const underline = diagnostic.severity === 'error' ? paint.red : diagnostic.severity === 'warning' ? paint.yellow : paint.cyan;
  if (diagnostic.span) lines.push(...renderSnippet(paint, diagnostic.span, underline));
  const indent = diagnostic.span ? ' '.repeat(String(positionOf(diagnostic.span.file, diagnostic.span.start).line).length) : '';
  if (diagnostic.hint) lines.push(`${indent} ${paint.blue('=')} ${paint.bold('help')}: ${diagnostic.hint}`);
  for (const note of diagnostic.notes ?? []) lines.push(`${indent} ${paint.blue('=')} ${paint.bold('note')}: ${note}`);
  for (const related of diagnostic.related ?? []) {
    lines.push(`${formatLocation(related.span)}: ${paint.bold(paint.blue('note'))}: ${related.message}`);
    lines.push(...renderSnippet(paint, related.span, paint.blue));
  }
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly PrintableDiagnostic[], options: FormatOptions): string {
  return diagnostics.map((d) => formatDiagnostic(d, options)).join('\n\n');
}
