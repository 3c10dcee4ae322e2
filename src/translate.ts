import { UnsupportedError } from './errors.js';
import type { AnyCommand } from './grammar/command.js';
import { parseCommand, type CommandInput } from './grammar/parse.js';
import { DEFAULT_SCHEMA, quoteSchema } from './emit/schema/index.js';
import { build, raw } from './translators/sql.js';
import { TRANSLATORS } from './translators/index.js';
import { afterLookup } from './translators/after-lookup.js';
import type { CompiledCommand, Refusal, TranslateContext, TranslateOptions, Translator } from './translators/types.js';

/**
 * Compile one Redis command into one parameterised PostgreSQL statement and
 * the shape of its reply.
 *
 *   translate('INCRBY counter 5')
 *   → { command: 'INCRBY', sql: 'SELECT redis.incrby($1, $2) AS reply', params: ['counter', '5'],
 *       reply: { kind: 'scalar', of: 'integer' }, warnings: [] }
 *
 * Throws `RedisError` where Redis would reply with an error while parsing,
 * `UnsupportedError` for a command we do not translate (with the reason).
 */
export function translate(input: CommandInput | AnyCommand, options: TranslateOptions = {}): CompiledCommand {
  const cmd = isCommand(input) ? input : parseCommand(input);
  const entry = TRANSLATORS[cmd.name] as Translator<typeof cmd.name> | Refusal;
  if ('refused' in entry) throw new UnsupportedError(cmd.name, entry.refused);
  const ctx: TranslateContext = { S: raw(quoteSchema(options.schema ?? DEFAULT_SCHEMA)) };
  // A parse error Redis gives only after the key lookup: look the keys up, then raise it.
  const translation =
    cmd.deferred === undefined ? entry(cmd as never, ctx) : afterLookup(cmd.deferred, cmd.args, ctx.S);
  const statement = build(translation.sql);
  return Object.freeze({
    command: cmd.name,
    sql: statement.text,
    params: Object.freeze([...statement.params]),
    reply: translation.reply,
    warnings: Object.freeze([...(translation.warnings ?? [])]),
  });
}

function isCommand(input: unknown): input is AnyCommand {
  return typeof input === 'object' && input !== null && 'name' in input && 'args' in input && 'argv' in input;
}

/** Whether a command (upper-case name) has a translator, and if not, why. */
export function translationStatus(name: string): { translated: true } | { translated: false; refusal: Refusal } {
  const entry = (TRANSLATORS as Record<string, Translator<never> | Refusal | undefined>)[name];
  if (entry === undefined) return { translated: false, refusal: { refused: 'unknown command', kind: 'never' } };
  return 'refused' in entry ? { translated: false, refusal: entry } : { translated: true };
}
