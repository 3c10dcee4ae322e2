import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlParam } from '../translators/sql.js';
import { OID, normaliseRow, quoteChannel, toError } from './normalise.js';
import type { Database, Listener, Queryable, Row } from './types.js';

export interface EmbeddedOptions {
  /** Directory that keeps the data between runs; in memory when absent. */
  readonly dataDir?: string;
}

// PGlite returns int8 as a number when it fits and numeric as text; we want
// int8 exact (bigint) always. The override also applies to int8[] elements.
// json/jsonb stay text: the `json` reply shape parses them itself, the same
// way whichever driver ran the statement.
const asText = (text: string): string => text;
const PARSERS = {
  [OID.int8]: (text: string) => BigInt(text),
  [OID.numeric]: asText,
  [OID.json]: asText,
  [OID.jsonb]: asText,
};

type PGliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

function queryable(target: PGliteLike): Queryable {
  return {
    async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      try {
        const result = await target.query<Record<string, unknown>>(sql, params as unknown[], { parsers: PARSERS });
        return result.rows.map(normaliseRow);
      } catch (error) {
        throw toError(error);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await target.exec(sql);
      } catch (error) {
        throw toError(error);
      }
    },
  };
}

/**
 * An embedded PostgreSQL (PGlite, PostgreSQL in WASM, in this process):
 * nothing to install, ~1 s to start.
 *
 *   const db = await embeddedDatabase();                       // in memory
 *   const db = await embeddedDatabase({ dataDir: './.redis2sql-data' });
 *   await db.query('SELECT 1 AS one')                           → [{ one: 1 }]
 */
export async function embeddedDatabase(options: EmbeddedOptions = {}): Promise<Database> {
  let pg: PGlite;
  try {
    pg = await PGlite.create({ ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), parsers: PARSERS });
  } catch (error) {
    throw toError(error);
  }
  const base = queryable(pg);
  /** Open listeners per channel. */
  const listeners = new Map<string, number>();
  return {
    kind: 'embedded',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      try {
        return await pg.transaction((tx) => fn(queryable(tx)));
      } catch (error) {
        throw toError(error);
      }
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<Listener> {
      // One connection: every listener shares it (PGlite delivers a NOTIFY to its own session
      // too), so it UNLISTENs when the last one closes. LISTEN ourselves: pg.listen's unlisten
      // drops the quotes a channel name with a dot needs.
      await base.exec(`LISTEN ${quoteChannel(channel)}`);
      listeners.set(channel, (listeners.get(channel) ?? 0) + 1);
      const stop = pg.onNotification((from, payload) => {
        if (from === channel) onPayload(payload);
      });
      let open = true;
      return {
        ...base,
        async close(): Promise<void> {
          if (!open) return;
          open = false;
          stop();
          const left = (listeners.get(channel) ?? 1) - 1;
          listeners.set(channel, left);
          if (left === 0) await base.exec(`UNLISTEN ${quoteChannel(channel)}`);
        },
      };
    },
    async close(): Promise<void> {
      await pg.close();
    },
  };
}
