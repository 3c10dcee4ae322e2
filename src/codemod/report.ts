/** One call site the codemod did not convert, and why. */
export interface Finding {
  readonly path: string;
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
  /** Stable id (`ioredis/pubsub`) that tooling can filter on. */
  readonly rule: string;
  readonly message: string;
}

/**
 * The report line compilers use, so that editors' problem matchers read it.
 *
 *   formatFinding({ path: 'src/a.ts', line: 3, column: 9, rule: 'ioredis/pubsub', message: 'pub/sub …' })
 *   → 'src/a.ts:3:9: warning: pub/sub … [ioredis/pubsub]'
 */
export function formatFinding(f: Finding): string {
  return `${f.path}:${f.line}:${f.column}: warning: ${f.message} [${f.rule}]`;
}

/**
 * Whether a finding is about a file as a whole (left unchanged because of
 * another finding, in it or in a file it shares clients with), not a call
 * site of its own: the summary does not count it as a site.
 */
export function isFileLevel(f: Finding): boolean {
  return f.rule.endsWith('/file-untouched') || f.rule === 'codemod/shared-client';
}
