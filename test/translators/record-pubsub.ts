/**
 * Records Redis 7.0's replies for the pub/sub cases of
 * test/translators/pubsub.test.ts: two connections, A and B, run the lines of
 * each case in turn; after each line everything each connection received
 * (replies and pushed messages) is recorded, once the server is quiet.
 *
 *   node --import tsx test/translators/record-pubsub.ts 7109
 */
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisReply } from '../../src/emit/reply.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { replyToJson, type ReplyJson } from '../support/oracle.js';
import { encodeCommand, parseReply } from '../support/resp.js';

/** `A:` or `B:` then a redis-cli line. */
export const CASES: Readonly<Record<string, readonly string[]>> = {
  'channels, patterns, counts and messages': [
    'A:SUBSCRIBE a b a',
    'A:PSUBSCRIBE n* h[ae]llo',
    'B:PUBLISH a hi',
    'B:PUBLISH nx yo',
    'B:PUBLISH hello "\\x00\\xff\\\\ \\n"',
    'B:PUBLISH hullo none',
    'B:PUBSUB NUMSUB a b n* zz',
    'B:PUBSUB NUMSUB',
    'B:PUBSUB NUMPAT',
    'B:PUBSUB CHANNELS a*',
    'B:PUBSUB CHANNELS x*',
    'A:PSUBSCRIBE *',
    'B:PUBLISH a twice',
    'B:PSUBSCRIBE n*',
    'B:PUBLISH nx two-clients',
    'B:PUBSUB NUMPAT',
    'B:PUNSUBSCRIBE',
    'A:GET k',
    'A:PING',
    'A:PING x',
    'A:UNSUBSCRIBE zz',
    'A:PUNSUBSCRIBE * h[ae]llo',
    'A:UNSUBSCRIBE a',
    'B:PUBLISH a nobody',
    'B:PUBLISH b one',
    'A:PUNSUBSCRIBE',
    'A:UNSUBSCRIBE',
    'A:UNSUBSCRIBE',
    'A:PUNSUBSCRIBE',
    'A:GET k',
    'B:PUBSUB NUMSUB a b',
    'B:PUBSUB NUMPAT',
  ],
  'binary channels and a pattern with escapes': [
    'A:SUBSCRIBE "c\\x00\\xff"',
    'A:PSUBSCRIBE "q\\\\*" "[^a-c]?"',
    'B:PUBLISH "c\\x00\\xff" bin',
    'B:PUBLISH q* star',
    'B:PUBLISH qx no-star',
    'B:PUBLISH dz range',
    'B:PUBLISH az not-range',
    'B:PUBSUB NUMSUB "c\\x00\\xff"',
  ],
  'PUBLISH inside MULTI is delivered at EXEC': [
    'A:SUBSCRIBE c',
    'B:MULTI',
    'B:PUBLISH c first',
    'B:SET k v',
    'B:PUBLISH c second',
    'B:EXEC',
    'B:DISCARD',
  ],
  'arity': ['A:SUBSCRIBE', 'A:PSUBSCRIBE', 'A:PUBLISH a', 'A:UNSUBSCRIBE', 'A:PUBLISH a b'],
};

export interface RecordedStep {
  readonly line: string;
  readonly A: readonly ReplyJson[];
  readonly B: readonly ReplyJson[];
}

class Conn {
  received: RedisReply[] = [];
  private buffer = Buffer.alloc(0);
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (let p = parseReply(this.buffer, 0); p !== undefined; p = parseReply(this.buffer, 0)) {
        this.received.push(p.reply);
        this.buffer = this.buffer.subarray(p.end);
      }
    });
  }
  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('error', reject);
      socket.once('connect', () => resolve(new Conn(socket)));
    });
  }
  take(): RedisReply[] {
    return this.received.splice(0);
  }
}

const quiet = (): Promise<void> => new Promise((r) => setTimeout(r, 60));

async function record(port: number): Promise<Record<string, RecordedStep[]>> {
  const out: Record<string, RecordedStep[]> = {};
  for (const [name, lines] of Object.entries(CASES)) {
    const conns = { A: await Conn.open(port), B: await Conn.open(port) };
    conns.A.socket.write(encodeCommand(['FLUSHALL']));
    await quiet();
    conns.A.take();
    const steps: RecordedStep[] = [];
    for (const step of lines) {
      const who = step[0] as 'A' | 'B';
      conns[who].socket.write(encodeCommand(tokenize(step.slice(2))));
      await quiet();
      steps.push({ line: step, A: conns.A.take().map(replyToJson), B: conns.B.take().map(replyToJson) });
    }
    conns.A.socket.destroy();
    conns.B.socket.destroy();
    out[name] = steps;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? '6379');
  const recorded = await record(port);
  writeFileSync(new URL('./pubsub.recorded.json', import.meta.url), JSON.stringify(recorded, null, 1) + '\n');
  console.log(`recorded ${Object.keys(recorded).length} cases`);
}
