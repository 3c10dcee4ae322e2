import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/servers.js';

/**
 * `node --import tsx scripts/record-redis-cli.ts`: play fixtures/redis-cli/replies.redis
 * through `redis-cli -2 --json` and `redis-cli -2 --quoted-json` on a fresh
 * redis-server (REDIS_PORT, else a free port) and keep what redis-cli printed,
 * byte for byte, as replies.json.out and replies.quoted-json.out: the oracle of
 * `redis2sql exec --json` / `--quoted-json`.
 */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'redis-cli');
const port = process.env['REDIS_PORT'] === undefined ? await freePort() : Number(process.env['REDIS_PORT']);
const server = spawn(process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  let log = '';
  server.stdout!.on('data', (c: Buffer) => {
    log += c.toString();
    if (log.includes('Ready to accept connections')) resolve();
  });
  server.once('exit', () => reject(new Error('redis-server ended')));
});
try {
  // Comments and blank lines are ours; redis-cli gets the commands only.
  const commands = readFileSync(join(DIR, 'replies.redis'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .join('\n');
  for (const mode of ['json', 'quoted-json']) {
    spawnSync('redis-cli', ['-p', String(port), 'FLUSHALL']);
    const r = spawnSync('redis-cli', ['-p', String(port), '-2', `--${mode}`], { input: `${commands}\n` });
    if (r.status !== 0) throw new Error(`redis-cli --${mode}: ${r.stderr.toString()}`);
    writeFileSync(join(DIR, `replies.${mode}.out`), r.stdout);
    process.stdout.write(`fixtures/redis-cli/replies.${mode}.out: ${r.stdout.toString('latin1').split('\n').length - 1} replies\n`);
  }
} finally {
  server.kill('SIGTERM');
}
