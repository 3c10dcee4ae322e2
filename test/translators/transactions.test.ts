import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { embeddedDatabase, ensureSchema, type Database, type Queryable } from '../../src/db/index.js';
import { DatabaseError } from '../../src/errors.js';
import { Session } from '../../src/session.js';
import { translate } from '../../src/translate.js';
import { translateTransaction } from '../../src/translate-transaction.js';

/**
 * What the recorded oracle (fixtures/oracle/transactions.redis, replayed
 * through a Session) cannot show: the SQL of a transaction, atomicity when
 * the database fails mid-EXEC, and the CLI printing as redis-cli does.
 */

let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db?.close();
});

const statements = (lines: string[]): string[] =>
  translateTransaction(lines).map((r) => ('error' in r ? `error: ${r.error}` : r.compiled.sql.split('(')[0]!.trim()));

describe('translateTransaction', () => {
  it('prints BEGIN, each command between a savepoint and its release, COMMIT', () => {
    // Each command's statement is its own translation, unchanged.
    const own = (line: string): string => translate(line).sql.split('(')[0]!.trim();
    expect(statements(['MULTI', 'INCR n', 'GET n', 'EXEC'])).toEqual([
      'BEGIN',
      'SAVEPOINT redis2sql_command',
      own('INCR n'),
      'RELEASE SAVEPOINT redis2sql_command',
      'SAVEPOINT redis2sql_command',
      own('GET n'),
      'RELEASE SAVEPOINT redis2sql_command',
      'COMMIT',
    ]);
    const incr = translateTransaction(['MULTI', 'INCR n', 'EXEC'])[2]!;
    expect('compiled' in incr && incr.compiled).toMatchObject({ command: 'INCR', params: ['n', '1'] });
  });

  it('WATCH reads versions; EXEC locks and re-reads them right after BEGIN', () => {
    const out = translateTransaction(['WATCH a b', 'MULTI', 'SET a 1', 'EXEC']);
    expect(out[0]).toMatchObject({ input: 'WATCH a b', compiled: translate('WATCH a b') });
    expect(out[2]).toMatchObject({ compiled: { params: [['a', 'b']] } });
    expect('compiled' in out[2]! && out[2].compiled.sql).toMatch(/FOR UPDATE$/);
    expect('compiled' in out[2]! && out[2].compiled.warnings[0]).toMatch(/nil array/);
  });

  it('an unknown command or wrong arity turns EXEC into ROLLBACK with EXECABORT; DISCARD is ROLLBACK', () => {
    const out = translateTransaction(['MULTI', 'GET', 'EXEC', 'MULTI', 'SET a 1', 'DISCARD']);
    expect(out[1]).toEqual({ input: 'GET', error: "ERR wrong number of arguments for 'get' command" });
    expect(out[2]).toMatchObject({ compiled: { sql: 'ROLLBACK', warnings: ['EXECABORT Transaction discarded because of previous errors.'] } });
    expect(out.at(-1)).toMatchObject({ input: 'DISCARD', compiled: { sql: 'ROLLBACK' } });
  });

  it('session errors as Redis words them', () => {
    expect(statements(['EXEC', 'DISCARD', 'MULTI', 'MULTI', 'WATCH k', 'EXEC'])).toEqual([
      'error: ERR EXEC without MULTI',
      'error: ERR DISCARD without MULTI',
      'BEGIN',
      'error: ERR MULTI calls can not be nested',
      'error: ERR WATCH inside MULTI is not allowed',
      'COMMIT',
    ]);
  });

  it('the table says MULTI/EXEC/DISCARD/UNWATCH are session state', () => {
    for (const name of ['MULTI', 'EXEC', 'DISCARD', 'UNWATCH']) expect(() => translate(name)).toThrow(/session/);
  });
});

describe('EXEC is one transaction', () => {
  it('a database failure in the middle commits nothing and is thrown, not answered', async () => {
    // The same database, whose transaction fails at the third statement it runs.
    let n = 0;
    const failing: Database = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) => {
          const wrapped: Queryable = {
            exec: (sql) => tx.exec(sql),
            query: async (sql, params) => {
              if (++n === 2) throw new DatabaseError('connection lost (simulated)');
              return tx.query(sql, params);
            },
          };
          return fn(wrapped);
        }),
    };
    const s = new Session(failing);
    await s.run('DEL t1 t2');
    await s.run('MULTI');
    await s.run('SET t1 1');
    await s.run('SET t2 2');
    await expect(s.run('EXEC')).rejects.toThrow(/simulated/);
    expect(s.inMulti).toBe(false);
    expect(await new Session(db).run('EXISTS t1 t2')).toEqual({ type: 'integer', value: 0n });
  });

  it('a WRONGTYPE in the middle keeps the writes before and after it', async () => {
    const s = new Session(db);
    await s.run('FLUSHALL');
    await s.run('RPUSH l x');
    for (const line of ['MULTI', 'SET a 1', 'INCR l', 'SET b 2']) await s.run(line);
    const exec = await s.run('EXEC');
    expect(exec.type === 'array' && exec.value?.map((r) => r.type)).toEqual(['status', 'error', 'status']);
    expect(await s.run('MGET a b')).toEqual({
      type: 'array',
      value: [{ type: 'bulk', value: Buffer.from('1') }, { type: 'bulk', value: Buffer.from('2') }],
    });
  });
});

describe('redis2sql exec keeps one session', () => {
  async function exec(script: string): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
      stderr: { write: () => true },
      stdin: Object.assign(Readable.from([Buffer.from(script)]), { isTTY: false }),
      env: {},
      openDatabase: async () => ({ ...db, close: async () => undefined }),
      interrupted: async () => undefined,
    };
    return { code: await main(['exec'], io), stdout };
  }

  it('MULTI … EXEC across lines', async () => {
    const out = await exec('FLUSHALL\nMULTI\nINCR n\nINCR n\nEXEC\n');
    expect(out).toEqual({ code: 0, stdout: 'OK\nOK\nQUEUED\nQUEUED\n1) (integer) 1\n2) (integer) 2\n' });
  });

  it('SUBSCRIBE prints as redis-cli --no-raw (recorded from redis-cli 7.0.15)', async () => {
    const out = await exec('SUBSCRIBE a\n');
    expect(out.stdout).toBe('Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "a"\n3) (integer) 1\n');
  });
});
