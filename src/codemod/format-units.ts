/**
 * Which statements of a converted file prettier has to format. Formatting the
 * whole file cost more than tsc's check of the whole project; the codemod only
 * changes the statements around its call sites, and for a file prettier
 * already formatted, formatting just those statements gives the same text
 * (prettier prints each statement of a block on its own, at its block's
 * indentation). Anything this cannot vouch for (a blank line or comment the
 * edits touched outside a statement, a file that does not parse, a diff too
 * large to compute) asks for the whole file instead.
 */
import { ts } from './ts-morph.js';
import { lcsOps } from './diff.js';

/** A statement of the converted text, `start` at its first token, `end` after its last. */
export interface Unit {
  readonly start: number;
  readonly end: number;
}

/** Above this many cells (changed lines of one side times the other's), the line diff is not computed: the whole file is formatted. */
const MAX_DIFF_CELLS = 4_000_000;

/**
 * The block-level statements of `after` that differ from `before`, or
 * undefined when the whole file must be formatted.
 *
 *   changedStatements('a.ts', 'const a = 1;\nf(a);\n', 'const a = 1;\ng(a, 2);\n')  → [{ start: 13, end: 22 }]
 */
export function changedStatements(path: string, before: string, after: string): readonly Unit[] | undefined {
  const changes = changedLines(before, after);
  if (changes === undefined) return undefined;
  const file = ts.createSourceFile(path, after, ts.ScriptTarget.Latest, false, scriptKind(path));
  // The whole file's parse is prettier's check that the result is valid code: a file with syntax errors goes to it whole.
  const diagnostics = (file as unknown as { readonly parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  if (diagnostics === undefined || diagnostics.length > 0) return undefined;
  const units: Unit[] = [];
  for (const change of changes) {
    const found = unitsOf(file, change.start, change.end);
    if (found === undefined) return undefined;
    units.push(...found);
  }
  return outermost(units);
}

/** A run of changed lines of `after` (`start` at the first one's first character, `end` at the last one's end before its newline), or a point where lines were only removed (`start === end`). */
interface Change {
  readonly start: number;
  readonly end: number;
}

function changedLines(before: string, after: string): Change[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  if (midA.length * midB.length > MAX_DIFF_CELLS) return undefined;
  const offsets: number[] = [0];
  for (const line of b) offsets.push(offsets[offsets.length - 1]! + line.length + 1);
  const lineStart = (j: number): number => offsets[j]!;
  const changes: Change[] = [];
  let run: { from: number; to: number; added: boolean } | undefined;
  const close = (): void => {
    if (run === undefined) return;
    const start = lineStart(head + run.from);
    changes.push(run.added ? { start, end: lineStart(head + run.to) - 1 } : { start, end: start });
    run = undefined;
  };
  for (const op of lcsOps(midA, midB)) {
    if (op.op === ' ') {
      close();
      continue;
    }
    run ??= { from: op.b, to: op.b, added: false };
    if (op.op === '+') {
      run.to = op.b + 1;
      run.added = true;
    }
  }
  close();
  return changes;
}

/** The statement lists prettier prints one statement per line at one indentation. */
type Container = ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause;

function isContainer(node: ts.Node): node is Container {
  return ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node);
}

/**
 * The statements that cover the changed text `start..end`: the statements of
 * the innermost statement list around it, when everything else the change
 * touched is whitespace prettier would leave as it is; else the statement
 * owning that list (formatted whole); undefined when that list is the file's.
 */
function unitsOf(file: ts.SourceFile, start: number, end: number): Unit[] | undefined {
  const text = file.text;
  let low = start;
  while (low < end && /\s/.test(text[low]!)) low++;
  let high = end;
  while (high > low && /\s/.test(text[high - 1]!)) high--;
  if (low === high) [low, high] = [start, end];
  // The nodes from the file down to the innermost one around the change (the parse sets no parent links: they cost a quarter of it).
  const path: ts.Node[] = [];
  for (let node: ts.Node | undefined = file; node !== undefined; ) {
    path.push(node);
    node = ts.forEachChild(node, (child) => (child.getStart(file) <= low && high <= child.end ? child : undefined));
  }
  let at = 0;
  for (const [i, node] of path.entries()) if (isContainer(node) && contentStart(file, node) <= low && high <= contentEnd(node)) at = i;
  const covered = statementsCovering(file, path[at] as Container, start, end);
  if (covered !== undefined) return covered;
  // The statement whose body the list is: the nearest node above it that sits in a list itself.
  for (let j = at; j > 0; j--) {
    if (isContainer(path[j - 1]!)) return [{ start: path[j]!.getStart(file), end: path[j]!.end }];
  }
  return undefined;
}

/** Where a list's statements may start (after `{` or `case …:`). */
function contentStart(file: ts.SourceFile, list: Container): number {
  if (ts.isSourceFile(list)) return 0;
  if (ts.isBlock(list) || ts.isModuleBlock(list)) return list.getStart(file) + 1;
  return list.statements.pos;
}

/** Where a list's statements must end (before `}`). */
function contentEnd(list: Container): number {
  if (ts.isSourceFile(list)) return list.text.length;
  if (ts.isBlock(list) || ts.isModuleBlock(list)) return list.end - 1;
  return list.end;
}

/**
 * The statements of `list` that the change `start..end` overlaps, when the
 * change is nothing else but whitespace prettier keeps: line breaks between
 * statements with at most one empty line, and the indentation before a
 * statement. Undefined otherwise.
 */
function statementsCovering(file: ts.SourceFile, list: Container, start: number, end: number): Unit[] | undefined {
  const text = file.text;
  const point = start === end;
  const units: Unit[] = [];
  // The whitespace before each statement (from the list's start or the previous statement's end), and after the last.
  const gapOk = (from: number, until: number, inner: boolean): boolean => {
    if (point ? until < start || from > start : until <= start || from >= end) return true;
    const part = text.slice(Math.max(from, start), Math.min(until, end));
    if (/\S/.test(part)) return false;
    // Indentation before a statement, on a changed line.
    if (!point && !part.includes('\n') && (part === '' || (from < start && until <= end))) return true;
    if (ts.isSourceFile(list) && !inner) return false;
    if (ts.isCaseClause(list) || ts.isDefaultClause(list)) return false;
    return (inner ? /^\n\n?[ \t]*$/ : /^\n[ \t]*$/).test(text.slice(from, until));
  };
  let gapStart = contentStart(file, list);
  for (const [i, statement] of list.statements.entries()) {
    const s = statement.getStart(file);
    if (!gapOk(gapStart, s, i > 0)) return undefined;
    if (point ? s < start && start < statement.end : s < end && statement.end > start) units.push({ start: s, end: statement.end });
    gapStart = statement.end;
  }
  return gapOk(gapStart, contentEnd(list), false) ? units : undefined;
}

/** Units with those inside another dropped, in text order. */
function outermost(units: readonly Unit[]): Unit[] {
  const sorted = [...units].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Unit[] = [];
  for (const u of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && u.start < last.end) continue;
    out.push(u);
  }
  return out;
}

function scriptKind(path: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(path) || path.endsWith('.jsx')) return path.endsWith('.jsx') ? ts.ScriptKind.JSX : ts.ScriptKind.TSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
