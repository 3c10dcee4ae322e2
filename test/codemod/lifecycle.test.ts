import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { codemod, formatFinding } from '../../src/codemod/index.js';
import { embeddedDatabase } from '../../src/db/index.js';
import { decodeValue, importConverted, scratchProject, type FlavourDir } from '../support/codemod-values.js';

// The clients' shutdown calls, converted, return what the real clients
// returned from redis-server (fixtures/codemod/lifecycle.redis.json, recorded
// by scripts/record-codemod-lifecycle.ts): a promise or not, and its value.
// They run on a pg Pool that never connected, which ends at once.
const RECORDED = JSON.parse(readFileSync(new URL('../../fixtures/codemod/lifecycle.redis.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, { readonly promise: boolean; readonly value: unknown }>
>;

const SOURCES: readonly { readonly flavour: FlavourDir; readonly recorded: readonly string[]; readonly source: string }[] = [
  { flavour: 'ioredis5', recorded: ['ioredis4', 'ioredis5', 'ioredis6'], source: "import type { Redis } from 'ioredis';\n" },
  { flavour: 'node-redis4', recorded: ['node-redis4'], source: "import type { RedisClientType } from 'redis';\n" },
  { flavour: 'node-redis5', recorded: ['node-redis5'], source: "import type { RedisClientType } from 'redis';\n" },
];

/** Wait for the promise callbacks and unhandled rejections of the turns before. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

for (const { flavour, recorded, source } of SOURCES) {
  describe(`codemod: ${flavour} shutdown calls`, () => {
    const methods = Object.keys(RECORDED[recorded[0]!]!);
    const type = flavour === 'ioredis5' ? 'Redis' : 'RedisClientType';
    const input = source + methods.map((m) => `export const ${m} = (client: ${type}) => client.${m}();\n`).join('');

    it(`${methods.join(', ')}: what ${recorded.join(', ')} returned, and a second shutdown fails only where the client's did`, async () => {
      const dir = scratchProject(flavour, []);
      try {
        writeFileSync(join(dir, 'shutdown.ts'), input);
        const result = await codemod(['shutdown.ts'], { cwd: dir });
        expect(result.findings.map(formatFinding)).toEqual([]);
        writeFileSync(join(dir, 'shutdown.output.ts'), result.changed.find((c) => c.path === 'shutdown.ts')!.after);
        const converted = (await importConverted(dir, 'shutdown.output.ts')) as unknown as Record<string, (pool: pg.Pool) => unknown>;
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
        process.on('unhandledRejection', onUnhandled);
        try {
          for (const method of methods) {
            const pool = new pg.Pool();
            const returned = converted[method]!(pool);
            for (const client of recorded) {
              const want = RECORDED[client]![method]!;
              expect(returned instanceof Promise, `${client} ${method}() returns a promise`).toBe(want.promise);
              expect(returned instanceof Promise ? await returned : returned, `${client} ${method}()`).toStrictEqual(decodeValue(want.value));
            }
            // A shutdown the client did at once never fails: a second one is as harmless (a pool's second end() rejects).
            if (!(returned instanceof Promise)) expect(converted[method]!(pool)).toBeUndefined();
            await settle();
          }
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
        expect(unhandled).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}

// node-redis' isOpen and isReady along a client's life (fixtures/codemod/lifecycle-states.redis.json,
// recorded by the same script): converted, they read what the converted connect() and shutdown calls
// keep for the pool. On PGlite, through a pool of its own per life (its end() leaves the database open).
const STATES = JSON.parse(readFileSync(new URL('../../fixtures/codemod/lifecycle-states.redis.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, readonly (readonly [string, boolean, boolean])[]>
>;

for (const flavour of ['node-redis4', 'node-redis5'] as const) {
  describe(`codemod: ${flavour} isOpen and isReady`, () => {
    const methods = Object.keys(STATES[flavour]!);
    const input =
      "import type { RedisClientType } from 'redis';\n" +
      'export const isOpen = (client: RedisClientType) => client.isOpen;\n' +
      'export const isReady = (client: RedisClientType) => client.isReady;\n' +
      'export const connect = (client: RedisClientType) => client.connect();\n' +
      methods.map((m) => `export const ${m} = (client: RedisClientType) => client.${m}();\n`).join('');

    it(`created, connecting, connected, shut down by ${methods.join(', ')}: the states ${flavour} had`, async () => {
      const dir = scratchProject(flavour, []);
      const db = await embeddedDatabase();
      try {
        writeFileSync(join(dir, 'life.ts'), input);
        const result = await codemod(['life.ts'], { cwd: dir });
        expect(result.findings.map(formatFinding)).toEqual([]);
        writeFileSync(join(dir, 'life.output.ts'), result.changed.find((c) => c.path === 'life.ts')!.after);
        const converted = (await importConverted(dir, 'life.output.ts')) as unknown as Record<string, (pool: unknown) => unknown>;
        for (const method of methods) {
          let ended = false;
          const pool = { kind: db.kind, query: (sql: string) => db.query(sql), end: async () => void (ended = true) };
          const seen: [string, boolean, boolean][] = [];
          const look = (moment: string): void => void seen.push([moment, converted['isOpen']!(pool) as boolean, converted['isReady']!(pool) as boolean]);
          look('created');
          const connecting = converted['connect']!(pool);
          look('connect() called');
          expect(await connecting).toBe(pool);
          look('connected');
          const shutdown = converted[method]!(pool);
          look(`${method}() called`);
          await shutdown;
          look(`${method}() done`);
          expect(seen, method).toEqual(STATES[flavour]![method]);
          expect(ended).toBe(true);
        }
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
