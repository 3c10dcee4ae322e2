import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, type Database } from '../../src/db/index.js';
import { formatJsonReply } from '../../src/cli/json-reply.js';
import { runCli } from './run-cli.js';

const DIR = fileURLToPath(new URL('../../fixtures/redis-cli/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'redis2sql-exec-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('exec --json / --quoted-json', { timeout: 300_000 }, () => {
  // Recorded from redis-cli -2 --json / --quoted-json on redis-server 7.0 (scripts/record-redis-cli.ts).
  for (const mode of ['json', 'quoted-json'] as const) {
    it(`prints every reply byte for byte as redis-cli -2 --${mode} did`, async () => {
      const r = await runCli(['exec', `--${mode}`, '--file', `${DIR}replies.redis`]);
      const expected = readFileSync(`${DIR}replies.${mode}.out`);
      expect(r.stdoutBytes.toString('latin1').split('\n')).toEqual(expected.toString('latin1').split('\n'));
      expect(r.stdoutBytes.equals(expected)).toBe(true);
      // The script has error replies: exit 1 as without --json.
      expect(r.code).toBe(1);
    });
  }

  it('leaves invalid UTF-8 as bytes in json mode, never in quoted-json', () => {
    const reply = { type: 'bulk', value: Buffer.from([0x61, 0xff, 0x00]) } as const;
    expect(formatJsonReply(reply, 'json')).toEqual(Buffer.from([0x22, 0x61, 0xff, ...Buffer.from('\\u0000"\n')]));
    expect(formatJsonReply(reply, 'quoted-json').toString('latin1')).toBe('"a\\\\xff\\\\x00"\n');
    expect(formatJsonReply({ type: 'array', value: null }, 'json').toString()).toBe('null\n');
  });

  it('refuses --json with --quoted-json, and a progress bar appears only when the replies go elsewhere', async () => {
    expect((await runCli(['exec', '--json', '--quoted-json', 'PING'])).code).toBe(2);
    const db = await embeddedDatabase();
    const openDatabase = async (): Promise<Database> => ({ ...db, close: async () => undefined });
    const file = join(tmp, 'three.redis');
    writeFileSync(file, 'PING\nECHO a\nPING\n');
    const toFile = await runCli(['exec', '--file', file], { stderrTTY: true, openDatabase });
    expect(toFile.stderr).toMatch(/\r\x1b\[Kexec \[.*\] +\d+% 1\/3/);
    expect(toFile.stderr).toMatch(/100% 3\/3\r\x1b\[K$/);
    const toTerminal = await runCli(['exec', '--file', file], { stderrTTY: true, stdoutTTY: true, openDatabase });
    await db.close();
    expect(toTerminal.stderr).not.toContain('\x1b[K');
    expect(toTerminal.stdout).toBe(toFile.stdout);
  });
});
