/**
 * Records Redis 7.0's replies for test/translators/generic.test.ts: each case
 * is a list of redis-cli lines run on a fresh database. Lines starting with
 * `+` set data up (the test seeds the same data with SQL, so it does not
 * depend on other groups' translators); their replies are not recorded.
 *
 *   node --import tsx test/translators/record-generic.ts 7104
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../../src/grammar/tokenize.js';
import { replyToJson, type ReplyJson } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';

/** Keys whose names exercise the glob: metacharacters, multibyte UTF-8, the empty key. */
const GLOB_KEYS = [
  'a', 'b', 'c', 'ab', 'abc', '""', 'a*', 'a?', '[a', 'a]', '-', ']', '^', '"\\\\"', '"\\\\a"', 'é', '€',
  'A', 'z', 'hello', 'hallo', 'hxllo', 'hllo', 'heeello', '"h\\nllo"', '"x y"', '_', '`',
  // Prefix ranges end at the successor of the literal start: U+D7FF (then U+E000), U+10FFFF (none).
  '"a\\xed\\x9f\\xbfx"', '"a\\xee\\x80\\x80"', '"\\xf4\\x8f\\xbf\\xbf"', '"\\xf4\\x8f\\xbf\\xbfz"', 'user:1', 'user:12',
  'user;',
];

const GLOB_PATTERNS = [
  '*', '**', '""', '?', '??', '???', 'a*', '*a', '*a*', 'a**', '**a', 'h*llo', 'h?llo', 'h*l*o', 'h[ae]llo',
  'h[^e]llo', 'h[a-e]llo', 'h[e-a]llo', '[a', '[^', '[', '[a-]', '[a-', '[-a]', '[c-a]', '[^a]', '[]]', '[]a]',
  '"[\\\\]]"', '"\\\\*"', '"\\\\?"', '"a\\\\"', '"\\\\"', '"\\\\\\\\"', '"\\\\\\\\*"', '"[\\\\a-c]"', '"[a\\\\-c]"',
  '"[\\\\^a]"', '[[]', '"\\\\[a"', '[A-Z]', '[a-z]', '"\\xc3?"', '"\\xc3\\xa9"', '"?\\xa9"', '"[\\xc3]?"',
  '"[a-\\xff]"', '"[\\xff-a]"', '"[\\x80-\\xff]?"', '"[^\\x80-\\xff]"', '"\\x00"', '"[\\x00-a]"', '"[^\\x00]"',
  '"h[\\n]llo"', '"x[ ]y"', 'nomatch*', '*o', '*llo*', '[_-a]', '[`]',
  '"a\\xed\\x9f\\xbf*"', '"a\\xed*"', '"\\xf4\\x8f\\xbf\\xbf*"', '"\\xf4*"', 'user:*', 'user:1*', 'user?1*', '"user\\\\:1*"',
];

export const CASES: Readonly<Record<string, readonly string[]>> = {
  'TYPE of every type, none': [
    '+SET s v', '+RPUSH l a b', '+HSET h f v', '+SADD st m', '+ZADD z 1 a',
    'TYPE s', 'TYPE l', 'TYPE h', 'TYPE st', 'TYPE z', 'TYPE nokey',
  ],
  'EXISTS and TOUCH count repeats': [
    '+SET s v', '+RPUSH l a',
    'EXISTS s', 'EXISTS s s l nokey', 'EXISTS nokey', 'TOUCH s s nokey l', 'TOUCH nokey', 'EXISTS', 'TOUCH',
  ],
  'DEL and UNLINK every type': [
    '+SET s v', '+RPUSH l a b', '+HSET h f v', '+SADD st m', '+ZADD z 1 a',
    'DBSIZE', 'DEL s l nokey s', 'EXISTS s l', 'DEL h', 'UNLINK st z st', 'DBSIZE', 'DEL nokey', 'UNLINK nokey',
    'DEL', 'UNLINK', 'TYPE l',
  ],
  'expired keys are absent': [
    '+SET gone v', '+RPUSH glist a', '+SET live v', 'PEXPIREAT gone 1', 'PEXPIREAT glist 1000',
    'EXISTS gone glist live', 'TYPE gone', 'TTL gone', 'PTTL gone', 'EXPIRETIME gone', 'DBSIZE', 'KEYS *',
    'SCAN 0', 'RANDOMKEY', 'DEL gone', 'PERSIST gone', 'RENAME gone x', 'COPY gone x', 'EXPIRE gone 100',
  ],
  'EXPIRE family options and errors': [
    '+SET k v',
    'EXPIRE k 100 XX', 'EXPIRE k 100 GT', 'EXPIRE k 100 NX', 'TTL k', 'EXPIRE k 200 NX', 'EXPIRE k 50 GT',
    'EXPIRE k 200 GT', 'TTL k', 'EXPIRE k 300 LT', 'EXPIRE k 100 LT', 'TTL k', 'EXPIRE k 150 XX', 'TTL k',
    'EXPIRE k 100 XX GT', 'EXPIRE k 100 nx nx', 'EXPIRE k 10 NX XX', 'EXPIRE k 10 NX GT', 'EXPIRE k 10 NX LT',
    'EXPIRE k 10 GT LT', 'EXPIRE k 10 lt gt', 'EXPIRE k 10 XX GT LT', 'EXPIRE nokey 10', 'EXPIRE nokey 10 XX',
    'EXPIRE k', 'EXPIRE k abc', 'EXPIRE k 1.5', 'TTL k',
    'PEXPIRE k 100000', 'PTTL k', 'PEXPIRE k 50000 LT', 'TTL k', 'PEXPIRE k 90000 GT', 'TTL k',
  ],
  'expire time limits': [
    '+SET k v',
    'EXPIRE k 9223372036854775', 'EXPIRE k 9223372036854776', 'EXPIRE k -9223372036854776',
    'PEXPIRE k 9223372036854775807', 'EXPIRE nokey 9223372036854775807', 'EXPIREAT k 9223372036854776',
    'EXPIREAT k -9223372036854776', 'PEXPIRE k 9223372036854775808', 'EXISTS k',
    'EXPIREAT k 9223372036854775', 'EXPIRETIME k', 'PEXPIRETIME k',
    'PEXPIREAT k 9223372036854775807', 'EXPIRETIME k', 'PEXPIRETIME k', 'PERSIST k', 'PEXPIRETIME k',
    'EXPIREAT k 4102444800', 'EXPIRETIME k', 'PEXPIRETIME k', 'PEXPIREAT k 4102444800123', 'EXPIRETIME k',
    'PEXPIRETIME k', 'PEXPIREAT k 4102444800500', 'EXPIRETIME k', 'PEXPIREAT k 4102444800499', 'EXPIRETIME k',
    'EXPIREAT k 4102444800 GT', 'EXPIREAT k 4102444801 GT', 'PEXPIRETIME k',
  ],
  'a time in the past deletes the key': [
    '+SET a v', '+SET b v', '+SET c v', '+SET d v', '+RPUSH e x',
    'EXPIRE a 0', 'EXISTS a', 'EXPIRE b -1', 'EXISTS b', 'PEXPIREAT c 1', 'EXISTS c', 'EXPIREAT d 0', 'EXISTS d',
    'PEXPIRE e -9223372036854775808', 'EXISTS e', 'DBSIZE',
  ],
  'TTL, PTTL, EXPIRETIME, PEXPIRETIME': [
    '+SET k v', '+SET p v PX 100000',
    'TTL k', 'PTTL k', 'EXPIRETIME k', 'PEXPIRETIME k', 'TTL nokey', 'PTTL nokey', 'EXPIRETIME nokey',
    'PEXPIRETIME nokey', 'TTL p', 'PTTL p', 'TTL', 'TTL a b',
  ],
  'PERSIST': [
    '+SET p v', '+SET q v PX 100000',
    'PERSIST nokey', 'PERSIST p', 'PERSIST q', 'TTL q', 'PERSIST q', 'PERSIST', 'PERSIST p q',
  ],
  'RENAME and RENAMENX': [
    '+SET a 1', '+RPUSH list x y', '+HSET h f v', '+SET t v PX 100000', '+SET u v',
    'RENAME nokey other', 'RENAMENX nokey other', 'RENAME a a', 'RENAMENX a a', 'RENAME a b', 'EXISTS a b',
    'TYPE b', 'RENAME b list', 'TYPE list', 'RENAMENX list h', 'TYPE h', 'RENAMENX h h2', 'TYPE h2', 'EXISTS h',
    'RENAME t t2', 'TTL t2', 'TTL t', 'RENAME u t2', 'TTL t2', 'RENAME', 'RENAME a', 'RENAME a b c', 'DBSIZE',
  ],
  'COPY': [
    '+SET src hello', '+RPUSH clist 1 2 3', '+HSET chash a 1', '+SADD cset x', '+ZADD czset 1.5 m',
    '+SET ct v PX 100000',
    'COPY nokey dst', 'COPY x x', 'COPY nokey nokey', 'COPY src src', 'COPY src dst', 'TYPE dst', 'COPY src dst',
    'COPY clist dst', 'COPY clist dst REPLACE', 'TYPE dst', 'COPY chash chash2', 'TYPE chash2', 'COPY cset cset2',
    'TYPE cset2', 'COPY czset czset2', 'TYPE czset2', 'COPY ct ct2', 'TTL ct2', 'TTL ct', 'COPY src d0 DB 0',
    'COPY src d0 DB 16', 'COPY src d0 DB -1', 'COPY src d0 DB abc', 'COPY src d0 REPLACE DB 0', 'COPY src',
    'COPY src d FOO', 'COPY src d DB', 'DBSIZE',
  ],
  'KEYS glob': [
    ...GLOB_KEYS.map((k) => `+SET ${k} 1`),
    ...GLOB_PATTERNS.map((p) => `KEYS ${p}`),
    'KEYS', 'KEYS a b',
  ],
  'SCAN in one batch, MATCH, TYPE, COUNT, errors': [
    '+SET s1 v', '+SET s2 v', '+RPUSH l1 a', '+HSET h1 f v', '+SADD set1 m', '+ZADD z1 1 m',
    'SCAN 0', 'SCAN 0 COUNT 100', 'SCAN 0 MATCH s* COUNT 100', 'SCAN 0 MATCH *1 TYPE string COUNT 100',
    'SCAN 0 TYPE list', 'SCAN 0 TYPE LIST', 'SCAN 0 TYPE hash', 'SCAN 0 TYPE set', 'SCAN 0 TYPE zset',
    'SCAN 0 TYPE stream', 'SCAN 0 TYPE nosuchtype', 'SCAN 0 MATCH nomatch', 'SCAN 0 count 100 match l*',
    'SCAN abc', 'SCAN 1.5', 'SCAN 18446744073709551616', 'SCAN 0 COUNT 0', 'SCAN 0 COUNT -1', 'SCAN 0 COUNT abc',
    'SCAN 0 MATCH', 'SCAN 0 FOO bar', 'SCAN',
  ],
  'RANDOMKEY and DBSIZE': [
    'RANDOMKEY', 'DBSIZE', '+SET only v', 'RANDOMKEY', 'DBSIZE', 'RANDOMKEY x', 'DBSIZE x',
  ],
  'FLUSHDB and FLUSHALL': [
    '+SET s v', '+RPUSH l a', '+HSET h f v', '+SADD st m', '+ZADD z 1 a',
    'FLUSHDB', 'DBSIZE', 'EXISTS s l h st z', '+SET s v', 'FLUSHALL', 'DBSIZE', '+SET s v', 'FLUSHDB ASYNC',
    '+SET s v', 'FLUSHDB sync', '+SET s v', 'FLUSHALL ASYNC', '+SET s v', 'FLUSHALL SYNC', 'DBSIZE',
    'FLUSHDB foo', 'FLUSHALL ASYNC SYNC', 'FLUSHDB ASYNC ASYNC',
  ],
  'PING ECHO SELECT': [
    'PING', 'PING hello', 'PING ""', 'PING "a\\x00\\xffb"', 'ECHO hi', 'ECHO ""', 'ECHO "\\\\x\\x00"',
    'ECHO', 'ECHO a b', 'SELECT 0', 'SELECT 16', 'SELECT -1', 'SELECT abc', 'SELECT', 'SELECT 0 1',
  ],
  'refused commands still check their arity': ['TIME x', 'DUMP', 'WAIT 0', 'OBJECT ENCODING', 'MOVE k'],
};

export interface RecordedCase {
  readonly name: string;
  readonly lines: readonly string[];
  /** One per line; null for setup lines (and for a nil reply). */
  readonly replies: readonly (ReplyJson | null)[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const redis = await RespClient.connect(Number(process.argv[2] ?? 7104));
  const out: RecordedCase[] = [];
  for (const [name, lines] of Object.entries(CASES)) {
    await redis.call('FLUSHALL');
    const replies: (ReplyJson | null)[] = [];
    for (const line of lines) {
      const reply = await redis.call(...tokenize(line.replace(/^\+/, '')));
      if (line.startsWith('+') && reply.type === 'error') throw new Error(`setup ${line}: ${reply.message}`);
      replies.push(line.startsWith('+') ? null : replyToJson(reply));
    }
    out.push({ name, lines, replies });
  }
  await redis.call('FLUSHALL');
  await redis.close();
  const file = fileURLToPath(new URL('./generic.recorded.json', import.meta.url));
  writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${out.length} cases to ${file}`);
}
