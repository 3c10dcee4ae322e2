import { translate } from '../translate.js';
import type { CompiledCommand } from '../translators/types.js';
import type { ReplyShape } from '../emit/reply.js';
import { RedisError } from '../errors.js';
import { Refused, type RuntimeParam } from './refused.js';

/**
 * A command whose statement depended on values known only when it runs,
 * translated then, as `exec` translates it. A statement that would not do
 * what Redis does (XREAD with BLOCK, which answers at once without the wait:
 * the translation's warning) is refused with that warning rather than run:
 * the codemod reports such calls where it can see the BLOCK, and this holds
 * where it could not.
 *
 *   translateNow(['XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'])
 *   // throws Error('redis2sql: not converted: XREAD BLOCK does not wait here: …')
 */
export function translateNow(argv: readonly (string | Buffer)[]): CompiledCommand {
  const compiled = translate(argv);
  if (compiled.warnings.length > 0) throw new Error(`redis2sql: not converted: ${compiled.warnings[0]}`);
  return compiled;
}

/** The statement of a node-redis argv translated now; Redis' error for it rejects as node-redis' ErrorReply. */
export function nodeRedisTranslation(major: 4 | 5, argv: readonly unknown[]): { readonly sql: string; readonly params: readonly RuntimeParam[]; readonly shape: ReplyShape } {
  const sent = argv.map((arg, i) => {
    if (typeof arg === 'string' || Buffer.isBuffer(arg)) return arg;
    throw new TypeError(major === 4 ? 'Invalid argument type' : `"arguments[${i}]" must be of type "string | Buffer", got ${typeof arg} instead.`);
  });
  try {
    const compiled = translateNow(sent);
    return { sql: compiled.sql, params: compiled.params, shape: compiled.reply };
  } catch (error) {
    if (!(error instanceof RedisError)) throw error;
    // Redis' error for these arguments: the statement that answers with it.
    return { sql: '', params: [new Refused(error)], shape: { kind: 'scalar', of: 'status' } };
  }
}
