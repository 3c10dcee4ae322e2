import { SyntaxKind } from './ts-morph.js';
import type { Node, SourceFile } from 'ts-morph';
import { requiresPg } from './commonjs.js';
import type { Finding } from './report.js';

/** A replacement of `start..end` of a file's text. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The edits with those inside another made in its text, so that none
 * overlaps another; undefined when one cannot be (`overlapFinding` then
 * reports them). A converted call's text holds verbatim copies of the
 * expressions it evaluates (its receiver, its arguments), and a client call
 * is never a literal folded away: an edit inside another is made where the
 * outer text holds its original text, when it holds it exactly once (twice
 * and it could not say which copy is which; not at all and the outer text
 * does not evaluate it).
 *
 *   // createClient().on('error', f).connect(): the construction inside the listener's receiver, inside connect()'s
 *   nestEdits(text, [createClient() → new pg.Pool(…), listener (kept), connect() → r2s.nodeRedisConnect(…)])
 *   → [{ …, text: 'r2s.nodeRedisConnect(new pg.Pool(…).on(\'error\', f))' }]
 */
export function nestEdits(source: string, edits: readonly Edit[]): Edit[] | undefined {
  // Outer edits before the edits inside them.
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Edit[] = [];
  for (let i = 0; i < sorted.length; ) {
    const outer = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.start < outer.end) j++;
    const inner = sorted.slice(i + 1, j);
    i = j;
    if (inner.length === 0) {
      out.push(outer);
      continue;
    }
    if (inner.some((e) => e.end > outer.end)) return undefined;
    const nested = nestEdits(source, inner);
    if (nested === undefined) return undefined;
    // Where the outer text holds each one's original text: once, and apart from the others.
    const places: Edit[] = [];
    for (const e of nested) {
      const original = source.slice(e.start, e.end);
      const at = outer.text.indexOf(original);
      if (at < 0 || outer.text.indexOf(original, at + 1) >= 0) return undefined;
      places.push({ start: at, end: at + original.length, text: e.text });
    }
    if (overlapping(places)) return undefined;
    out.push({ start: outer.start, end: outer.end, text: applyEdits(outer.text, places) });
  }
  return out;
}

function overlapping(edits: readonly Edit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  return sorted.some((e, i) => i > 0 && e.start < sorted[i - 1]!.end);
}

/**
 * Whether a file must be left as it was: a call site was reported (a file is
 * converted whole or not at all), or the file already uses the names the
 * converted code needs (`r2s`, and `pg` unless it imports pg itself). Adds
 * the findings that say so.
 *
 *   leftUnchanged(file, findings, report, 'ioredis') → true, findings + [… ioredis/file-untouched]
 */
export function leftUnchanged(
  file: SourceFile,
  findings: Finding[],
  report: (node: Node, rule: string, message: string) => void,
  client: 'ioredis' | 'node-redis',
): boolean {
  const pgImported = file.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === 'pg' && d.getDefaultImport()?.getText() === 'pg') || requiresPg(file);
  // An identifier's text is a slice of the file's: a file without the names spares the walk over every identifier.
  const text = file.getFullText();
  const taken = !text.includes('r2s') && (pgImported || !text.includes('pg'))
    ? undefined
    : file.getDescendantsOfKind(SyntaxKind.Identifier).find((id) => id.getText() === 'r2s' || (id.getText() === 'pg' && !pgImported));
  if (taken !== undefined) report(taken, 'codemod/name-taken', `the file already uses the name '${taken.getText()}', which the converted code needs`);
  const first = findings[0];
  if (first === undefined) return false;
  findings.push({
    path: file.getFilePath(),
    line: first.line,
    column: first.column,
    rule: `${client}/file-untouched`,
    message: `file left unchanged: a file is converted whole (every use of its ${client} clients) or not at all`,
  });
  return true;
}

/**
 * A finding for the first edit that overlaps another where `nestEdits`
 * could not make one inside the other; undefined when none do.
 */
export function overlapFinding(file: SourceFile, edits: readonly Edit[], client: 'ioredis' | 'node-redis'): Finding | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) {
      const { line, column } = file.getLineAndColumnAtPos(sorted[i - 1]!.start);
      return { path: file.getFilePath(), line, column, rule: `${client}/nested-call`, message: 'a client call in the receiver or arguments of this one cannot be converted in place (it is written twice, or the converted call does not evaluate it as written); file left unchanged' };
    }
  }
  return undefined;
}

/** `text` with the edits applied (they do not overlap: see `overlapFinding`). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
