import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { codemod, formatFinding } from '../../src/codemod/index.js';
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
