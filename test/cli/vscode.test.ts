import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_MATCHER, TASK_LABELS, initVscode } from '../../src/cli/init.js';
import { formatFinding } from '../../src/codemod/index.js';
import { schemaSql } from '../../src/emit/schema/index.js';
import { runCli } from './run-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Task {
  label: string;
  type: string;
  command: string;
  options?: { cwd?: string; env?: Record<string, string> };
  problemMatcher?: typeof PROBLEM_MATCHER | [];
}

interface Problem {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  code: string;
}

let tmp: string;
/** A directory on PATH holding `redis2sql`, the CLI from source, as a global install would. */
let bin: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'redis2sql-vscode-'));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  writeFileSync(join(bin, 'redis2sql'), `#!/bin/sh\nexec node --import ${loader} ${join(ROOT, 'test/cli/redis2sql-bin.ts')} "$@"\n`);
  chmodSync(join(bin, 'redis2sql'), 0o755);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of the fixture workspace (its ioredis types come from our node_modules). */
function workspace(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(ROOT, 'fixtures/vscode/workspace'), dir, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function readTasks(dir: string): Task[] {
  return (parse(readFileSync(join(dir, '.vscode/tasks.json'), 'utf8')) as { tasks: Task[] }).tasks;
}

const task = (dir: string, label: string): Task => readTasks(dir).find((t) => t.label === label)!;

/**
 * Run a task as VS Code does: `${…}` variables resolved in the command and
 * options (an unknown one fails the test), the command given to the shell
 * with the task's cwd and env added to the environment.
 */
function runTask(t: Task, vars: { workspaceFolder: string; selectedText?: string }): { status: number | null; stdout: string; stderr: string } {
  const resolve = (s: string): string =>
    s.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = (vars as Record<string, string | undefined>)[name];
      if (v === undefined) throw new Error(`the task uses \${${name}}, which this test does not resolve`);
      return v;
    });
  expect(t.type).toBe('shell');
  const env = Object.fromEntries(Object.entries(t.options?.env ?? {}).map(([k, v]) => [k, resolve(v)]));
  const r = spawnSync('/bin/sh', ['-c', resolve(t.command)], {
    cwd: resolve(t.options?.cwd ?? '${workspaceFolder}'),
    env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, ...env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The problems a task's matcher finds in its output, with files resolved as `fileLocation` says. */
function problems(t: Task, output: string, workspaceFolder: string): Problem[] {
  const matcher = t.problemMatcher as typeof PROBLEM_MATCHER;
  expect(matcher.fileLocation).toEqual(['autoDetect', '${workspaceFolder}']);
  const re = new RegExp(matcher.pattern.regexp);
  const p = matcher.pattern;
  const out: Problem[] = [];
  for (const line of output.split('\n')) {
    const m = re.exec(line);
    if (m === null) continue;
    const file = m[p.file]!;
    out.push({
      file: isAbsolute(file) ? file : join(workspaceFolder, file),
      line: Number(m[p.line]),
      column: Number(m[p.column]),
      severity: m[p.severity]!,
      message: m[p.message]!,
      code: m[p.code]!,
    });
  }
  return out;
}

describe('redis2sql init vscode', () => {
  it('writes the four tasks into a new .vscode/tasks.json, and a second run changes nothing', async () => {
    const dir = workspace('fresh');
    const first = await runCli(['init', 'vscode', '--dir', dir, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: true, tasks: Object.values(TASK_LABELS).map((label) => ({ label, action: 'added' })) });
    const text = readFileSync(join(dir, '.vscode/tasks.json'), 'utf8');
    expect(readTasks(dir).map((t) => t.label)).toEqual(Object.values(TASK_LABELS));
    expect(task(dir, TASK_LABELS.check).command).toBe('redis2sql codemod .');
    const again = await runCli(['init', 'vscode', '--dir', dir]);
    expect(again.stdout).toMatch(/^merged into .*tasks\.json\n( {2}unchanged +redis2sql: .+\n){4}$/);
    expect(readFileSync(join(dir, '.vscode/tasks.json'), 'utf8')).toBe(text);
  });

  it('merges into an existing tasks.json: comments, the user\'s tasks and indentation survive; ours are updated, never duplicated', () => {
    const dir = join(tmp, 'merge');
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    const user = [
      '{',
      '\t// my build, keep it',
      '\t"version": "2.0.0",',
      '\t"tasks": [',
      '\t\t{ "label": "build", "type": "shell", "command": "make" }, /* inline */',
      '\t\t{ "label": "redis2sql: print schema", "type": "shell", "command": "old" },',
      '\t],',
      '}',
    ].join('\n');
    writeFileSync(join(dir, '.vscode/tasks.json'), user);
    const result = initVscode(dir, 'redis2sql');
    expect(result.tasks.map((t) => t.action)).toEqual(['added', 'added', 'added', 'updated']);
    const text = readFileSync(join(dir, '.vscode/tasks.json'), 'utf8');
    expect(text).toContain('// my build, keep it');
    expect(text).toContain('/* inline */');
    expect(text).toContain('\t\t{ "label": "build", "type": "shell", "command": "make" }');
    expect(text).not.toMatch(/^ +"/m);
    const tasks = readTasks(dir);
    expect(tasks.map((t) => t.label)).toEqual(['build', TASK_LABELS.schema, TASK_LABELS.translate, TASK_LABELS.check, TASK_LABELS.apply]);
    expect(tasks[1]!.command).toBe('redis2sql schema');
    // A task of ours changed by hand is put back; nothing else moves.
    writeFileSync(join(dir, '.vscode/tasks.json'), text.replace('redis2sql codemod . --write', 'redis2sql codemod src --write'));
    expect(initVscode(dir, 'redis2sql').tasks.filter((t) => t.action === 'updated').map((t) => t.label)).toEqual([TASK_LABELS.apply]);
    expect(readFileSync(join(dir, '.vscode/tasks.json'), 'utf8')).toBe(text);
    expect(initVscode(dir, 'redis2sql').tasks.every((t) => t.action === 'unchanged')).toBe(true);
  });

  it('adds version and tasks to a file without them, and starts redis2sql from the workspace install when there is one', () => {
    const dir = join(tmp, 'bare');
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/redis2sql/bin'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/redis2sql/bin/redis2sql.js'), '');
    writeFileSync(join(dir, '.vscode/tasks.json'), '{ "inputs": [] }\n');
    initVscode(dir);
    const doc = parse(readFileSync(join(dir, '.vscode/tasks.json'), 'utf8')) as { version: string; inputs: unknown[]; tasks: Task[] };
    expect(doc.version).toBe('2.0.0');
    expect(doc.inputs).toEqual([]);
    expect(doc.tasks.find((t) => t.label === TASK_LABELS.schema)?.command).toBe('node node_modules/redis2sql/bin/redis2sql.js schema');
  });

  it('leaves a tasks.json it cannot read as it was, exit 1; a missing folder is a usage error', async () => {
    const dir = join(tmp, 'broken');
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    for (const [text, why] of [
      ['{\n  "tasks": [\n    { "label": "x" \n  ]\n}', /tasks\.json:4: cannot read it as JSON with comments \(CommaExpected\)/],
      ['{ "version": "0.1.0", "tasks": [] }', /version "0\.1\.0" is not 2\.0\.0/],
      ['{ "version": "2.0.0", "tasks": {} }', /"tasks" is not an array/],
      ['[]', /top level is not an object/],
    ] as const) {
      writeFileSync(join(dir, '.vscode/tasks.json'), text);
      const r = await runCli(['init', 'vscode', '--dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(readFileSync(join(dir, '.vscode/tasks.json'), 'utf8')).toBe(text);
    }
    expect((await runCli(['init', 'vscode', '--dir', join(tmp, 'nowhere')])).code).toBe(2);
    // .vscode is a file, tasks.json a folder: one line, exit 1, no internal error.
    const odd = join(tmp, 'odd');
    mkdirSync(odd);
    writeFileSync(join(odd, '.vscode'), '');
    expect(await runCli(['init', 'vscode', '--dir', odd])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^redis2sql: cannot write .*tasks\.json \(E\w+\)\n$/) });
    rmSync(join(odd, '.vscode'));
    mkdirSync(join(odd, '.vscode/tasks.json'), { recursive: true });
    expect(await runCli(['init', 'vscode', '--dir', odd])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^redis2sql: cannot read .*tasks\.json \(EISDIR\)\n$/) });
    expect((await runCli(['init'])).code).toBe(2);
    expect((await runCli(['init', 'emacs'])).code).toBe(2);
  });
});

describe('the problem matcher', () => {
  it('reads a report line whose message has brackets of its own, and a path with spaces and colons', () => {
    const re = new RegExp(PROBLEM_MATCHER.pattern.regexp);
    const line = formatFinding({ path: 'src/a b:c/x.ts', line: 12, column: 5, rule: 'ioredis/call', message: 'call() [with args] is not converted' });
    const m = re.exec(line)!;
    const p = PROBLEM_MATCHER.pattern;
    expect([m[p.file], m[p.line], m[p.column], m[p.severity], m[p.message], m[p.code]]).toEqual([
      'src/a b:c/x.ts',
      '12',
      '5',
      'warning',
      'call() [with args] is not converted',
      'ioredis/call',
    ]);
  });
});

describe('the tasks, run as written from a workspace folder', { timeout: 600_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = workspace('run');
    expect((await runCli(['init', 'vscode', '--dir', dir])).code).toBe(0);
  });

  it('codemod check: every reported call site reaches the Problems panel at its file, line and column; nothing is written', () => {
    const before = readFileSync(join(dir, 'src/cache.ts'), 'utf8');
    const check = task(dir, TASK_LABELS.check);
    const run = runTask(check, { workspaceFolder: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--- a/src/cache.ts');
    expect(readFileSync(join(dir, 'src/cache.ts'), 'utf8')).toBe(before);

    // The same codemod's own JSON report, from the same folder.
    const json = spawnSync('/bin/sh', ['-c', 'redis2sql codemod . --report json'], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });
    const findings = (JSON.parse(json.stdout) as { findings: { path: string; line: number; column: number; rule: string; message: string }[] }).findings;
    expect(findings.length).toBeGreaterThanOrEqual(4);
    const found = problems(check, run.stdout, dir);
    expect(found).toEqual(
      findings.map((f) => ({ file: join(dir, f.path), line: f.line, column: f.column, severity: 'warning', message: f.message, code: f.rule })),
    );
    // Each position is the call site in the file (the start of the client expression).
    for (const p of found) {
      expect(existsSync(p.file)).toBe(true);
      const text = readFileSync(p.file, 'utf8').split('\n')[p.line - 1]!.slice(p.column - 1);
      expect(text, `${p.file}:${p.line}:${p.column}`).toMatch(/^(this\.)?redis\.\w+\(/);
    }
    expect(found.map((p) => p.code)).toEqual(expect.arrayContaining(['ioredis/pubsub', 'ioredis/blocking']));
    expect(found.some((p) => p.file.includes('with space'))).toBe(true);
  });

  it('translate selection: the selected lines, quotes and $ included, reach translate as they are', async () => {
    const selectedText = `SET greeting "it's \\"$HOME\\" \`pwd\`"\nGET greeting`;
    const run = runTask(task(dir, TASK_LABELS.translate), { workspaceFolder: dir, selectedText });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe((await runCli(['translate'], { stdin: `${selectedText}\n` })).stdout);
    expect(run.stdout).toContain(`-- SET greeting "it's \\"$HOME\\" \`pwd\`"\n`);
  });

  it('print schema: the DDL', () => {
    const run = runTask(task(dir, TASK_LABELS.schema), { workspaceFolder: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(schemaSql());
  });

  it('codemod apply: converts what converts, and the rest stays in the Problems panel', () => {
    const apply = task(dir, TASK_LABELS.apply);
    const run = runTask(apply, { workspaceFolder: dir });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'src/cache.ts'), 'utf8')).toContain('r2s.ioredis');
    const found = problems(apply, run.stdout, dir);
    expect(found.map((p) => p.code)).toEqual(expect.arrayContaining(['ioredis/pubsub', 'ioredis/blocking']));
    // Applied: a check now has no diff left to show.
    const check = runTask(task(dir, TASK_LABELS.check), { workspaceFolder: dir });
    expect(check.stdout).not.toContain('--- a/');
    expect(problems(task(dir, TASK_LABELS.check), check.stdout, dir)).toEqual(found);
  });
});
