/**
 * Records Redis 7.0's replies for test/translators/string.test.ts: each case
 * is a list of redis-cli lines run on a fresh database. Lines starting with
 * `+` set data up (the test seeds hashes, sets and sorted sets with SQL, so
 * it does not depend on the collection translators); their replies are not
 * recorded.
 *
 *   node --import tsx test/translators/record-string.ts 7103
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../../src/grammar/tokenize.js';
import { replyToJson, type ReplyJson } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';

export const CASES: Readonly<Record<string, readonly string[]>> = {
  'SET and MSET replace hashes, sets and sorted sets': [
    '+HSET h f v', '+SADD s m', '+ZADD z 1 a', '+HSET h2 f v', '+SADD s2 m',
    'SET h v', 'TYPE h', 'GET h', 'MSET s v z w', 'TYPE s', 'TYPE z', 'MGET h s z',
    'SETNX h2 v', 'TYPE h2', 'SET h2 v XX', 'TYPE h2', 'SETEX s2 100 v', 'TYPE s2', 'TTL s2',
  ],
  'SET KEEPTTL keeps the TTL of a hash it replaces': [
    '+HSET h f v PX 100000', 'SET h v KEEPTTL', 'TYPE h', 'TTL h',
  ],
  'reads and read-modify-writes refuse other types': [
    '+HSET h f v', '+SADD s m', '+ZADD z 1 a',
    'GET h', 'GET s', 'GET z', 'STRLEN h', 'GETRANGE s 0 -1', 'SUBSTR z 0 1', 'APPEND h x', 'SETRANGE s 0 x',
    'INCR z', 'DECRBY h 2', 'INCRBYFLOAT s 1.5', 'GETSET h v', 'GETDEL s', 'GETEX z PERSIST', 'SET h v GET',
    'MSETNX fresh 1 h 2', 'EXISTS fresh', 'TYPE h', 'TYPE s', 'TYPE z',
  ],
};

export interface RecordedCase {
  readonly name: string;
  readonly lines: readonly string[];
  /** One per line; null for setup lines. */
  readonly replies: readonly (ReplyJson | null)[];
}

/** A setup line as Redis runs it: a trailing `PX ms` becomes a PEXPIRE. */
function setupCommands(line: string): Buffer[][] {
  const argv = tokenize(line.slice(1));
  const px = argv.length >= 2 && argv[argv.length - 2]?.toString().toUpperCase() === 'PX';
  if (!px || argv[0]?.toString().toUpperCase() === 'SET') return [argv];
  return [argv.slice(0, -2), [Buffer.from('PEXPIRE'), argv[1] as Buffer, argv[argv.length - 1] as Buffer]];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const redis = await RespClient.connect(Number(process.argv[2] ?? 7103));
  const out: RecordedCase[] = [];
  for (const [name, lines] of Object.entries(CASES)) {
    await redis.call('FLUSHALL');
    const replies: (ReplyJson | null)[] = [];
    for (const line of lines) {
      if (line.startsWith('+')) {
        for (const argv of setupCommands(line)) {
          const reply = await redis.send(argv);
          if (reply.type === 'error') throw new Error(`setup ${line}: ${reply.message}`);
        }
        replies.push(null);
        continue;
      }
      replies.push(replyToJson(await redis.send(tokenize(line))));
    }
    out.push({ name, lines, replies });
  }
  await redis.call('FLUSHALL');
  await redis.close();
  const file = fileURLToPath(new URL('./string.recorded.json', import.meta.url));
  writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${out.length} cases to ${file}`);
}
