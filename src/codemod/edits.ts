import { SyntaxKind } from './ts-morph.js';
import type { Node, SourceFile } from 'ts-morph';
import { requiresPg } from './commonjs.js';
import type { Finding } from './report.js';

/** A replacement of `start..end` of a file's text. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * The part of `start..end` that `text` holds a verbatim copy of (a call's
   * receiver): edits inside it are made in that copy (`nestEdits`).
   */
  readonly receiver?: { readonly start: number; readonly end: number };
}

/** `edit` with `receiver`'s place as its receiver, when the edit replaces it with the rest of the call. */
export function withReceiver(edit: Edit, receiver: Node): Edit {
  return edit.start <= receiver.getStart() && receiver.getEnd() <= edit.end ? { ...edit, receiver: { start: receiver.getStart(), end: receiver.getEnd() } } : edit;
}

/**
 * The edits with those inside another's receiver made in the copy of the
 * receiver its text holds, so that none overlaps another; undefined when an
 * edit overlaps another otherwise, or its text does not hold its receiver's
 * text exactly once (`overlapFinding` then reports them).
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
    const r = outer.receiver;
    if (r === undefined || inner.some((e) => e.start < r.start || e.end > r.end)) return undefined;
    const original = source.slice(r.start, r.end);
    const at = outer.text.indexOf(original);
    if (at < 0 || outer.text.indexOf(original, at + 1) >= 0) return undefined;
    const nested = nestEdits(source, inner);
    if (nested === undefined) return undefined;
    const converted = applyEdits(original, nested.map((e) => ({ start: e.start - r.start, end: e.end - r.start, text: e.text })));
    out.push({ start: outer.start, end: outer.end, text: outer.text.slice(0, at) + converted + outer.text.slice(at + original.length) });
  }
  return out;
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
 * A finding for the first edit that overlaps another (a client call inside
 * another's arguments), which the codemod does not convert yet; undefined when none do.
 */
export function overlapFinding(file: SourceFile, edits: readonly Edit[], client: 'ioredis' | 'node-redis'): Finding | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) {
      const { line, column } = file.getLineAndColumnAtPos(sorted[i - 1]!.start);
      return { path: file.getFilePath(), line, column, rule: `${client}/nested-call`, message: 'a client call inside the arguments of another is not converted yet; file left unchanged' };
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
