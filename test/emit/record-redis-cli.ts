/**
 * Records what a real redis-server replies and how redis-cli prints it, for
 * test/emit/redis-cli.test.ts. Rerun with a redis-server 7.0 listening:
 *
 *   node --import tsx test/emit/record-redis-cli.ts 7105
 *
 * Each line is sent twice: inline over a socket (the RESP reply, kept as JSON)
 * and through `redis-cli --no-raw` (and plain `redis-cli`, whose output to a
 * pipe is the raw style — kept only to show the difference). So every line must
 * be idempotent: the setup runs once first.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { replyToJson } from '../support/oracle.js';
import { parseReply } from '../support/resp.js';
import type { RedisReply } from '../../src/emit/reply.js';

const SETUP = [
  'FLUSHALL',
  'SET bin "a\\x00b\\xff\\n\\r\\t\\a\\b\\\\\\"q\\x7f\\x1b \\xc3\\xa9"',
  'XADD s 1-1 f v g "w x"',
  'XADD s 1-2 f2 v2',
  'RPUSH l a b c d e f g h i j k l',
  'ZADD z 1 a 2.5 b',
  'SET k v',
];

const LINES = [
  'SET k v',
  'GET bin',
  'GET k',
  'GET nokey',
  'SET e ""',
  'GET e',
  'STRLEN bin',
  'INCR bin',
  'LRANGE nolist 0 -1',
  'LRANGE l 0 -1',
  'LRANGE l 0 8',
  'XRANGE s - +',
  'SCAN 0 MATCH k',
  'PING',
  'ZRANGE z 0 -1 WITHSCORES',
  'GETDEL',
  'FOO bar',
  'EVAL "return {1,{2,{3,{}},\\"x\\"},redis.status_reply(\\"FINE\\")}" 0',
  'EVAL "return {err=\\"MYERR bad\\"}" 0',
  'EVAL "return {1,2,3,4,5,6,7,8,9,{1,2,3,4,5,6,7,8,9,10,11},{{},{1}},redis.error_reply(\\"E x\\"),false,\\"\\"}" 0',
  'EVAL "return redis.status_reply(\\"\\")" 0',
  'EVAL "return -9223372036854775807 - 1" 0',
  'EVAL "return {{{{\\"deep\\"}}}}" 0',
  'EVAL "return \\"\\\\x80\\\\xe9\\\\xff\\\\x01~ \\\\x7f\\\\\\\\\\\\\\"\\"" 0',
  'BLPOP nolist 0.01',
];

async function inline(port: number, lines: readonly string[]): Promise<RedisReply[]> {
  const socket = connect({ port, host: '127.0.0.1' });
  let buf = Buffer.alloc(0);
  const replies: RedisReply[] = [];
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const parsed = parseReply(buf, 0);
        if (parsed === undefined) break;
        replies.push(parsed.reply);
        buf = buf.subarray(parsed.end);
      }
      if (replies.length === lines.length) {
        socket.end();
        resolve(replies);
      }
    });
    socket.write(lines.map((l) => `${l}\r\n`).join(''));
  });
}

function cli(port: number, line: string, noRaw: boolean): string {
  const args = ['-p', String(port), ...(noRaw ? ['--no-raw'] : [])];
  return execFileSync('redis-cli', args, { input: `${line}\n`, encoding: 'latin1' });
}

const port = Number(process.argv[2] ?? 7105);
await inline(port, SETUP);
const replies = await inline(port, LINES);
const rows = LINES.map((input, i) => ({
  input,
  reply: replyToJson(replies[i]!),
  noRaw: cli(port, input, true),
  raw: cli(port, input, false),
}));
const out = fileURLToPath(new URL('./redis-cli.recorded.json', import.meta.url));
const recordedWith = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
writeFileSync(out, JSON.stringify({ recordedWith, setup: SETUP, rows }, null, 2) + '\n');
console.log(`wrote ${rows.length} rows to ${out}`);
