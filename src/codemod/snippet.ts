/**
 * The code the codemod writes for one command, for one client flavour: the
 * shared renderer of the codemod's call sites and of `translate --format ts`.
 */
import { UnsupportedError } from '../errors.js';
import { translate } from '../translate.js';
import { commandParams, compileCall, shapeText, type CompiledCall } from './compile-call.js';
import { nodeRedisTransform } from './node-redis-replies.js';
import type { Flavour, Transform } from './values.js';

export type { Flavour } from './values.js';

/** The runtime call for a compiled command (no `await`, no imports). */
export interface CallRender {
  readonly receiver: string;
  readonly compiled: CompiledCall;
  readonly flavour: Flavour;
  /** ioredis: how the reply is shaped beyond the generic mapping. */
  readonly ioredisAs?: 'object' | 'buffer' | 'object-buffer';
  /** node-redis: the command module's reply transform (none: the plain RESP2 value). */
  readonly transform?: Transform;
  /** The static type the client declared for the value, kept so code around the call still type-checks. */
  readonly typeArg?: string;
}

/**
 * The expression that runs a compiled command and yields the client's value.
 *
 *   renderCall({ receiver: 'pool', compiled, flavour: 'node-redis4', transform: 'boolean' })
 *   → 'r2s.nodeRedis(pool, 4, "SELECT … AS reply", [r2s.text(key)], { kind: \'scalar\', of: \'integer\' }, \'boolean\')'
 */
export function renderCall(r: CallRender): string {
  const type = r.typeArg === undefined ? '' : `<${r.typeArg}>`;
  const sql = JSON.stringify(r.compiled.sql);
  const shape = shapeText(r.compiled.shape);
  if (r.flavour === 'ioredis') {
    const as = r.ioredisAs === undefined ? '' : `, '${r.ioredisAs}'`;
    return `r2s.ioredis${type}(${r.receiver}, ${sql}, ${r.compiled.params}, ${shape}${as})`;
  }
  const major = r.flavour === 'node-redis4' ? 4 : 5;
  const transform = r.transform === undefined ? '' : `, '${r.transform}'`;
  return `r2s.nodeRedis${type}(${r.receiver}, ${major}, ${sql}, ${r.compiled.params}, ${shape}${transform})`;
}

export interface SnippetOptions {
  /** Whose values the snippet yields (default ioredis). */
  readonly flavour?: Flavour;
  /** The pg Pool or Client variable (default `pool`). */
  readonly receiver?: string;
}

/**
 * A ready node-postgres snippet for one Redis command: the imports, the pool,
 * and the call yielding the value the client would have given. For
 * node-redis, the value is that of the method named after the command (its
 * `…WithScores` twin when the command has WITHSCORES).
 *
 *   renderSnippet(['SISMEMBER', 's', 'm'], { flavour: 'node-redis4' })
 *   → "import pg from 'pg';\nimport * as r2s from 'redis2sql/codemod-runtime';\n\n
 *      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });\n
 *      const reply = await r2s.nodeRedis(pool, 4, \"SELECT … AS reply\", [\"s\", Buffer.from(\"m\")], …, 'boolean');\n"
 *
 * Throws the `RedisError`/`UnsupportedError` of translate(), or an
 * `UnsupportedError` when the client's reply transform is not reproduced.
 */
export function renderSnippet(argv: readonly string[], options: SnippetOptions = {}): string {
  const flavour = options.flavour ?? 'ioredis';
  const receiver = options.receiver ?? 'pool';
  // translate() first, so that Redis' own errors and refusals reach the caller as they are.
  translate(argv);
  const compiled = compileCall(() => argv, [], flavour === 'ioredis' ? 'ioredis' : 'node-redis');
  if (!('sql' in compiled)) throw new UnsupportedError(argv[0] ?? '', compiled.message);
  let call: string;
  if (flavour === 'ioredis') {
    // The codemod's ioredis call: the method and its literal arguments ride on the parameters (err.command).
    const [method = '', ...args] = argv;
    const withCommand = { ...compiled, params: commandParams(method, args.map((a) => JSON.stringify(a)), compiled.params, false) };
    call = renderCall({ receiver, compiled: withCommand, flavour, ...(compiled.command === 'HGETALL' ? { ioredisAs: 'object' as const } : {}) });
  } else {
    const withScores = argv.some((a) => a.toUpperCase() === 'WITHSCORES');
    const key = compiled.command.replace(/ /g, '_');
    const reply = (withScores ? nodeRedisTransform(`${key}_WITHSCORES`, flavour) : undefined) ?? nodeRedisTransform(key, flavour) ?? 'plain';
    if (reply === 'unknown') throw new UnsupportedError(compiled.command, `node-redis' reply transform of ${compiled.command} is not reproduced`);
    call = renderCall({ receiver, compiled, flavour, ...(reply === 'plain' ? {} : { transform: reply }) });
  }
  return [
    "import pg from 'pg';",
    "import * as r2s from 'redis2sql/codemod-runtime';",
    '',
    `const ${receiver} = new pg.Pool({ connectionString: process.env.DATABASE_URL });`,
    `const reply = await ${call};`,
    '',
  ].join('\n');
}
