/**
 * Records redis-server 7.0's replies to the Lua cases of cases.ts into
 * lua.recorded.json (each case from an empty database, after SCRIPT FLUSH).
 *
 *   node --import tsx test/lua/record-lua.ts 7113
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scriptSha } from '../../src/translators/lua/compile.js';
import { replyToJson, type ReplyJson } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';
import { argvOf, CASES } from './cases.js';

export interface RecordedLuaCase {
  readonly name: string;
  readonly replies: readonly ReplyJson[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const redis = await RespClient.connect(Number(process.argv[2] ?? 7113));
  const out: RecordedLuaCase[] = [];
  for (const [name, lines] of Object.entries(CASES)) {
    await redis.call('FLUSHALL');
    await redis.call('SCRIPT', 'FLUSH');
    const replies: ReplyJson[] = [];
    for (const line of lines) replies.push(replyToJson(await redis.send(argvOf(line, scriptSha))));
    out.push({ name, replies });
  }
  await redis.call('FLUSHALL');
  await redis.close();
  const file = fileURLToPath(new URL('./lua.recorded.json', import.meta.url));
  writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${out.length} cases to ${file}`);
}
