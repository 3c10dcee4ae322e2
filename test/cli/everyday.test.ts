import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandPath } from '../../src/cli/help.js';
import { monitorEntries } from '../../src/monitor/parse.js';
import { runCli } from './run-cli.js';

const DIR = fileURLToPath(new URL('../../fixtures/monitor/', import.meta.url));

/** Every command path of the CLI (`translate`, `init vscode`…), read from the program's --help. */
async function commandPaths(): Promise<string[]> {
  const paths: string[] = [];
  const visit = async (prefix: string[]): Promise<void> => {
    const help = (await runCli([...prefix, '--help'])).stdout;
    const section = help.split(/^Commands:\n/m)[1] ?? '';
    for (const m of section.matchAll(/^ {2}([a-z][\w-]*)/gm)) {
      if (m[1] === 'help') continue;
      paths.push([...prefix, m[1]!].join(' '));
      await visit([...prefix, m[1]!]);
    }
  };
  await visit([]);
  return paths;
}

describe('--help', () => {
  it('has examples for the program and every command, and exits 0', async () => {
    const paths = await commandPaths();
    expect(paths).toEqual(expect.arrayContaining(['translate', 'schema', 'exec', 'commands', 'lua', 'codemod', 'analyze', 'init', 'init vscode']));
    for (const path of ['', ...paths]) {
      const r = await runCli([...(path === '' ? [] : path.split(' ')), '--help']);
      expect(r.code, path).toBe(0);
      expect(r.stdout, path).toMatch(/\nExamples:\n( {2}\$ .+\n)+/);
      expect(r.stdout, path).toContain(`$ redis2sql ${path}`);
    }
  });
  it('names commands by their path', () => {
    const fake = { name: () => 'vscode', parent: { name: () => 'init', parent: { name: () => 'redis2sql', parent: null } } } as unknown as Command;
    expect(commandPath(fake)).toBe('init vscode');
  });
});

describe('--json wherever a program reads the output', () => {
  it('translate, commands, analyze, codemod and init vscode print JSON', async () => {
    expect(JSON.parse((await runCli(['translate', '--format', 'json', 'GET k'])).stdout)).toMatchObject({ command: 'GET' });
    expect(Array.isArray(JSON.parse((await runCli(['commands', '--json'])).stdout))).toBe(true);
    expect(JSON.parse((await runCli(['analyze', '--json', '--from', 'lines'], { stdin: 'GET k\n' })).stdout)).toHaveProperty('commands');
    // Options that print JSON are named in --help.
    for (const [cmd, option] of [['translate', 'json'], ['commands', '--json'], ['analyze', '--json'], ['codemod', '--json'], ['init vscode', '--json'], ['exec', '--json'], ['lua', '--json']] as const) {
      expect((await runCli([...cmd.split(' '), '--help'])).stdout).toContain(option);
    }
  });
});

describe('lua --json', () => {
  it('prints the compiled function, or the refusal with its position, as one JSON object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis2sql-lua-json-'));
    try {
      writeFileSync(join(dir, 'ok.lua'), "return redis.call('GET', KEYS[1])\n");
      writeFileSync(join(dir, 'bad.lua'), "local co = coroutine.create(function() end)\nreturn 1\n");
      const ok = await runCli(['lua', '--json', join(dir, 'ok.lua')]);
      const text = await runCli(['lua', join(dir, 'ok.lua')]);
      const json = JSON.parse(ok.stdout) as { file: string; sha: string; ddl: string };
      expect(ok.code).toBe(0);
      expect(`-- sha1 ${json.sha}\n${json.ddl}\n`).toBe(text.stdout);
      const bad = await runCli(['lua', '--json', join(dir, 'bad.lua')]);
      const plain = await runCli(['lua', join(dir, 'bad.lua')]);
      expect(bad.code).toBe(1);
      const err = JSON.parse(bad.stdout) as { file: string; line: number; column: number; error: string };
      expect(plain.stderr).toBe(`redis2sql: ${err.file}:${err.line}:${err.column}: ${err.error}\n`);
      expect(err.line).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('commands', () => {
  it('colours the status on a terminal only, and never with NO_COLOR', async () => {
    const plain = await runCli(['commands']);
    const tty = await runCli(['commands'], { stdoutTTY: true });
    expect(tty.stdout).toMatch(/^GET +string +\x1b\[32mtranslated/m);
    expect(tty.stdout).toMatch(/\x1b\[31mrefused/);
    expect(tty.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain.stdout);
    expect((await runCli(['commands'], { stdoutTTY: true, env: { NO_COLOR: 'yes' } })).stdout).toBe(plain.stdout);
    expect((await runCli(['commands'], { stdoutTTY: true, env: { TERM: 'dumb' } })).stdout).toBe(plain.stdout);
  });
});

describe('translate --from monitor', () => {
  const file = join(DIR, 'workload.monitor');
  const clientCommands = [...monitorEntries(readFileSync(file))].filter((i) => 'entry' in i && !i.entry.fromScript).length;

  it('translates every command a client sent, one JSON line each, and reports the refused ones', async () => {
    const r = await runCli(['translate', '--from', 'monitor', '--format', 'json', file]);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { input: string; error?: string; command?: string });
    // MULTI … EXEC is one transaction: BEGIN, a savepoint pair around each command, COMMIT.
    const transactionExtra = lines.filter((l) => l.command === 'SAVEPOINT' || l.command === 'RELEASE SAVEPOINT').length;
    expect(lines.length - transactionExtra).toBe(clientCommands);
    expect(lines.filter((l) => l.error !== undefined).map((l) => l.input.split(' ')[0])).toEqual(['CLIENT', 'OBJECT', 'INFO', 'GEOADD']);
    expect(lines.find((l) => l.input === 'MULTI')).toMatchObject({ command: 'MULTI', sql: 'BEGIN' });
    expect(r.code).toBe(1);
  });

  it('reads a capture from stdin or --file, with line numbers on stderr and a progress bar only on a terminal', async () => {
    const capture = readFileSync(join(DIR, 'escapes.monitor'));
    const piped = await runCli(['translate', '--from', 'monitor'], { stdin: capture });
    const viaFile = await runCli(['translate', '--from', 'monitor', '--file', join(DIR, 'escapes.monitor')]);
    expect(piped).toEqual(viaFile);
    const refusedLines = [...piped.stderr.matchAll(/^redis2sql: line (\d+): /gm)].map((m) => Number(m[1]));
    const text = capture.toString('latin1').split('\n');
    expect(refusedLines.map((n) => text[n - 1]!.split('"')[1])).toEqual(['SELECT', 'GET']);
    expect(piped.stderr).toMatch(/line \d+: database 3: SELECT: only database 0/);
    const json = await runCli(['translate', '--from', 'monitor', '--format', 'json'], { stdin: capture });
    const inDb3 = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { input: string; error?: string }).filter((l) => l.error?.startsWith('database 3: '));
    expect(inDb3.map((l) => l.input)).toEqual(['SELECT 3', 'GET "db3 key"']);
    // The script's own commands are compiled with its EVAL, not translated again.
    expect(piped.stdout.match(/^-- EVAL /gm)).toHaveLength(1);
    expect(piped.stdout).not.toMatch(/^-- SET lock:42/m);
    const tty = await runCli(['translate', '--from', 'monitor', join(DIR, 'escapes.monitor')], { stderrTTY: true });
    expect(tty.stderr).toMatch(/\r\x1b\[Ktranslate \[/);
    expect(tty.stdout).toBe(viaFile.stdout);
  });

  it('keeps the transactions of interleaved clients apart', async () => {
    const capture = [
      '1795707962.1 [0 127.0.0.1:1] "MULTI"',
      '1795707962.2 [0 127.0.0.1:2] "GET" "other"',
      '1795707962.3 [0 127.0.0.1:1] "INCR" "n"',
      '1795707962.4 [0 127.0.0.1:1] "EXEC"',
      'not a monitor line',
    ].join('\n');
    const r = await runCli(['translate', '--from', 'monitor', '--format', 'json'], { stdin: capture });
    const commands = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { command?: string; error?: string }).command ?? 'error');
    expect(commands).toEqual(['GET', 'MULTI', 'SAVEPOINT', 'INCR', 'RELEASE SAVEPOINT', 'EXEC', 'error']);
    expect(r.code).toBe(1);
  });

  it('exits 2 on a missing capture or two of them', async () => {
    expect((await runCli(['translate', '--from', 'monitor', join(DIR, 'nope')])).code).toBe(2);
    expect((await runCli(['translate', '--from', 'monitor', 'a', 'b'])).code).toBe(2);
    expect((await runCli(['translate', '--from', 'monitor'])).code).toBe(2);
  });
});
