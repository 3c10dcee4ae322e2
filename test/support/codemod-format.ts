/**
 * A small file and a converted call for the formatting tests (format.test.ts,
 * format-units.test.ts), with the prettier config they are written in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file as prettier formats it with `{ singleQuote: true, printWidth: 80 }` (PRETTIER_CONFIG). */
export const FORMATTED = `import { redis } from './client.js';

// The cache.
export async function load(id: string): Promise<unknown[]> {
  const name = await redis.get(id);
  if (name === null) {
    await redis.set(id, 'x');
    await redis.del(id);
  }
  return [name];
}

export const size = 3;
`;

/** What a converter might write in place of a call: long, on one line, unformatted. */
export const CALL = 'r2s.ioredis<string | null>(redis,"SELECT s.value AS reply FROM redis.strings s WHERE s.key = $1",[r2s.text(id)],{kind:\'scalar\',of:\'bulk\'})';

/** Write the config FORMATTED is formatted in into `dir`: the path of `load.ts` there. */
export function formattedProject(dir: string): string {
  writeFileSync(join(dir, '.prettierrc.json'), '{ "singleQuote": true, "printWidth": 80 }\n');
  return join(dir, 'load.ts');
}
