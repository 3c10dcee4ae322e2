import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToJson, type BytesJson } from '../test/support/oracle.js';
import { encodeCommand, parseReply } from '../test/support/resp.js';
import { freePort } from '../test/support/servers.js';

/**
 * `node --import tsx scripts/record-monitor.ts`: record real `redis-cli MONITOR`
 * captures into fixtures/monitor/, with what was sent beside each one
 * (`<name>.sent.json`: every command MONITOR should show, in order, with its
 * exact bytes, its client kind and database), so that the tests check our
 * parser against redis-server 7.0's own escaping (sdscatrepr).
 *
 * It starts its own redis-server (REDIS_PORT, else a free port) on the IPv4
 * and IPv6 loopback addresses with a unix socket beside them, runs `redis-cli monitor`, sends each command over RESP
 * (so the bytes are exactly the ones listed), then stops both.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'fixtures', 'monitor');

type Via = 'tcp' | 'ipv6' | 'unix';

interface Step {
  readonly via: Via;
  readonly argv: readonly (string | Buffer)[];
  /** Commands a script runs, shown after the EVAL as `[db lua]` lines. */
  readonly lua?: readonly (readonly string[])[];
  /** Not shown by MONITOR (admin commands such as CONFIG and DEBUG). */
  readonly hidden?: true;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Escapes, quoting, binary bytes, unicode, scripts, a unix socket client, another database. */
const ESCAPES: readonly Step[] = [
  { via: 'tcp', argv: ['SET', 'user:1001:name', 'Ada Lovelace'] },
  { via: 'tcp', argv: ['SET', 'quote', 'say "hi"'] },
  { via: 'tcp', argv: ['SET', 'backslash', 'a\\b\\\\c\\x00'] },
  { via: 'tcp', argv: ['SET', 'controls', '\x00\r\n\t\x07\x08\x0b\x0c\x1b\x7f'] },
  { via: 'tcp', argv: ['SET', 'all-bytes', ALL_BYTES] },
  { via: 'tcp', argv: ['SET', 'unicode:ключ', 'héllo wörld 日本 🎉'] },
  { via: 'tcp', argv: ['SET', 'empty', ''] },
  { via: 'tcp', argv: ['SET', 'spaces in key', '  leading and trailing  '] },
  { via: 'tcp', argv: ['SET', "single'quote", "it's"] },
  { via: 'tcp', argv: ['SET', 'brackets] "x"', '[0 lua] "fake"'] },
  { via: 'tcp', argv: ['HSET', 'order:2024-05-01:17', 'status', 'paid', 'amount', '12.5'] },
  {
    via: 'tcp',
    argv: ['EVAL', "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])", '1', 'lock:42', 'tok "en"'],
    lua: [
      ['SET', 'lock:42', 'tok "en"'],
      ['GET', 'lock:42'],
    ],
  },
  { via: 'tcp', argv: ['CONFIG', 'GET', 'maxmemory'], hidden: true },
  { via: 'ipv6', argv: ['SET', 'via:ipv6', '[::1]'] },
  { via: 'unix', argv: ['SET', 'via:unix', 'socket'] },
  { via: 'unix', argv: ['SELECT', '3'] },
  { via: 'unix', argv: ['GET', 'db3 key'] },
  { via: 'tcp', argv: ['MULTI'] },
  { via: 'tcp', argv: ['INCR', 'orders:seq'] },
  { via: 'tcp', argv: ['RPUSH', 'orders:queue', 'order 7f3a9c'] },
  { via: 'tcp', argv: ['EXEC'] },
  { via: 'tcp', argv: ['PING'] },
];

/** A small application's traffic: ids, uuids, dates and hashes in keys, some commands we refuse. */
function workload(): Step[] {
  const steps: Step[] = [{ via: 'tcp', argv: ['CLIENT', 'SETNAME', 'web-1'] }];
  // Deterministic uuids (v4 layout) so the capture is the same on every run.
  const uuid = (i: number): string => {
    const h = (n: number, w: number): string => ((n * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, w);
    return `${h(i, 8)}-${h(i + 1, 4)}-4${h(i + 2, 3)}-8${h(i + 3, 3)}-${h(i + 4, 8)}${h(i + 5, 4)}`;
  };
  for (let i = 1; i <= 40; i++) {
    const id = 1000 + i * 37;
    steps.push({ via: 'tcp', argv: ['GET', `user:${id}:profile`] });
    steps.push({ via: 'tcp', argv: ['SET', `user:${id}:profile`, JSON.stringify({ id }), 'EX', '3600'] });
    steps.push({ via: 'tcp', argv: ['HINCRBY', `stats:2026-11-${String((i % 28) + 1).padStart(2, '0')}`, 'views', '1'] });
    if (i % 4 === 0) steps.push({ via: 'unix', argv: ['SETEX', `session:${uuid(i)}`, '900', `u${id}`] });
    if (i % 5 === 0) steps.push({ via: 'tcp', argv: ['ZINCRBY', 'leaderboard:weekly', '5', `user:${id}`] });
    if (i % 8 === 0) steps.push({ via: 'unix', argv: ['PUBLISH', 'events:user', `login ${id}`] });
  }
  steps.push(
    { via: 'tcp', argv: ['MULTI'] },
    { via: 'tcp', argv: ['INCR', 'orders:seq'] },
    { via: 'tcp', argv: ['RPUSH', 'orders:queue', 'order 7f3a9c'] },
    { via: 'tcp', argv: ['EXEC'] },
    { via: 'tcp', argv: ['CONFIG', 'GET', 'maxmemory'], hidden: true },
    { via: 'tcp', argv: ['OBJECT', 'ENCODING', 'leaderboard:weekly'] },
    { via: 'tcp', argv: ['KEYS', 'user:*'] },
    { via: 'tcp', argv: ['SCAN', '0', 'MATCH', 'session:*', 'COUNT', '100'] },
    { via: 'tcp', argv: ['GET', 'cache:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'] },
    { via: 'tcp', argv: ['INCR', 'counter:page:0xdeadbeef'] },
    { via: 'tcp', argv: ['INFO', 'keyspace'] },
    { via: 'tcp', argv: ['GEOADD', 'shops', '13.361389', '38.115556', 'palermo'] },
  );
  return steps;
}

export interface SentCommand {
  readonly client: Via | 'lua';
  readonly db: number;
  readonly argv: readonly BytesJson[];
}

class Connection {
  private buffer = Buffer.alloc(0);
  private readonly waiting: ((ok: boolean) => void)[] = [];
  private constructor(private readonly socket: ReturnType<typeof connect>) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (let r = parseReply(this.buffer, 0); r !== undefined; r = parseReply(this.buffer, 0)) {
        this.buffer = this.buffer.subarray(r.end);
        this.waiting.shift()?.(r.reply.type !== 'error');
      }
    });
  }
  static open(options: { port: number; host: string } | { path: string }): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(options);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new Connection(socket)));
    });
  }
  send(argv: readonly (string | Buffer)[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(argv));
    });
  }
  close(): void {
    this.socket.end();
  }
}

function waitFor(child: ChildProcess, output: () => string, done: (text: string) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (done(output())) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(check, 20);
    child.once('exit', () => {
      clearInterval(timer);
      if (!done(output())) reject(new Error(`${what}: the process ended first`));
    });
    setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`${what}: timed out; got ${JSON.stringify(output().slice(-300))}`));
    }, 20_000).unref();
  });
}

async function record(name: string, steps: readonly Step[], port: number, socketPath: string): Promise<void> {
  const monitor = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let captured = '';
  monitor.stdout!.on('data', (c: Buffer) => (captured += c.toString('latin1')));
  await waitFor(monitor, () => captured, (t) => t.startsWith('OK\n'), 'redis-cli monitor');
  const conns = {
    tcp: await Connection.open({ port, host: '127.0.0.1' }),
    ipv6: await Connection.open({ port, host: '::1' }),
    unix: await Connection.open({ path: socketPath }),
  };
  const sent: SentCommand[] = [];
  const db = { tcp: 0, ipv6: 0, unix: 0 };
  for (const step of steps) {
    await conns[step.via].send(step.argv);
    if (String(step.argv[0]).toUpperCase() === 'SELECT') db[step.via] = Number(step.argv[1]);
    if (step.hidden) continue;
    sent.push({ client: step.via, db: db[step.via], argv: step.argv.map((a) => bytesToJson(Buffer.from(a))) });
    for (const l of step.lua ?? []) sent.push({ client: 'lua', db: db[step.via], argv: l.map((a) => bytesToJson(Buffer.from(a))) });
  }
  // One line per command shown, after redis-cli's OK.
  await waitFor(monitor, () => captured, (t) => t.split('\n').length - 2 >= sent.length, 'the capture');
  for (const c of Object.values(conns)) c.close();
  monitor.kill('SIGTERM');
  writeFileSync(join(DIR, `${name}.monitor`), Buffer.from(captured, 'latin1'));
  writeFileSync(join(DIR, `${name}.sent.json`), JSON.stringify(sent, null, 1) + '\n');
  process.stdout.write(`fixtures/monitor/${name}.monitor: ${sent.length} commands\n`);
}

const port = process.env['REDIS_PORT'] === undefined ? await freePort() : Number(process.env['REDIS_PORT']);
const tmp = mkdtempSync(join(tmpdir(), 'redis2sql-monitor-'));
const socketPath = join(tmp, 'redis.sock');
const server = spawn(
  process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '::1', '--save', '', '--appendonly', 'no', '--unixsocket', socketPath, '--unixsocketperm', '700'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let log = '';
server.stdout!.on('data', (c: Buffer) => (log += c.toString()));
try {
  await waitFor(server, () => log, (t) => t.includes('Ready to accept connections'), 'redis-server');
  await record('escapes', ESCAPES, port, socketPath);
  await record('workload', workload(), port, socketPath);
} finally {
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
