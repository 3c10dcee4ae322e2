/**
 * The run-time half of converted node-redis scripts, those a client gets
 * from `createClient({ scripts: { name: defineScript({ SCRIPT, NUMBER_OF_KEYS,
 * transformArguments | parseCommand, transformReply }) } })`. The user's own
 * argument and reply transforms run at run time exactly as node-redis runs
 * them, so the codemod need not understand them; the script itself was
 * compiled by the codemod into a PL/pgSQL function (in `--schema-out`), which
 * the EVALSHA statement calls by the script's sha:
 *
 *   const client = r2s.nodeRedisScripts(new pg.Pool(…), { add: r2s.nodeRedisDefineScript({ SCRIPT, NUMBER_OF_KEYS: 1, transformArguments, transformReply }) });
 *   await r2s.nodeRedisScript(client, 4, 'add', ['n', 5])  → what `client.add('n', 5)` resolved to
 */
import { createHash } from 'node:crypto';
import { decodeReply } from '../emit/decode.js';
import { translate } from '../translate.js';
import { database, type Target } from './database-runtime.js';
import { rawValue } from './values.js';
import { asClientError } from './client-errors.js';
import { DEFAULT_SCHEMA, quoteSchema } from '../emit/schema/index.js';

const S = quoteSchema(DEFAULT_SCHEMA);

/**
 * A converted script call (ioredis' eval() and defined commands, node-redis'
 * scripts) runs the statement EVALSHA compiles to with `lua_run` in place of
 * `lua_evalsha`, its parameters (sha, keys, args) the same: it runs the
 * script's function as EVALSHA does, and where SCRIPT FLUSH dropped it,
 * creates it again from the script's row of `lua_sources` (written by
 * `--schema-out`), as the clients' calls do (an EVAL, or EVALSHA and then
 * EVAL on NOSCRIPT); undefined for any other statement.
 *
 *   scriptRunSql('SELECT redis.lua_evalsha($1, $2::text[], $3::bytea[]) AS reply')  → 'SELECT redis.lua_run($1, $2::text[], $3::bytea[]) AS reply'
 */
export function scriptRunSql(evalsha: string): string | undefined {
  return evalsha === `SELECT ${S}.lua_evalsha($1, $2::text[], $3::bytea[]) AS reply` ? `SELECT ${S}.lua_run($1, $2::text[], $3::bytea[]) AS reply` : undefined;
}

/** The argument collector node-redis 5 hands a script's `parseCommand` (its BasicCommandParser's methods). */
export class ScriptParser {
  readonly redisArgs: (string | Buffer)[] = [];
  readonly keys: (string | Buffer)[] = [];
  preserve: unknown;

  push(...args: (string | Buffer)[]): void {
    this.redisArgs.push(...args);
  }

  pushVariadic(vals: string | Buffer | readonly (string | Buffer)[]): void {
    if (Array.isArray(vals)) for (const v of vals as readonly (string | Buffer)[]) this.push(v);
    else this.push(vals as string | Buffer);
  }

  pushVariadicWithLength(vals: string | Buffer | readonly (string | Buffer)[]): void {
    this.redisArgs.push(Array.isArray(vals) ? String(vals.length) : '1');
    this.pushVariadic(vals);
  }

  pushVariadicNumber(vals: number | readonly number[]): void {
    if (Array.isArray(vals)) for (const v of vals as readonly number[]) this.push(v.toString());
    else this.push((vals as number).toString());
  }

  pushKey(key: string | Buffer): void {
    this.keys.push(key);
    this.redisArgs.push(key);
  }

  pushKeysLength(keys: string | Buffer | readonly (string | Buffer)[]): void {
    this.redisArgs.push(Array.isArray(keys) ? String(keys.length) : '1');
    this.pushKeys(keys);
  }

  pushKeys(keys: string | Buffer | readonly (string | Buffer)[]): void {
    if (Array.isArray(keys)) {
      this.keys.push(...(keys as readonly (string | Buffer)[]));
      this.redisArgs.push(...(keys as readonly (string | Buffer)[]));
    } else {
      this.keys.push(keys as string | Buffer);
      this.redisArgs.push(keys as string | Buffer);
    }
  }

  get firstKey(): string | Buffer | undefined {
    return this.keys[0];
  }
}

/** A script as node-redis 4 or 5 defines it (`defineScript`'s argument, plus its SHA1). */
export interface NodeRedisScriptDefinition {
  readonly SCRIPT: string;
  readonly NUMBER_OF_KEYS?: number;
  readonly SHA1?: string;
  readonly IS_READ_ONLY?: boolean;
  readonly transformArguments?: (...args: never[]) => unknown;
  readonly parseCommand?: (parser: ScriptParser, ...args: never[]) => void;
  readonly transformReply?: unknown;
}

const SCRIPTS = Symbol.for('redis2sql.nodeRedisScripts');

/**
 * node-redis' `defineScript`: the definition with its SHA1.
 *
 *   nodeRedisDefineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: 0, transformArguments: () => [] }).SHA1  → 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'
 */
export function nodeRedisDefineScript<T extends NodeRedisScriptDefinition>(script: T): T & { readonly SHA1: string } {
  return { ...script, SHA1: createHash('sha1').update(script.SCRIPT).digest('hex') };
}

/**
 * The pool standing for a client created with `scripts`: the definitions
 * ride on it (a non-enumerable property), so that its scripts' calls
 * anywhere find them, as they found them on the client.
 *
 *   const client = nodeRedisScripts(new pg.Pool(), { add: defineScript({…}) })  → the same pool
 */
export function nodeRedisScripts<T extends object>(target: T, scripts: Readonly<Record<string, NodeRedisScriptDefinition>>): T {
  Object.defineProperty(target, SCRIPTS, { value: scripts, enumerable: false, configurable: true });
  return target;
}

/**
 * A compiled script call of node-redis `major`: the EVALSHA statement of the
 * argv the definition's transforms build (as node-redis sends it), run by
 * `lua_run` (scriptRunSql), and how its raw reply becomes the client's value.
 *
 *   scriptStatement(pool, 4, 'add', ['n', 5])  → { sql: 'SELECT redis.lua_run(…) AS reply', params: […], shape: { kind: 'lua' }, value }
 */
export function scriptStatement(target: Target, major: 4 | 5, name: string, args: readonly unknown[]) {
  const script = (target as unknown as Record<symbol, Readonly<Record<string, NodeRedisScriptDefinition>> | undefined>)[SCRIPTS]?.[name];
  // The codemod put the definitions on the pool where it converted createClient(): a pool without them is a bug of the conversion.
  if (script === undefined) throw new TypeError(`no script '${name}' was defined on this pool (see nodeRedisScripts)`);
  const sha = script.SHA1 ?? createHash('sha1').update(script.SCRIPT).digest('hex');
  const argv: (string | Buffer)[] = ['EVALSHA', sha];
  let preserve: unknown;
  if (major === 4) {
    if (script.NUMBER_OF_KEYS !== undefined) argv.push(script.NUMBER_OF_KEYS.toString());
    const built = (script.transformArguments as ((...a: unknown[]) => (string | Buffer)[] & { preserve?: unknown }) | undefined)?.(...args) ?? [];
    argv.push(...built);
    preserve = built.preserve;
  } else {
    if (script.NUMBER_OF_KEYS !== undefined) argv.push(script.NUMBER_OF_KEYS.toString());
    const parser = new ScriptParser();
    (script.parseCommand as ((p: ScriptParser, ...a: unknown[]) => void) | undefined)?.(parser, ...args);
    argv.push(...parser.redisArgs);
    preserve = parser.preserve;
  }
  const compiled = translate(argv);
  const sql = scriptRunSql(compiled.sql);
  if (sql === undefined) throw new TypeError(`redis2sql: the call of script '${name}' did not compile to EVALSHA's statement`);
  const transform = typeof script.transformReply === 'function' ? script.transformReply : major === 5 ? (script.transformReply as Record<number, unknown> | undefined)?.[2] : undefined;
  return {
    sql,
    params: compiled.params,
    shape: compiled.reply,
    value: (reply: Parameters<typeof rawValue>[0]): unknown => {
      const raw = rawValue(reply);
      return typeof transform === 'function' ? (transform as (r: unknown, p: unknown) => unknown)(raw, preserve) : raw;
    },
  };
}

/**
 * `client.name(...args)` for a script the client was created with: what node-redis resolves with.
 *
 *   await nodeRedisScript(client, 4, 'add', ['n', 5])  → 55
 */
export async function nodeRedisScript<T = unknown>(target: Target, major: 4 | 5, name: string, args: readonly unknown[]): Promise<T> {
  const s = scriptStatement(target, major, name, args);
  try {
    return s.value(decodeReply(s.shape, await database(target).query(s.sql, s.params))) as T;
  } catch (error) {
    throw asClientError('node-redis', error);
  }
}
