/**
 * redis2sql as a library: Redis commands in, one parameterised PostgreSQL
 * statement each out, and a runtime that runs them and decodes Redis' reply.
 *
 *   import { translate, embeddedDatabase, ensureSchema, runCommand, formatRedisCli } from 'redis2sql';
 *
 *   translate('ZADD lb 10 alice')        // → { sql: 'SELECT … $1 … $2 …', params: ['lb', …], reply: … }
 *   const db = await embeddedDatabase();
 *   await ensureSchema(db);
 *   formatRedisCli(await runCommand(db, 'INCR visits'))   // → '(integer) 1\n'
 */

// Grammar
export { tokenize, toArgv, type CommandInput } from './grammar/tokenize.js';
export { parseCommand } from './grammar/parse.js';
export { COMMAND_SPECS, REFUSED_COMMANDS, specOf, type CommandName } from './grammar/table.js';
export type { AnyCommand, Command } from './grammar/command.js';

// Translation
export { translate, translationStatus } from './translate.js';
export type { CompiledCommand, Refusal, SqlParam, TranslateOptions } from './translators/types.js';

// Schema
export { schemaSql, DEFAULT_SCHEMA, type SchemaOptions } from './emit/schema/index.js';

// Replies
export { REDIS_ERROR_SQLSTATE, type RedisReply, type ReplyShape, type ScalarKind } from './emit/reply.js';
export { decodeReply } from './emit/decode.js';
export { formatDouble, formatG } from './emit/doubles.js';
export { formatRedisCli, quoteBytes } from './emit/redis-cli.js';

// Output formats and the compatibility matrix
export {
  OUTPUT_FORMATS,
  formatPsql,
  formatSql,
  inlineParams,
  renderTranslations,
  sqlLiteral,
  translateForOutput,
  type OutputFormat,
  type TranslationResult,
} from './emit/format.js';
export { compatibilityMatrix, matrixMarkdown, type MatrixRow, type MatrixStatus } from './emit/matrix.js';

// Runtime
export {
  embeddedDatabase,
  ensureSchema,
  openDatabase,
  postgresDatabase,
  type Database,
  type DbValue,
  type EmbeddedOptions,
  type OpenOptions,
  type Queryable,
  type Row,
} from './db/index.js';
export { OWN_ERROR_PREFIX, errorReply, runCommand, runCompiled, runScript, scriptLines, type ExecOptions, type ScriptStep } from './exec.js';

// Errors
export {
  DatabaseError,
  LuaCompileError,
  Redis2SqlError,
  RedisError,
  RedisSyntaxError,
  StorageError,
  TokenizeError,
  UnsupportedError,
  UsageError,
} from './errors.js';
