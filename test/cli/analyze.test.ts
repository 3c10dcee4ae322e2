import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze, foldKey, type Analysis } from '../../src/analyze/index.js';
import { workloadFormat, workloadItems } from '../../src/analyze/input.js';
import { compatibilityMatrix } from '../../src/emit/matrix.js';
import { bytesFromJson, type BytesJson } from '../support/oracle.js';
import { runCli } from './run-cli.js';

const DIR = fileURLToPath(new URL('../../fixtures/monitor/', import.meta.url));
const capture = (name: string): string => join(DIR, `${name}.monitor`);
const sent = (name: string): { client: string; db: number; argv: Buffer[] }[] =>
  (JSON.parse(readFileSync(join(DIR, `${name}.sent.json`), 'utf8')) as { client: string; db: number; argv: BytesJson[] }[]).map((s) => ({
    ...s,
    argv: s.argv.map(bytesFromJson),
  }));

function analyzed(name: string): Analysis {
  const text = readFileSync(capture(name));
  return analyze(workloadItems(text, workloadFormat(text, 'auto')));
}

const reasonOf = (command: string): string | undefined => compatibilityMatrix().find((r) => r.command === command)?.reason;

describe('foldKey', () => {
  it.each([
    ['user:1001:name', 'user:{id}:name'],
    ['session:3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b', 'session:{uuid}'],
    ['stats:2026-11-26', 'stats:{date}'],
    ['log:2026-11-26T15:34:40Z:web', 'log:{date}:web'],
    ['cache:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'cache:{hex}'],
    ['counter:page:0xdeadbeef', 'counter:page:{hex}'],
    ['obj:5f2a9c3e7b1d4e6f8a0b2c4d', 'obj:{hex}'],
    // Words stay words: a digit inside a name, a hex-looking word without digits.
    ['bin2', 'bin2'],
    ['v2:users', 'v2:users'],
    ['cafe:deadbeef', 'cafe:deadbeef'],
    ['order/17/items/3', 'order/{id}/items/{id}'],
  ])('%s → %s', (key, pattern) => {
    expect(foldKey(Buffer.from(key))).toBe(pattern);
  });
  it('shows bytes that are not UTF-8 as \\xHH', () => {
    expect(foldKey(Buffer.from([0x6b, 0xff, 0x3a, 0x31]))).toBe('k\\xff:{id}');
  });
});

describe('analyze on recorded captures', () => {
  it('counts every command by name, those run by scripts apart', () => {
    for (const name of ['escapes', 'workload']) {
      const a = analyzed(name);
      const s = sent(name);
      expect(a.total).toBe(s.length);
      expect(a.fromScripts).toBe(s.filter((c) => c.client === 'lua').length);
      const byFirstWord = new Map<string, number>();
      for (const c of s) byFirstWord.set(c.argv[0]!.toString().toUpperCase(), (byFirstWord.get(c.argv[0]!.toString().toUpperCase()) ?? 0) + 1);
      const got = new Map<string, number>();
      for (const c of a.commands) got.set(c.command.split(' ')[0]!, (got.get(c.command.split(' ')[0]!) ?? 0) + c.count);
      expect(got).toEqual(byFirstWord);
      // Sorted by frequency, and every client command classified exactly once.
      expect(a.commands.map((c) => c.count)).toEqual([...a.commands.map((c) => c.count)].sort((x, y) => y - x));
      for (const c of a.commands) expect(c.translated + c.pending + c.refused + c.errors + c.fromScripts).toBe(c.count);
      const { translated, pending, refused, error } = a.outcomes;
      expect(translated + pending + refused + error).toBe(a.total - a.fromScripts);
      expect(a.refusals.reduce((n, r) => n + r.count, 0)).toBe(pending + refused + error);
    }
  });

  it('folds ids, uuids, dates and hashes of keys into patterns, counted per command', () => {
    const a = analyzed('workload');
    const s = sent('workload');
    const count = (re: RegExp): number => s.filter((c) => c.argv[1] !== undefined && re.test(c.argv[1].toString())).length;
    const pattern = (p: string) => a.keyPatterns.find((k) => k.pattern === p);
    expect(pattern('user:{id}:profile')?.count).toBe(count(/^user:\d+:profile$/));
    expect(pattern('user:{id}:profile')?.commands).toEqual(['GET', 'SET']);
    expect(pattern('session:{uuid}')?.count).toBe(count(/^session:[0-9a-f-]{36}$/));
    expect(pattern('stats:{date}')?.count).toBe(count(/^stats:\d{4}-\d\d-\d\d$/));
    expect(pattern('cache:{hex}')?.example).toBe('cache:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3');
    expect(a.keyPatterns.map((k) => k.count)).toEqual([...a.keyPatterns.map((k) => k.count)].sort((x, y) => y - x));
    // A script's own commands show its keys (EVAL's are movable).
    expect(analyzed('escapes').keyPatterns.find((k) => k.pattern === 'lock:{id}')?.commands).toEqual(['GET', 'SET']);
  });

  it('says which commands are refused and why, in the words of the compatibility matrix', () => {
    const a = analyzed('workload');
    const refusal = (command: string) => a.refusals.find((r) => r.command === command);
    for (const command of ['GEOADD', 'INFO', 'CLIENT', 'OBJECT ENCODING']) {
      expect(refusal(command)).toMatchObject({ outcome: 'refused', count: 1, reason: reasonOf(command) });
    }
    // A transaction is translated as a whole (translateTransaction), MULTI and EXEC with it.
    for (const command of ['MULTI', 'EXEC', 'INCR', 'RPUSH']) {
      expect(a.commands.find((c) => c.command === command)).toMatchObject({ refused: 0, errors: 0 });
      expect(a.commands.find((c) => c.command === command)!.translated).toBeGreaterThan(0);
    }
    const lines = readFileSync(capture('workload'), 'latin1').split('\n');
    expect(lines[refusal('GEOADD')!.line - 1]).toContain('"GEOADD"');
  });

  it('refuses the commands of another database as SELECT of it is refused', () => {
    const a = analyzed('escapes');
    const select = a.refusals.find((r) => r.command === 'SELECT');
    const get = a.refusals.find((r) => r.command === 'GET');
    expect(get?.reason).toMatch(/^database 3: /);
    expect(get?.reason).toBe(select?.reason);
    expect(get?.reason).toContain(reasonOf('SELECT') ?? 'only database 0');
  });

  it('analyzes a plain command list, with unreadable lines and Redis errors', () => {
    const text = Buffer.from('# app\nGET user:1\nGET user:2\nSET k "unbalanced\nGET\nMULTI\nWATCH k\nEXEC\n');
    expect(workloadFormat(text, 'auto')).toBe('lines');
    const a = analyze(workloadItems(text, 'lines'));
    expect(a).toMatchObject({ total: 6, clients: 0, unreadable: [{ line: 4, error: expect.stringContaining('unbalanced quotes') }] });
    expect(a.refusals).toEqual([
      { command: 'GET', outcome: 'error', reason: "ERR wrong number of arguments for 'get' command", count: 1, line: 5 },
      { command: 'WATCH', outcome: 'error', reason: 'ERR WATCH inside MULTI is not allowed', count: 1, line: 7 },
    ]);
    expect(a.keyPatterns[0]).toEqual({ pattern: 'user:{id}', count: 2, commands: ['GET'], example: 'user:1' });
  });
});

describe('redis2sql analyze', () => {
  it('prints tables in a pipe, without colour or progress', async () => {
    const r = await runCli(['analyze', capture('workload')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('\x1b[');
    const a = analyzed('workload');
    expect(r.stdout).toContain(`${a.total} commands from ${a.clients} clients`);
    expect(r.stdout).toMatch(/^ {2}COMMAND +COUNT +SHARE +STATUS$/m);
    expect(r.stdout).toMatch(/^ {2}user:\{id\}:profile +\d+ +GET SET +user:\d+:profile$/m);
    expect(r.stdout).toMatch(/^ {2}GEOADD +1 +refused +\d+ +geospatial/m);
  });

  it('colours on a terminal, never with NO_COLOR, and shows progress on a terminal stderr only', async () => {
    const tty = await runCli(['analyze', capture('workload')], { stdoutTTY: true, stderrTTY: true });
    expect(tty.stdout).toContain('\x1b[32m');
    expect(tty.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toBe((await runCli(['analyze', capture('workload')])).stdout);
    expect(tty.stderr).toMatch(/\r\x1b\[Kanalyze \[.*\] +\d+% \d+\/\d+/);
    expect(tty.stderr).toMatch(/100% (\d+)\/\1/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const noColor = await runCli(['analyze', capture('workload')], { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\x1b[');
    // An empty NO_COLOR does not count (no-color.org).
    expect((await runCli(['analyze', capture('workload')], { stdoutTTY: true, env: { NO_COLOR: '' } })).stdout).toContain('\x1b[');
  });

  it('prints the analysis as JSON with --json, from a file or stdin', async () => {
    const r = await runCli(['analyze', '--json', capture('escapes')]);
    const json = JSON.parse(r.stdout) as Analysis & { format: string };
    expect(json).toEqual(JSON.parse(JSON.stringify({ format: 'monitor', ...analyzed('escapes') })));
    const piped = await runCli(['analyze', '--json'], { stdin: readFileSync(capture('escapes')) });
    expect(JSON.parse(piped.stdout)).toEqual(json);
    const lines = await runCli(['analyze', '--json', '--from', 'lines'], { stdin: 'GET a\nINFO\n' });
    expect(JSON.parse(lines.stdout)).toMatchObject({ format: 'lines', total: 2, outcomes: { translated: 1, refused: 1 } });
  });

  it('exits 2 on a missing file, a bad --top or --from, and nothing to read', async () => {
    expect(await runCli(['analyze', join(DIR, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
    expect((await runCli(['analyze', '--top', '0', capture('escapes')])).code).toBe(2);
    expect((await runCli(['analyze', '--from', 'xml', capture('escapes')])).code).toBe(2);
    expect(await runCli(['analyze'])).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to analyze') });
  });
});
