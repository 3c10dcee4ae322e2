import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisReply } from '../src/emit/reply.js';
import { tokenize } from '../src/grammar/tokenize.js';
import {
  bytesToJson,
  canonicalUniverse,
  defaultRule,
  parseAnnotation,
  recordedReply,
  replyToJson,
  serializeRecording,
  universeQuery,
  type CompareRule,
  type RecordedCommand,
} from '../test/support/oracle.js';
import { RespClient } from '../test/support/resp.js';
import { startRedis, type RunningServer } from '../test/support/servers.js';

/**
 * `npm run record [-- name…]`: play every fixtures/oracle/*.redis file (or
 * those whose name contains one of the arguments) on a real redis-server and
 * write the replies next to it as <name>.replies.json.
 *
 * A .redis file is redis-cli command lines, one per line, `#` comments, and
 * annotation comments for the next command (`# @unordered`, see
 * test/support/oracle.ts). Each file starts from an empty database (FLUSHALL).
 * The server is started on a free port and stopped afterwards, or taken from
 * REDIS_PORT when set (whose data FLUSHALL erases). It must be Redis 7.0, the
 * version we are faithful to.
 *
 *   npm run record                 # every file
 *   npm run record -- strings      # fixtures/oracle/strings*.redis
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'fixtures', 'oracle');

/** One command line of a .redis file, with the rule it is compared by. */
export interface ScriptLine {
  readonly line: number;
  readonly argv: readonly Buffer[];
  readonly rule: CompareRule;
}

/**
 * Read a .redis file into commands: blank lines and comments skipped,
 * annotations applied to the next command.
 *
 *   readScript(Buffer.from('# @unordered\nSMEMBERS s\n')) → [{ line: 2, argv: [SMEMBERS, s], rule: unordered }]
 */
export function readScript(text: Buffer, file = '<input>'): ScriptLine[] {
  const out: ScriptLine[] = [];
  let annotation: { text: string; line: number } | undefined;
  let start = 0;
  for (let n = 1; start <= text.length; n++) {
    let end = text.indexOf(0x0a, start);
    if (end < 0) end = text.length;
    const raw = text.subarray(start, end);
    start = end + 1;
    const trimmed = raw.toString('latin1').trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      if (/^#\s*@/.test(trimmed)) {
        if (annotation) throw new Error(`${file}:${annotation.line}: annotation not followed by a command`);
        annotation = { text: raw.toString('utf8'), line: n };
      }
      continue;
    }
    let argv: Buffer[];
    try {
      argv = tokenize(raw);
    } catch (err) {
      throw new Error(`${file}:${n}: ${(err as Error).message}`);
    }
    if (argv.length === 0) continue;
    let rule = defaultRule(argv);
    if (annotation) {
      try {
        rule = parseAnnotation(annotation.text, () => argv) ?? rule;
      } catch (err) {
        throw new Error(`${file}:${annotation.line}: ${(err as Error).message}`);
      }
      annotation = undefined;
    }
    out.push({ line: n, argv, rule });
  }
  if (annotation) throw new Error(`${file}:${annotation.line}: annotation not followed by a command`);
  return out;
}

/** The .redis files to record, filtered by name fragments (all when none). */
export function scriptFiles(filters: readonly string[] = []): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.redis'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort()
    .map((f) => join(DIR, f));
}

/** Play one script on Redis (after FLUSHALL) and return what it replied. */
export async function recordScript(redis: RespClient, lines: readonly ScriptLine[]): Promise<RecordedCommand[]> {
  const flushed = await redis.call('FLUSHALL');
  if (flushed.type !== 'status') throw new Error(`FLUSHALL failed: ${JSON.stringify(replyToJson(flushed))}`);
  const out: RecordedCommand[] = [];
  for (const { line, argv, rule } of lines) {
    let universe: RedisReply | undefined;
    const query = rule.kind === 'random' ? universeQuery(argv) : undefined;
    if (query) universe = await withTimeout(redis.send(query), line);
    const reply = await withTimeout(redis.send(argv), line);
    out.push({
      line,
      argv: argv.map(bytesToJson),
      reply: recordedReply(reply, rule),
      ...(rule.kind === 'exact' ? {} : { rule }),
      ...(universe === undefined ? {} : { universe: replyToJson(canonicalUniverse(universe, rule)) }),
    });
  }
  return out;
}

// A blocking command with nothing to pop and timeout 0 would wait forever.
const REPLY_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, line: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`line ${line}: no reply within ${REPLY_TIMEOUT_MS} ms (a blocking command waiting?)`)),
      REPLY_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `redis_version` from INFO server; refuses anything but 7.0.x. */
export async function redisVersion(redis: RespClient): Promise<string> {
  const info = await redis.call('INFO', 'server');
  const text = info.type === 'bulk' && info.value ? info.value.toString('utf8') : '';
  const version = /redis_version:(\S+)/.exec(text)?.[1];
  if (version === undefined) throw new Error('INFO server did not say redis_version');
  if (!version.startsWith('7.0.')) throw new Error(`the oracle is Redis 7.0; this server is ${version}`);
  return version;
}

async function main(filters: readonly string[]): Promise<void> {
  const files = scriptFiles(filters);
  if (files.length === 0) throw new Error(`no .redis files in ${relative(ROOT, DIR)} match ${filters.join(' ')}`);
  let server: RunningServer | undefined;
  const envPort = process.env.REDIS_PORT;
  if (envPort === undefined || envPort === '') server = await startRedis();
  const port = server ? server.port : Number(envPort);
  const redis = await RespClient.connect(port);
  try {
    const version = await redisVersion(redis);
    for (const file of files) {
      const source = relative(ROOT, file);
      const lines = readScript(readFileSync(file), source);
      const commands = await recordScript(redis, lines).catch((err: unknown) => {
        throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`);
      });
      const target = join(DIR, `${basename(file, '.redis')}.replies.json`);
      writeFileSync(target, serializeRecording({ source, redis: version, commands }));
      process.stdout.write(`${relative(ROOT, target)}: ${commands.length} commands\n`);
    }
  } finally {
    await redis.close();
    await server?.stop();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`record-fixtures: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
