import { connect, type Socket } from 'node:net';
import type { RedisReply } from '../../src/emit/reply.js';

/**
 * A minimal RESP2 client over a raw socket: enough to drive a real
 * redis-server as the oracle, binary-safe both ways, without a dependency.
 *
 *   const redis = await RespClient.connect(7106);
 *   await redis.call('SET', 'k', Buffer.from([0, 255]));   // → { type: 'status', value: 'OK' }
 *   await redis.call('GET', 'k');                          // → { type: 'bulk', value: <Buffer 00 ff> }
 *   await redis.close();
 *
 * Replies come back in the RedisReply form of src/emit/reply.ts, so they can
 * be compared directly with what our SQL decodes to.
 */
export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: RedisReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('redis connection closed')));
  }

  /** Connect to a redis-server on the loopback interface (or `host`). */
  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.setNoDelay(true);
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RespClient(socket));
      });
    });
  }

  /** Send one command (argv, name first) and wait for its reply. */
  call(...argv: readonly (string | Buffer)[]): Promise<RedisReply> {
    return this.send(argv);
  }

  send(argv: readonly (string | Buffer)[]): Promise<RedisReply> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = new Promise<RedisReply>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.socket.write(encodeCommand(argv));
    return reply;
  }

  /** Send several commands in one write and collect their replies in order. */
  pipeline(commands: readonly (readonly (string | Buffer)[])[]): Promise<RedisReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(
      () => new Promise<RedisReply>((resolve, reject) => this.waiting.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (parsed === undefined) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const waiter = this.waiting.shift();
      if (waiter === undefined) {
        this.fail(new Error('redis sent a reply nobody asked for'));
        return;
      }
      waiter.resolve(parsed.reply);
    }
  }
}

/** The RESP2 multi-bulk encoding of one command. */
export function encodeCommand(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Parse one RESP2 reply starting at `offset`; undefined when the buffer does
 * not hold all of it yet.
 *
 *   parseReply(Buffer.from(':5\r\n'), 0) → { reply: { type: 'integer', value: 5n }, end: 4 }
 */
export function parseReply(buf: Buffer, offset: number): { reply: RedisReply; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case '+':
      return { reply: { type: 'status', value: line }, end: next };
    case '-':
      return { reply: { type: 'error', message: line }, end: next };
    case ':':
      return { reply: { type: 'integer', value: BigInt(line) }, end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: { type: 'bulk', value: null }, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { reply: { type: 'bulk', value: Buffer.from(buf.subarray(next, next + length)) }, end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: { type: 'array', value: null }, end: next };
      const items: RedisReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (item === undefined) return undefined;
        items.push(item.reply);
        at = item.end;
      }
      return { reply: { type: 'array', value: items }, end: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(kind)}`);
  }
}
