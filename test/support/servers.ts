import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RespClient } from './resp.js';

/**
 * Start and stop the oracle servers of the live tests: a real redis-server and
 * a PostgreSQL server, each a child process on a loopback port, with nothing
 * kept on disk after `stop()`.
 *
 *   const redis = await startRedis();          // a free port, or startRedis(7106)
 *   const postgres = await startPostgres();    // postgres.url = 'postgres://postgres@127.0.0.1:PORT/postgres'
 *   …
 *   await Promise.all([redis.stop(), postgres.stop()]);
 */
export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface RunningPostgres extends RunningServer {
  /** A connection string for `pg` (trust authentication, user `postgres`). */
  readonly url: string;
}

/** A TCP port nobody listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * Start `redis-server` on 127.0.0.1 without persistence and wait until PING
 * answers.
 *
 *   const redis = await startRedis(7106);
 */
export async function startRedis(port?: number): Promise<RunningServer> {
  const p = port ?? (await freePort());
  const child = spawn(REDIS_SERVER, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = collect(child);
  await waitUntil(`redis-server on port ${p}`, child, stderr, async () => {
    const client = await RespClient.connect(p);
    try {
      const reply = await client.call('PING');
      return reply.type === 'status' && reply.value === 'PONG';
    } finally {
      await client.close();
    }
  });
  const forget = cleanUpOnExit(() => child.kill('SIGKILL'));
  return {
    port: p,
    stop: async () => {
      forget();
      await stopChild(child, 'SIGTERM');
    },
  };
}

/**
 * Where the PostgreSQL server binaries are: on PATH (as here), or under
 * /usr/lib/postgresql/<major>/bin as Debian's `postgresql` package installs them
 * (highest major first).
 */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const dir = join(root, major, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
    }
  }
  throw new Error('no PostgreSQL server binaries (initdb, postgres) on PATH or under /usr/lib/postgresql/*/bin');
}

/** uid/gid of a system user, from /etc/passwd (PostgreSQL refuses to run as root). */
function systemUser(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`running as root, and there is no '${name}' system user to run PostgreSQL as`);
}

/**
 * initdb a fresh cluster in a temporary directory and run `postgres` on
 * 127.0.0.1 with fsync off (the data is thrown away). As root, both run as the
 * `postgres` system user, which owns the directory.
 *
 *   const postgres = await startPostgres(5433);
 *
 * `settings` override those defaults (`-c name=value`); the benchmark keeps
 * fsync on and only turns synchronous_commit off:
 *
 *   await startPostgres(undefined, { fsync: 'on', full_page_writes: 'on' });
 */
export async function startPostgres(
  port?: number,
  settings: Readonly<Record<string, string>> = {},
): Promise<RunningPostgres> {
  const p = port ?? (await freePort());
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'redis2sql-pg-'));
  const asUser = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const data = join(dir, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const spawnOptions = { env, cwd: dir, ...(asUser ?? {}) };
  try {
    await runToEnd(
      spawn(
        join(bin, 'initdb'),
        ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
      'initdb',
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const child = spawn(
    join(bin, 'postgres'),
    [
      '-D', data,
      '-p', String(p),
      '-h', '127.0.0.1',
      '-k', dir,
      ...Object.entries({
        fsync: 'off',
        synchronous_commit: 'off',
        full_page_writes: 'off',
        max_connections: '50',
        ...settings,
      }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr = collect(child);
  const url = `postgres://postgres@127.0.0.1:${p}/postgres`;
  const forget = cleanUpOnExit(() => {
    // SIGQUIT: immediate shutdown, the only kind that cannot be waited for here.
    child.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  });
  const stop = async (): Promise<void> => {
    forget();
    // SIGINT is PostgreSQL's "fast shutdown": clients are disconnected, no waiting.
    await stopChild(child, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`postgres on port ${p}`, child, stderr, async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port: p, url, stop };
}

/**
 * A last resort when the process exits without calling `stop()` (a test
 * runner torn down early): run `cleanUp` synchronously on exit. Returns the
 * function that cancels it.
 */
function cleanUpOnExit(cleanUp: () => void): () => void {
  const onExit = (): void => {
    try {
      cleanUp();
    } catch {
      // Exiting anyway: nothing left to report to.
    }
  };
  process.once('exit', onExit);
  return () => process.off('exit', onExit);
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  });
  return () => text;
}

function runToEnd(child: ChildProcess, what: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (${code ?? signal}):\n${output}`)),
    );
  });
}

async function waitUntil(
  what: string,
  child: ChildProcess,
  stderr: () => string,
  ready: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => (exited = String(code ?? signal)));
  child.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`${what}: could not start: ${spawnError.message}`);
    if (exited !== undefined) throw new Error(`${what} exited (${exited}) before answering:\n${stderr()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} did not answer within ${timeoutMs} ms:\n${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
