import { describe, expect, it } from 'vitest';
import { CommandSavepoint, SAVEPOINT } from '../../src/session.js';
import type { Queryable } from '../../src/db/types.js';

/** A transaction that records what it is sent, each command's statement failing or not as told. */
function recording(): { readonly tx: Queryable; readonly sent: string[] } {
  const sent: string[] = [];
  const tx: Queryable = {
    query: async (sql) => {
      sent.push(sql);
      return [];
    },
    exec: async (sql) => {
      sent.push(sql.replaceAll(SAVEPOINT, 's'));
    },
  };
  return { tx, sent };
}

describe('CommandSavepoint: the savepoint each command of a transaction runs after', () => {
  it('costs one round trip before a command at most: created once, released and made again in one query after a command that ran, none after one that failed', async () => {
    const { tx, sent } = recording();
    const savepoint = new CommandSavepoint(tx);
    for (const [i, fails] of [false, true, false, false, true, true, false].entries()) {
      await savepoint.before();
      await tx.query(`command ${i}`);
      if (fails) await savepoint.failed();
      else savepoint.succeeded();
    }
    expect(sent).toEqual([
      'SAVEPOINT s',
      'command 0',
      'RELEASE SAVEPOINT s; SAVEPOINT s',
      'command 1',
      'ROLLBACK TO SAVEPOINT s',
      'command 2',
      'RELEASE SAVEPOINT s; SAVEPOINT s',
      'command 3',
      'RELEASE SAVEPOINT s; SAVEPOINT s',
      'command 4',
      'ROLLBACK TO SAVEPOINT s',
      'command 5',
      'ROLLBACK TO SAVEPOINT s',
      'command 6',
    ]);
  });
});
