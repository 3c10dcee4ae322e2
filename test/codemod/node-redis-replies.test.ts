import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { nodeRedisTransform } from '../../src/codemod/node-redis-replies.js';
import { translationStatus } from '../../src/translate.js';

// Every command module of the installed node-redis 4 and 5 whose command
// redis2sql translates either returns its reply as it is, or its reply
// transform is listed (reproduced, or 'unknown' so the codemod reports it):
// a transform the codemod would silently skip fails here.
const require = createRequire(import.meta.url);
type Module = { transformReply?: unknown };
const v4: Record<string, Module> = {
  ...(require('@redis/client/dist/lib/cluster/commands.js') as { default: Record<string, Module> }).default,
  ...(require('@redis/client/dist/lib/client/commands.js') as { default: Record<string, Module> }).default,
};
const v5 = (require('redis5/node_modules/@redis/client/dist/lib/commands/index.js') as { default: Record<string, Module> }).default;

/** The Redis command a module key stands for, when it translates (`ZRANGE_WITHSCORES` → ZRANGE, `XGROUP_CREATE` → XGROUP CREATE). */
function translatedCommand(key: string): string | undefined {
  const words = key.split('_');
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    if (translationStatus(name).translated) return name;
  }
  return undefined;
}

describe('node-redis reply transforms', () => {
  for (const [major, table] of [[4, v4], [5, v5]] as const) {
    it(`node-redis ${major}: every translated command's transform is listed`, () => {
      const flavour = major === 4 ? 'node-redis4' : 'node-redis5';
      const missing: string[] = [];
      let checked = 0;
      for (const [key, module] of Object.entries(table)) {
        if (key !== key.toUpperCase() || translatedCommand(key) === undefined) continue;
        checked++;
        const t = module.transformReply;
        const transforms = typeof t === 'function' || (major === 5 && typeof t === 'object' && t !== null && (t as Record<number, unknown>)[2] !== undefined);
        if (transforms && nodeRedisTransform(key, flavour) === undefined) missing.push(key);
      }
      expect(checked).toBeGreaterThan(150);
      expect(missing).toEqual([]);
    });
  }

  it('names what each major does: booleans in 4, integers in 5', () => {
    expect(nodeRedisTransform('SISMEMBER', 'node-redis4')).toBe('boolean');
    expect(nodeRedisTransform('SISMEMBER', 'node-redis5')).toBe('plain');
    expect(nodeRedisTransform('TIME', 'node-redis4')).toBe('time');
    expect(nodeRedisTransform('TIME', 'node-redis5')).toBe('plain');
    expect(nodeRedisTransform('BLPOP', 'node-redis4')).toBe('unknown');
    expect(nodeRedisTransform('GET', 'node-redis5')).toBeUndefined();
  });
});
