/**
 * A node-redis client's `isOpen` and `isReady` on the pg Pool that replaces
 * it. A Pool has no such states (it connects per query), so the converted
 * `connect()` and shutdown calls keep them, per pool, as node-redis 4 and 5
 * move them (recorded against redis-server 7.0.15 by
 * scripts/record-codemod-lifecycle.ts):
 *
 *   created                     isOpen false, isReady false
 *   connect() called            true, false
 *   connect() resolved          true, true
 *   quit() called               false, true
 *   quit() resolved             false, false
 *   disconnect(), close(), destroy() called   false, false
 *
 * A `connect()` that fails (the database does not answer) leaves both false.
 *
 *   const pool = new pg.Pool();
 *   nodeRedisIsOpen(pool)  → false
 *   await nodeRedisConnect(pool)  → pool; nodeRedisIsOpen(pool) → true, nodeRedisIsReady(pool) → true
 */
import type { Queryable } from '../db/types.js';
import type pg from 'pg';

type Pool = pg.Pool | pg.Client | (Queryable & { readonly kind: 'embedded' | 'postgres'; end?: () => Promise<void> });

interface State {
  open: boolean;
  ready: boolean;
}

const states = new WeakMap<object, State>();

function stateOf(pool: object): State {
  let state = states.get(pool);
  if (state === undefined) {
    state = { open: false, ready: false };
    states.set(pool, state);
  }
  return state;
}

/** `client.isOpen`. */
export function nodeRedisIsOpen(pool: object): boolean {
  return stateOf(pool).open;
}

/** `client.isReady`. */
export function nodeRedisIsReady(pool: object): boolean {
  return stateOf(pool).ready;
}

/** `client.connect()`: resolves to the client (here the pool) once the database answers. */
export function nodeRedisConnect<P extends Pool>(pool: P): Promise<P> {
  const state = stateOf(pool);
  state.open = true;
  return (pool as { query(sql: string): Promise<unknown> }).query('SELECT 1').then(
    () => {
      state.ready = true;
      return pool;
    },
    (error: unknown) => {
      state.open = false;
      throw error;
    },
  );
}

/**
 * A shutdown call: `'quit'` (resolves to 'OK' once the pool has ended; ready
 * until then), `'end'` (disconnect(), close(): resolves to undefined), `'now'`
 * (destroy(): returns undefined at once and never fails, as a pool's second
 * end() would).
 */
export function nodeRedisShutdown(pool: Pool, kind: 'quit'): Promise<'OK'>;
export function nodeRedisShutdown(pool: Pool, kind: 'end'): Promise<void>;
export function nodeRedisShutdown(pool: Pool, kind: 'now'): undefined;
export function nodeRedisShutdown(pool: Pool, kind: 'quit' | 'end' | 'now'): Promise<'OK'> | Promise<void> | undefined {
  const state = stateOf(pool);
  state.open = false;
  if (kind !== 'quit') state.ready = false;
  const ended = endOf(pool);
  if (kind === 'now') {
    void ended.catch(() => undefined);
    return undefined;
  }
  const done: Promise<void> = ended.finally(() => {
    state.ready = false;
  });
  if (kind !== 'quit') return done;
  const quit: Promise<'OK'> = done.then(() => 'OK' as const);
  return quit;
}

function endOf(pool: Pool): Promise<void> {
  if ('end' in pool && typeof pool.end === 'function') return pool.end();
  return Promise.resolve();
}
