/**
 * Which statements of a converted file prettier has to format. Formatting the
 * whole file cost more than tsc's check of the whole project; the codemod only
 * changes the statements around its call sites, and for a file prettier
 * already formatted, formatting just those statements gives the same text
 * (prettier prints each statement of a block on its own, at its block's
 * indentation). Anything this cannot vouch for (a blank line or comment the
 * edits touched outside a statement, a file that does not parse, a diff too
 * large to compute) asks for the whole file instead.
 *
 * The statements are those of the converted text. Parsing it again cost as
 * much as a tenth of a large run's main thread, so given the file as it was
 * parsed and the converter's replacements, its statements are read from the
 * original tree instead, their offsets moved past the replacements. That
 * holds as long as the replacements leave the statements around them as they
 * were: each is checked to (a replaced expression and its new text both
 * complete bracketed token sequences with no `;` of their own, which neither
 * join their statement to the one before or after it; replaced statements
 * parsed, alone, from the new text), and whatever is not checked so, or a
 * change inside a replacement's own text, has the converted text parsed as
 * before. Either way the converted text, outside the formatted statements, is
 * the original's, so a text that does not parse never has its statements
 * formatted as if it did: a replaced statement's new text that does not parse
 * has the whole text parsed, and that reports it.
 */
import type { ts as Ts } from 'ts-morph';
import { ts } from './ts-morph.js';
import type { Edit } from './edits.js';
import { lcsOps } from './diff.js';

/** A statement of the converted text, `start` at its first token, `end` after its last. */
export interface Unit {
  readonly start: number;
  readonly end: number;
}

/** The file a converted text was made from: its tree as parsed (its text is the text before), and the converter's replacements in it. */
export interface Original {
  readonly tree: ts.SourceFile;
  /** Replacements of the original text; the converted text may differ from them applied elsewhere too (imports added and dropped), between whole statements. */
  readonly edits: readonly Edit[];
}

/** Above this many cells (changed lines of one side times the other's), the line diff is not computed: the whole file is formatted. */
const MAX_DIFF_CELLS = 4_000_000;

/**
 * The block-level statements of `after` that differ from `before`, or
 * undefined when the whole file must be formatted. Given `original` (the tree
 * `before` was parsed into, and the edits that made `after`), `after` is not
 * parsed unless the edits' neighbourhood asks for it.
 *
 *   changedStatements('a.ts', 'const a = 1;\nf(a);\n', 'const a = 1;\ng(a, 2);\n')  → [{ start: 13, end: 22 }]
 */
export function changedStatements(path: string, before: string, after: string, original?: Original): readonly Unit[] | undefined {
  const changes = changedLines(before, after);
  if (changes === undefined) return undefined;
  if (original !== undefined && original.tree.text === before) {
    const view = editedView(path, original, after);
    const units = view === undefined ? UNKNOWN : unitsIn(view, changes);
    if (units !== UNKNOWN) return units;
  }
  const file = ts.createSourceFile(path, after, ts.ScriptTarget.Latest, false, scriptKind(path));
  // The whole file's parse is prettier's check that the result is valid code: a file with syntax errors goes to it whole.
  if (parseErrors(file)) return undefined;
  const units = unitsIn(treeView(file, [], [], new Map()), changes);
  return units === UNKNOWN ? undefined : units;
}

/** The view could not say (a change inside a replacement's text): the converted text is parsed. */
const UNKNOWN = Symbol('unknown');

function unitsIn(view: View, changes: readonly Change[]): readonly Unit[] | undefined | typeof UNKNOWN {
  const units: Unit[] = [];
  for (const change of changes) {
    const found = unitsOf(view, change.start, change.end);
    if (found === UNKNOWN || found === undefined) return found;
    units.push(...found);
  }
  return outermost(units);
}

function parseErrors(file: ts.SourceFile): boolean {
  const diagnostics = (file as unknown as { readonly parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  return diagnostics === undefined || diagnostics.length > 0;
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

/** A statement list of the converted text: where its statements may start and must end, and its statements. */
interface List {
  readonly kind: 'file' | 'block' | 'clause';
  readonly start: number;
  readonly end: number;
  statements(): readonly Unit[];
}

/** A node of the converted text: its first token's start, its end, and its statements when it is a statement list. */
interface Step {
  readonly start: number;
  readonly end: number;
  readonly list: List | undefined;
}

/** The converted text's statement structure, as far as the units need it. */
interface View {
  readonly text: string;
  /** The nodes from the file down to the innermost one around `low..high`, or UNKNOWN. */
  path(low: number, high: number): Step[] | typeof UNKNOWN;
}

/**
 * The statements that cover the changed text `start..end`: the statements of
 * the innermost statement list around it, when everything else the change
 * touched is whitespace prettier would leave as it is; else the statement
 * owning that list (formatted whole); undefined when that list is the file's.
 */
function unitsOf(view: View, start: number, end: number): Unit[] | undefined | typeof UNKNOWN {
  const text = view.text;
  let low = start;
  while (low < end && /\s/.test(text[low]!)) low++;
  let high = end;
  while (high > low && /\s/.test(text[high - 1]!)) high--;
  if (low === high) [low, high] = [start, end];
  const path = view.path(low, high);
  if (path === UNKNOWN) return UNKNOWN;
  let at = 0;
  for (const [i, step] of path.entries()) if (step.list !== undefined && step.list.start <= low && high <= step.list.end) at = i;
  const covered = statementsCovering(text, path[at]!.list!, start, end);
  if (covered !== undefined) return covered;
  // The statement whose body the list is: the nearest node above it that sits in a list itself.
  for (let j = at; j > 0; j--) {
    if (path[j - 1]!.list !== undefined) return [{ start: path[j]!.start, end: path[j]!.end }];
  }
  return undefined;
}

/**
 * The statements of `list` that the change `start..end` overlaps, when the
 * change is nothing else but whitespace prettier keeps: line breaks between
 * statements with at most one empty line, and the indentation before a
 * statement. Undefined otherwise.
 */
function statementsCovering(text: string, list: List, start: number, end: number): Unit[] | undefined {
  const point = start === end;
  const units: Unit[] = [];
  // The whitespace before each statement (from the list's start or the previous statement's end), and after the last.
  const gapOk = (from: number, until: number, inner: boolean): boolean => {
    if (point ? until < start || from > start : until <= start || from >= end) return true;
    const part = text.slice(Math.max(from, start), Math.min(until, end));
    if (/\S/.test(part)) return false;
    // Indentation before a statement, on a changed line.
    if (!point && !part.includes('\n') && (part === '' || (from < start && until <= end))) return true;
    if (list.kind === 'file' && !inner) return false;
    if (list.kind === 'clause') return false;
    return (inner ? /^\n\n?[ \t]*$/ : /^\n[ \t]*$/).test(text.slice(from, until));
  };
  let gapStart = list.start;
  for (const [i, statement] of list.statements().entries()) {
    const s = statement.start;
    if (!gapOk(gapStart, s, i > 0)) return undefined;
    if (point ? s < start && start < statement.end : s < end && statement.end > start) units.push({ start: s, end: statement.end });
    gapStart = statement.end;
  }
  return gapOk(gapStart, list.end, false) ? units : undefined;
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

/** An edit placed in both texts: `start..end` of the original, `from..to` of the converted text. */
interface Placed {
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

/** Statements of a list replaced whole (`start..end` of the original, from the end of the statement before to the start of the one after), parsed from their new text, which starts at `at`. */
interface Region {
  readonly start: number;
  readonly end: number;
  readonly tree: ts.SourceFile;
  readonly at: number;
}

/** A node of the view: of the original tree (`region` undefined), or of a region's tree. */
interface Place {
  readonly node: ts.Node;
  readonly region: Region | undefined;
}

/**
 * The converted text's structure read from a tree: the original's, its
 * offsets moved past `edits` (placed, in text order), the statements of the
 * lists in `regions` replaced by those parsed from their new text; or, with
 * no edits, the converted text's own tree.
 */
function treeView(tree: ts.SourceFile, edits: readonly Placed[], opaque: readonly Placed[], regions: ReadonlyMap<ts.Node, readonly Region[]>, text = tree.text): View {
  // Where an original offset is in the converted text: past the edits before it (`after`: and those inserted at it).
  const moved = (pos: number, after: boolean): number => {
    let shift = 0;
    for (const e of edits) {
      if (e.end < pos || (e.end === pos && (after || e.start < pos))) shift = e.to - e.end;
      else break;
    }
    return pos + shift;
  };
  const startOf = (p: Place): number => (p.region === undefined ? moved(p.node.getStart(tree), true) : p.node.getStart(p.region.tree) + p.region.at);
  const endOf = (p: Place): number => (p.region === undefined ? moved(p.node.end, false) : p.node.end + p.region.at);
  // The children of a node, those a region replaced by the region's statements, and those an edit replaced or cut by their extent in the converted text.
  const children = (p: Place, low: number, high: number): Place[] | typeof UNKNOWN => {
    const out: Place[] = [];
    const mine = p.region === undefined ? regions.get(p.node) : undefined;
    let next = 0;
    let unknown = false;
    const take = (until: number): void => {
      for (; mine !== undefined && next < mine.length && mine[next]!.start <= until; next++) {
        for (const s of mine[next]!.tree.statements) out.push({ node: s, region: mine[next] });
      }
    };
    ts.forEachChild(p.node, (child) => {
      if (unknown) return true;
      if (p.region !== undefined) {
        out.push({ node: child, region: p.region });
        return undefined;
      }
      const start = child.getStart(tree);
      take(start);
      if (mine?.some((r) => r.start <= start && child.end <= r.end)) return undefined;
      for (const e of edits) {
        if (e.start >= child.end) break;
        const inside = e.start === e.end ? start < e.start && e.start < child.end : start < e.end && e.start < child.end;
        if (!inside || (start <= e.start && e.end <= child.end)) continue;
        // Replaced by the edit (its text checked in path()), or cut by it: what stands there now is unknown, and may hold the change only within this extent.
        const cut = start < e.start || e.end < child.end;
        if (cut && Math.min(moved(start, true), e.from) <= low && high <= Math.max(moved(child.end, false), e.to)) unknown = true;
        return undefined;
      }
      out.push({ node: child, region: undefined });
      return undefined;
    });
    take(Number.POSITIVE_INFINITY);
    return unknown ? UNKNOWN : out;
  };
  const listOf = (p: Place): List | undefined => {
    const node = p.node;
    if (!isContainer(node)) return undefined;
    const region = p.region;
    const kind = ts.isSourceFile(node) ? 'file' : ts.isBlock(node) || ts.isModuleBlock(node) ? 'block' : 'clause';
    const start = kind === 'file' ? 0 : kind === 'block' ? startOf(p) + 1 : region === undefined ? moved(node.statements.pos, false) : node.statements.pos + region.at;
    const end = kind === 'file' ? text.length : kind === 'block' ? endOf(p) - 1 : endOf(p);
    return {
      kind,
      start,
      end,
      statements: () => {
        const statements: Unit[] = [];
        const mine = region === undefined ? regions.get(node) : undefined;
        let next = 0;
        const take = (until: number): void => {
          for (; mine !== undefined && next < mine.length && mine[next]!.start <= until; next++) {
            for (const s of mine[next]!.tree.statements) statements.push({ start: s.getStart(mine[next]!.tree) + mine[next]!.at, end: s.end + mine[next]!.at });
          }
        };
        for (const s of (node as Container).statements) {
          const place = { node: s, region };
          if (region === undefined) {
            const start = s.getStart(tree);
            take(start);
            if (mine?.some((r) => r.start <= start && s.end <= r.end)) continue;
          }
          statements.push({ start: startOf(place), end: endOf(place) });
        }
        take(Number.POSITIVE_INFINITY);
        return statements;
      },
    };
  };
  const step = (p: Place): Step => ({ start: startOf(p), end: endOf(p), list: listOf(p) });
  return {
    text,
    path(low, high) {
      // Inside a replacement's text (not the whole of it, whose node is no statement list), the converted text's own nodes are not known here.
      for (const e of opaque) if (e.from <= low && high <= e.to && (e.from < low || high < e.to)) return UNKNOWN;
      let place: Place | undefined = { node: tree, region: undefined };
      const path: Step[] = [];
      while (place !== undefined) {
        path.push(step(place));
        const found = children(place, low, high);
        if (found === UNKNOWN) return UNKNOWN;
        place = found.find((c) => startOf(c) <= low && high <= endOf(c));
      }
      return path;
    },
  };
}

/**
 * The converted text's structure from the original tree and the edits, or
 * undefined when the edits do not make `after` from the original text, or
 * change it in ways this does not check.
 */
function editedView(path: string, original: Original, after: string): View | undefined {
  const tree = original.tree;
  const before = tree.text;
  const edits = [...original.edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) if (edits[i]!.start < edits[i - 1]!.end) return undefined;
  // What the edits do not say (the imports added and dropped): one span of the text they make that differs from `after`, taken as one more edit where it lies outside theirs.
  // The text they make is these pieces; compared with `after` piece by piece from each end.
  const pieces: string[] = [];
  let pos = 0;
  for (const e of edits) {
    pieces.push(before.slice(pos, e.start), e.text);
    pos = e.end;
  }
  pieces.push(before.slice(pos));
  const length = pieces.reduce((n, p) => n + p.length, 0);
  const most = Math.min(length, after.length);
  let head = 0;
  let k = 0;
  for (; k < pieces.length && after.startsWith(pieces[k]!, head); k++) head += pieces[k]!.length;
  if (k < pieces.length) head += common(pieces[k]!, most - head, (n) => after.startsWith(pieces[k]!.slice(0, n), head));
  let all = edits;
  if (head !== length || length !== after.length) {
    let tail = 0;
    let j = pieces.length - 1;
    for (; j >= 0 && tail + pieces[j]!.length <= most - head && after.endsWith(pieces[j]!, after.length - tail); j--) tail += pieces[j]!.length;
    if (j >= 0) tail += common(pieces[j]!, most - head - tail, (n) => after.endsWith(pieces[j]!.slice(pieces[j]!.length - n), after.length - tail));
    const made = { length };
    // That span in the original text: past the edits before it, in no edit.
    let shift = 0;
    let i = 0;
    for (; i < edits.length; i++) {
      const e = edits[i]!;
      const from = e.start + shift;
      const to = from + e.text.length;
      if (to <= head && !(to === head && e.start === e.end)) shift = to - e.end;
      else if (from >= made.length - tail) break;
      else return undefined;
    }
    const extra = { start: head - shift, end: made.length - tail - shift, text: after.slice(head, after.length - tail) };
    all = [...edits.slice(0, i), extra, ...edits.slice(i)];
  }
  const placed: Placed[] = [];
  let shift = 0;
  for (const e of all) {
    placed.push({ start: e.start, end: e.end, from: e.start + shift, to: e.start + shift + e.text.length });
    shift += e.text.length - (e.end - e.start);
  }
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, /\.[cm]?[jt]sx$/.test(path) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  // Each edit replaces an expression (or part of one) inside one statement, checked; or else the statements around it, parsed.
  const spans = new Map<Container, { start: number; end: number }[]>();
  const opaque: Placed[] = [];
  for (const [i, e] of all.entries()) {
    const where = listAround(tree, e.start, e.end);
    const at = where.statements.findIndex((s) => s.getStart(tree) <= e.start && e.end <= s.end && (e.start < e.end || (s.getStart(tree) < e.start && e.start < s.end)));
    if (at >= 0 && inPlace(scanner, before, where.statements[at]!, tree, e)) {
      opaque.push(placed[i]!);
      continue;
    }
    // The statements it touches, from the end of the statement before them to the start of the one after.
    const touched = where.statements.filter((s) => (e.start === e.end ? s.getStart(tree) < e.start && e.start < s.end : s.getStart(tree) < e.end && e.start < s.end));
    const first = touched[0] === undefined ? where.statements.findIndex((s) => s.getStart(tree) >= e.end) : where.statements.indexOf(touched[0]);
    const last = touched.length === 0 ? first - 1 : where.statements.indexOf(touched[touched.length - 1]!);
    const prev = first < 0 ? where.statements.length - 1 : first - 1;
    const start = prev >= 0 ? where.statements[prev]!.end : contentStart(tree, where.list);
    const end = last + 1 < where.statements.length && last + 1 >= 0 ? where.statements[last + 1]!.getStart(tree) : contentEnd(where.list);
    const list = spans.get(where.list) ?? [];
    list.push({ start, end });
    spans.set(where.list, list);
  }
  const regions = new Map<ts.Node, Region[]>();
  for (const [list, found] of spans) {
    // Touching spans are one.
    const merged: { start: number; end: number }[] = [];
    for (const s of found.sort((a, b) => a.start - b.start)) {
      const last = merged[merged.length - 1];
      if (last !== undefined && s.start <= last.end) last.end = Math.max(last.end, s.end);
      else merged.push({ ...s });
    }
    const statements = list.statements;
    const made: Region[] = [];
    for (const { start, end } of merged) {
      // A statement list's end after its last statement is the end of that statement: the converted text would not say whether statements inserted there belong to it.
      if (start === end && !ts.isSourceFile(list) && !ts.isBlock(list) && !ts.isModuleBlock(list)) return undefined;
      const from = place(placed, start, false);
      const to = place(placed, end, true);
      if (from < 0 || to < from) return undefined;
      const region = ts.createSourceFile(path, after.slice(from, to), ts.ScriptTarget.Latest, false, scriptKind(path));
      if (parseErrors(region)) return undefined;
      // The statement before and the region's last (or, when it has none, the statement before and the one after) must end where they did: each is closed.
      const prev = statements.filter((s) => s.end <= start).at(-1);
      if (prev !== undefined && !closed(prev, tree)) return undefined;
      const last = region.statements.at(-1);
      if (last !== undefined && !closed(last, region)) return undefined;
      made.push({ start, end, tree: region, at: from });
    }
    regions.set(list, made);
  }
  // Regions inside another region's statements are part of it, and so are the edits in them.
  for (const list of [...regions.keys()]) {
    if ([...regions].some(([other, theirs]) => other !== list && theirs.some((r) => r.start <= list.pos && list.end <= r.end))) regions.delete(list);
  }
  const kept = opaque.filter((e) => ![...regions.values()].some((made) => made.some((r) => r.start <= e.start && e.end <= r.end)));
  return treeView(tree, placed, kept, regions, after);
}

/** The most characters (of `piece`, at most `room`) that `same(n)` holds for, by bisection: it holds for every n up to that. */
function common(piece: string, room: number, same: (n: number) => boolean): number {
  let low = 0;
  let high = Math.min(piece.length, room);
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (same(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Where an original offset outside the edits is in the converted text (`after`: past those inserted at it). */
function place(edits: readonly Placed[], pos: number, after: boolean): number {
  let shift = 0;
  for (const e of edits) {
    if (e.end < pos || (e.end === pos && (after || e.start < pos))) shift = e.to - e.end;
    else if (e.start < pos) return -1;
    else break;
  }
  return pos + shift;
}

/** The innermost statement list of the original whose statements' room holds `start..end`. */
function listAround(tree: ts.SourceFile, start: number, end: number): { readonly list: Container; readonly statements: readonly Ts.Statement[] } {
  let list: Container = tree;
  let node: ts.Node | undefined = tree;
  while (node !== undefined) {
    if (isContainer(node) && contentStart(tree, node) <= start && end <= contentEnd(node)) list = node;
    // (A child's start is after its leading trivia, from `pos`: the cheap tests first.)
    node = ts.forEachChild(node, (child) =>
      child.pos <= start && end <= child.end && child.getStart(tree) <= start && !(start === end && (start === child.getStart(tree) || start === child.end)) ? child : undefined,
    );
  }
  return { list, statements: list.statements };
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

/** Tokens after which no statement goes on: a `;`, a block's `}`, a declaration's end. */
function closed(statement: ts.Node, tree: ts.SourceFile): boolean {
  if (tree.text.charCodeAt(statement.end - 1) === 0x3b) return true;
  return (
    ts.isImportDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement) ||
    ts.isBlock(statement)
  );
}

type Scanner = ReturnType<typeof ts.createScanner>;

/**
 * Whether a text is a complete token sequence: every bracket closed in
 * order, every string, template and comment closed, no `;` outside brackets,
 * nothing but tokens at its ends. A `/` other than a comment's is read as
 * division (as a scanner does without a parser's context): a regular
 * expression's brackets or quotes may make a text read as incomplete, never
 * the other way round for the brackets prettier's wrappers could close.
 * The lexer jumps from one bracket, quote or comment to the next; strings,
 * mostly SQL in the codemod's edits, are skipped by a regular expression.
 */
function complete(text: string): boolean {
  if (text.length === 0 || /\s/.test(text[0]!) || /\s/.test(text[text.length - 1]!) || /^\/[/*]/.test(text)) return false;
  const next = /[()[\]{};'"`]|\/[/*]/g;
  const single = /'(?:[^'\\\n]|\\[\s\S])*'/y;
  const double = /"(?:[^"\\\n]|\\[\s\S])*"/y;
  // A template's text up to its end or its next substitution.
  const template = /(?:[^`\\$]|\\[\s\S]|\$(?!\{))*(`|\$\{)/y;
  const open: string[] = [];
  const skip = (re: RegExp, from: number): RegExpExecArray | null => {
    re.lastIndex = from;
    const m = re.exec(text);
    if (m !== null) next.lastIndex = re.lastIndex;
    return m;
  };
  const rest = (from: number): boolean => {
    const m = skip(template, from);
    if (m === null) return false;
    if (m[1] === '${') open.push('${');
    return true;
  };
  for (let m = next.exec(text); m !== null; m = next.exec(text)) {
    const at = m.index;
    switch (m[0]) {
      case '(':
      case '[':
      case '{':
        open.push(m[0]);
        break;
      case ')':
        if (open.pop() !== '(') return false;
        break;
      case ']':
        if (open.pop() !== '[') return false;
        break;
      case '}': {
        const top = open.pop();
        if (top === '${') {
          if (!rest(at + 1)) return false;
        } else if (top !== '{') return false;
        break;
      }
      case ';':
        if (open.length === 0) return false;
        break;
      case "'":
        if (skip(single, at) === null) return false;
        break;
      case '"':
        if (skip(double, at) === null) return false;
        break;
      case '`':
        if (!rest(at + 1)) return false;
        break;
      case '//': {
        const line = text.indexOf('\n', at);
        if (line < 0) return false;
        next.lastIndex = line;
        break;
      }
      default: {
        const close = text.indexOf('*/', at + 2);
        if (close < 0 || close + 2 === text.length) return false;
        next.lastIndex = close + 2;
      }
    }
  }
  return open.length === 0;
}

/** The kind of a text's first token. */
function firstToken(scanner: Scanner, text: string): Ts.SyntaxKind {
  scanner.setText(text);
  return scanner.scan();
}

/**
 * Whether an edit inside `statement` leaves the statements as they were: the
 * replaced text and the new one are complete token sequences (an expression,
 * or a part of one whose brackets close), the new text does not start with
 * `{` (a block where a body starts), and where it starts or ends the
 * statement, it starts with a name or the same token, and ends with a name,
 * `)`, `]` or the same character (no other statement runs into it, nor it
 * into the next).
 */
function inPlace(scanner: Scanner, before: string, statement: Ts.Statement, tree: ts.SourceFile, e: Edit): boolean {
  if (e.start === e.end || e.text.startsWith('{')) return false;
  const old = before.slice(e.start, e.end);
  if (!complete(old) || !complete(e.text)) return false;
  if (e.start === statement.getStart(tree)) {
    const first = firstToken(scanner, e.text);
    if (first !== ts.SyntaxKind.Identifier && first !== firstToken(scanner, old)) return false;
  }
  const name = (c: string): boolean => /[\w$)\]]/.test(c);
  if (e.end === statement.end && old.at(-1) !== e.text.at(-1) && !(name(old.at(-1)!) && name(e.text.at(-1)!))) return false;
  return true;
}

function scriptKind(path: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(path) || path.endsWith('.jsx')) return path.endsWith('.jsx') ? ts.ScriptKind.JSX : ts.ScriptKind.TSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
