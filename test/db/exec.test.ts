import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { formatRedisCli } from '../../src/emit/redis-cli.js';
import { DatabaseError, StorageError, UnsupportedError, UsageError } from '../../src/errors.js';
import { errorReply, runCommand, runCompiled, runScript, scriptLines } from '../../src/exec.js';
import { translate } from '../../src/translate.js';

let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

const cli = async (input: Parameters<typeof runCommand>[1]): Promise<string> => formatRedisCli(await runCommand(db, input));

describe('runCommand', () => {
  // Replies as redis-server 7.0.15 on port 7105 gave them for the same lines (redis-cli --no-raw).
  it('parses, translates, runs and decodes', async () => {
    expect(await cli('SET greeting "hello world"')).toBe('OK\n');
    expect(await cli(['GET', 'greeting'])).toBe('"hello world"\n');
    expect(await cli('INCR greeting')).toBe('(error) ERR value is not an integer or out of range\n');
    expect(await cli('RPUSH l a b')).toBe('(integer) 2\n');
    expect(await cli('GET l')).toBe('(error) WRONGTYPE Operation against a key holding the wrong kind of value\n');
    expect(await cli('LRANGE l 0 -1')).toBe('1) "a"\n2) "b"\n');
    expect(await cli('LRANGE nolist 0 -1')).toBe('(empty array)\n');
    expect(await cli('GET nokey')).toBe('(nil)\n');
  });

  it('replies to parse errors as Redis does', async () => {
    expect(await cli('GET')).toBe("(error) ERR wrong number of arguments for 'get' command\n");
    expect(await cli('NOSUCH a')).toBe("(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' \n");
  });

  it('replies to what redis-server would reject for its quotes', async () => {
    expect(await cli('GET "a')).toMatch(/^\(error\) ERR Protocol error: unbalanced quotes in request/);
  });

  it('replies ERR redis2sql: … to a command it does not translate and to a key PostgreSQL cannot hold', async () => {
    expect(await cli('SUBSCRIBE ch')).toMatch(/^\(error\) ERR redis2sql: SUBSCRIBE: .+\n$/);
    expect(await cli('CONFIG GET maxmemory')).toMatch(/^\(error\) ERR redis2sql: CONFIG: server configuration/);
    expect(await cli(['GET', Buffer.from([0x66, 0xff])])).toMatch(/^\(error\) ERR redis2sql: key argument 1 is not valid UTF-8/);
  });

  it('tells what a translation does not reproduce', async () => {
    const warnings: string[] = [];
    const reply = await runCommand(db, 'BLPOP nothing 0', { onWarning: (w, c) => warnings.push(`${c}: ${w}`) });
    // redis-server answers (nil) once its timeout passes; ours does not wait.
    expect(formatRedisCli(reply)).toBe('(nil)\n');
    expect(warnings).toEqual([expect.stringMatching(/^BLPOP: BLPOP does not wait/)]);
  });

  it('refuses an empty command as a usage error', async () => {
    await expect(runCommand(db, '   ')).rejects.toBeInstanceOf(UsageError);
    await expect(runCommand(db, [])).rejects.toBeInstanceOf(UsageError);
  });

  it('throws a database failure rather than disguising it as a reply', async () => {
    const broken = { ...translate('GET k'), sql: 'SELECT reply FROM no_such_table' };
    await expect(runCompiled(db, broken)).rejects.toBeInstanceOf(DatabaseError);
  });
});

describe('runScript', () => {
  it('runs each line in order, skipping blanks and comments, and goes on after an error', async () => {
    const steps = await runScript(db, '# counters\nSET n 10\r\n\n  \nINCRBY n x\nINCRBY n 5\n');
    expect(steps.map((s) => [s.line, s.input, formatRedisCli(s.reply)])).toEqual([
      [2, 'SET n 10', 'OK\n'],
      [5, 'INCRBY n x', '(error) ERR value is not an integer or out of range\n'],
      [6, 'INCRBY n 5', '(integer) 15\n'],
    ]);
  });
});

describe('scriptLines', () => {
  it('splits Buffers without decoding them', () => {
    const lines = [...scriptLines(Buffer.from('SET k "\\xff"\n#x\nGET \xff\r\n', 'latin1'))];
    expect(lines).toEqual([
      { line: 1, text: Buffer.from('SET k "\\xff"') },
      { line: 3, text: Buffer.from('GET \xff', 'latin1') },
    ]);
  });
});

describe('errorReply', () => {
  it('maps our refusals to ERR redis2sql: and leaves other errors alone', () => {
    expect(errorReply(new UnsupportedError('MONITOR', 'no server'))).toEqual({ type: 'error', message: 'ERR redis2sql: MONITOR: no server' });
    expect(errorReply(new StorageError('key argument 1 contains a NUL byte'))).toEqual({
      type: 'error',
      message: 'ERR redis2sql: key argument 1 contains a NUL byte',
    });
    expect(errorReply(new UsageError('x'))).toBeUndefined();
    expect(errorReply(new Error('bug'))).toBeUndefined();
  });
});

describe('exec end to end against redis-cli', () => {
  // test/emit/record-redis-cli.ts: lines run on redis-server 7.0.15 after `setup`,
  // and what redis-cli --no-raw printed for each.
  const recorded = JSON.parse(readFileSync(new URL('../emit/redis-cli.recorded.json', import.meta.url), 'utf8')) as {
    setup: string[];
    rows: { input: string; noRaw: string }[];
  };

  it('prints exactly what redis-cli printed for the same lines', async () => {
    await runScript(db, recorded.setup.join('\n'));
    const pending: string[] = [];
    for (const { input, noRaw } of recorded.rows) {
      const reply = await runCommand(db, input);
      if (reply.type === 'error' && reply.message.startsWith('ERR redis2sql: ') && /not translated yet/.test(reply.message)) {
        pending.push(input);
        continue;
      }
      expect({ input, printed: Buffer.from(formatRedisCli(reply)) }).toEqual({ input, printed: Buffer.from(noRaw, 'latin1') });
    }
    if (pending.length > 0) console.info(`not translated yet, not compared: ${pending.join(' | ')}`);
    expect(pending.length).toBeLessThan(recorded.rows.length / 2);
  });
});
