/**
 * `redis2sql init vscode`: the VS Code tasks of redis2sql, written into the
 * workspace's `.vscode/tasks.json` or merged into the one that is there.
 *
 * tasks.json is JSONC (comments, trailing commas): it is edited with
 * jsonc-parser's `modify`, VS Code's own editing code, so the user's comments,
 * tasks and formatting survive; only our tasks (found by their label) are
 * added or replaced. A second run changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type ParseError } from 'jsonc-parser';
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import { Redis2SqlError, UsageError } from '../errors.js';
import type { CliIo } from './io.js';

/**
 * The report line of `redis2sql codemod` (src/codemod/report.ts), as a VS Code
 * problem matcher reads it: file, line, column, severity, message, rule id.
 * The message is greedy so that a `[` inside it stays in it; the rule id is
 * the last bracketed word.
 */
export const REPORT_REGEXP = '^(.+?):(\\d+):(\\d+): (warning|error): (.*) \\[([^\\]]+)\\]$';

/** The problem matcher of the codemod tasks: every reported call site goes to the Problems panel. */
export const PROBLEM_MATCHER = {
  owner: 'redis2sql',
  source: 'redis2sql',
  // Paths are relative to the working directory (the workspace), absolute outside it.
  fileLocation: ['autoDetect', '${workspaceFolder}'],
  pattern: { regexp: REPORT_REGEXP, file: 1, line: 2, column: 3, severity: 4, message: 5, code: 6 },
} as const;

export const TASK_LABELS = {
  translate: 'redis2sql: translate selection',
  check: 'redis2sql: codemod check',
  apply: 'redis2sql: codemod apply',
  schema: 'redis2sql: print schema',
} as const;

/**
 * Our four tasks, running `bin` (how redis2sql is started in this workspace).
 * The selection reaches translate through an environment variable and
 * stdin, never through the shell's parser: quotes, `$` and newlines in it are
 * data, and each selected line is translated as a redis-cli line.
 *
 *   vscodeTasks('redis2sql')[0]
 *   → { label: 'redis2sql: translate selection', type: 'shell',
 *       command: 'printf \'%s\\n\' "$REDIS2SQL_SELECTION" | redis2sql translate', … }
 */
export function vscodeTasks(bin: string): Record<string, unknown>[] {
  const cwd = { cwd: '${workspaceFolder}' };
  return [
    {
      label: TASK_LABELS.translate,
      detail: 'the PostgreSQL of the selected Redis command (each selected line is one command)',
      type: 'shell',
      command: `printf '%s\\n' "$REDIS2SQL_SELECTION" | ${bin} translate`,
      options: { ...cwd, env: { REDIS2SQL_SELECTION: '${selectedText}' } },
      presentation: { reveal: 'always', panel: 'dedicated', clear: true },
      problemMatcher: [],
    },
    {
      label: TASK_LABELS.check,
      detail: 'dry run of the codemod over the workspace: the diff, and every call site it leaves in the Problems panel',
      type: 'shell',
      command: `${bin} codemod .`,
      options: cwd,
      presentation: { reveal: 'always', panel: 'dedicated', clear: true },
      problemMatcher: PROBLEM_MATCHER,
    },
    {
      label: TASK_LABELS.apply,
      detail: 'rewrite the Redis call sites of the workspace into node-postgres calls (writes files)',
      type: 'shell',
      command: `${bin} codemod . --write`,
      options: cwd,
      presentation: { reveal: 'always', panel: 'dedicated', clear: true },
      problemMatcher: PROBLEM_MATCHER,
    },
    {
      label: TASK_LABELS.schema,
      detail: 'the DDL of the tables and functions redis2sql uses',
      type: 'shell',
      command: `${bin} schema`,
      options: cwd,
      presentation: { reveal: 'always', panel: 'dedicated', clear: true },
      problemMatcher: [],
    },
  ];
}

export type TaskAction = 'added' | 'updated' | 'unchanged';

export interface InitResult {
  readonly path: string;
  readonly created: boolean;
  readonly tasks: readonly { readonly label: string; readonly action: TaskAction }[];
}

/**
 * How the tasks start redis2sql: the workspace's own install when it has one
 * (no network, the version the project pins), else `redis2sql` on PATH.
 * Not `npx redis2sql`: without a local install npx asks the registry for
 * whatever package has that name.
 *
 *   defaultBin('/repo')  → 'node node_modules/redis2sql/bin/redis2sql.js' (installed) | 'redis2sql'
 */
export function defaultBin(workspace: string): string {
  return existsSync(join(workspace, 'node_modules', 'redis2sql', 'bin', 'redis2sql.js')) ? 'node node_modules/redis2sql/bin/redis2sql.js' : 'redis2sql';
}

/**
 * Write or merge `<workspace>/.vscode/tasks.json`.
 *
 *   initVscode('/repo')
 *   → { path: '/repo/.vscode/tasks.json', created: true, tasks: [{ label: 'redis2sql: translate selection', action: 'added' }, …] }
 */
export function initVscode(workspace: string, bin = defaultBin(workspace)): InitResult {
  const dir = join(workspace, '.vscode');
  const path = join(dir, 'tasks.json');
  const ours = vscodeTasks(bin);
  const created = !existsSync(path);
  let text = created
    ? '{\n  // Tasks of redis2sql: rerun `redis2sql init vscode` to update them; other tasks are left as they are.\n  "version": "2.0.0",\n  "tasks": []\n}\n'
    : fsCall(path, 'read', () => readFileSync(path, 'utf8'));
  const errors: ParseError[] = [];
  const doc = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (errors.length > 0) {
    const e = errors[0]!;
    const line = text.slice(0, e.offset).split('\n').length;
    throw new Redis2SqlError(`${path}:${line}: cannot read it as JSON with comments (${printParseErrorCode(e.error)}); left unchanged`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Redis2SqlError(`${path}: the top level is not an object; left unchanged`);
  const root = doc as { version?: unknown; tasks?: unknown };
  if (root.version !== undefined && root.version !== '2.0.0') {
    throw new Redis2SqlError(`${path}: tasks.json version ${JSON.stringify(root.version)} is not 2.0.0; left unchanged`);
  }
  if (root.tasks !== undefined && !Array.isArray(root.tasks)) throw new Redis2SqlError(`${path}: "tasks" is not an array; left unchanged`);

  const formatting = formattingOf(text);
  const edit = (path: (string | number)[], value: unknown, insert = false): void => {
    text = applyEdits(text, modify(text, path, value, { formattingOptions: formatting, ...(insert ? { isArrayInsertion: true } : {}) }));
  };
  if (root.version === undefined) edit(['version'], '2.0.0');
  if (root.tasks === undefined) edit(['tasks'], []);
  const existing = (root.tasks ?? []) as unknown[];
  let count = existing.length;
  const actions: { label: string; action: TaskAction }[] = [];
  for (const task of ours) {
    const label = task['label'] as string;
    const at = existing.findIndex((t) => typeof t === 'object' && t !== null && (t as { label?: unknown }).label === label);
    if (at < 0) {
      edit(['tasks', count++], task, true);
      actions.push({ label, action: 'added' });
    } else if (isDeepStrictEqual(existing[at], task)) {
      actions.push({ label, action: 'unchanged' });
    } else {
      edit(['tasks', at], task);
      actions.push({ label, action: 'updated' });
    }
  }
  if (created || actions.some((a) => a.action !== 'unchanged')) {
    const tmp = `${path}.redis2sql-${process.pid}.tmp`;
    fsCall(path, 'write', () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    });
  }
  return { path, created, tasks: actions };
}

/** A file system failure as an answer (exit 1, one line), not a bug. */
function fsCall<T>(path: string, verb: 'read' | 'write', f: () => T): T {
  try {
    return f();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    throw new Redis2SqlError(`cannot ${verb} ${path} (${code})`);
  }
}

/** Indent as the file does (its first indented line), so our edits look like the rest. */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

/**
 * `redis2sql init vscode [--dir D] [--command CMD] [--json]`.
 *
 *   redis2sql init vscode
 *   → created .vscode/tasks.json
 *       added     redis2sql: translate selection …
 */
export function registerInit(program: Command, io: CliIo): void {
  const init = program.command('init').description('set up an editor integration in a workspace');
  init
    .command('vscode')
    .description('write (or merge into) .vscode/tasks.json the tasks: translate selection, codemod check (Problems panel), codemod apply, print schema')
    .option('--dir <workspace>', 'the workspace folder', '.')
    .option('--command <cmd>', 'how the tasks start redis2sql (default: the workspace\'s node_modules install, else redis2sql on PATH)')
    .option('--json', 'print what was done as JSON', false)
    .action((opts: { dir: string; command?: string; json: boolean }) => {
      if (!existsSync(opts.dir)) throw new UsageError(`no such workspace folder: ${opts.dir}`);
      const result = initVscode(opts.dir, opts.command ?? defaultBin(opts.dir));
      if (opts.json) {
        io.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const rel = relative(process.cwd(), result.path);
      const shown = rel === '' || rel.startsWith('..') ? result.path : rel;
      io.stdout.write(`${result.created ? 'created' : 'merged into'} ${shown}\n`);
      for (const t of result.tasks) io.stdout.write(`  ${t.action.padEnd(9)} ${t.label}\n`);
    });
  // `init` alone: its help, and a usage error.
  init.action(() => {
    throw new UsageError('init what? `redis2sql init vscode`');
  });
}
