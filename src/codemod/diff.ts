/**
 * A unified diff of two texts, by the longest common subsequence of their
 * lines (quadratic: fine for source files, which is all the codemod diffs).
 *
 *   unifiedDiff('a.ts', 'x\ny\n', 'x\nz\n')
 *   → '--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n'
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lcsOps(a, b);
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.op === ' ') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before the change to `context` after the last change within reach.
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end]!.op !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run]!.op === ' ') run++;
      if (run === ops.length || run - end > 2 * context) {
        end = Math.min(run, end + context);
        break;
      }
      end = run;
    }
    const slice = ops.slice(start, end);
    const first = ops[start]!;
    const aCount = slice.filter((o) => o.op !== '+').length;
    const bCount = slice.filter((o) => o.op !== '-').length;
    const aStart = aCount === 0 ? first.a : first.a + 1;
    const bStart = bCount === 0 ? first.b : first.b + 1;
    hunks.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@\n` + slice.map((o) => `${o.op}${o.line}\n`).join(''));
    i = end;
    start = end;
  }
  // git's a/ b/ prefixes for relative paths; an absolute path is shown as it is.
  const [from, to] = path.startsWith('/') ? [path, path] : [`a/${path}`, `b/${path}`];
  return `--- ${from}\n+++ ${to}\n${hunks.join('')}`;
}

export interface Op {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
  /** Lines of each side before this one. */
  readonly a: number;
  readonly b: number;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', line: a[i]!, a: i++, b: j++ });
    else if (i < n && (j === m || table[i + 1]![j]! >= table[i]![j + 1]!)) ops.push({ op: '-', line: a[i]!, a: i++, b: j });
    else ops.push({ op: '+', line: b[j]!, a: i, b: j++ });
  }
  return ops;
}
