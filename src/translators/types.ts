import type { Command } from '../grammar/command.js';
import type { CommandName, NamesOf } from '../grammar/table.js';
import type { Group } from '../grammar/spec.js';
import type { ReplyShape } from '../emit/reply.js';
import type { Fragment, Raw, SqlParam } from './sql.js';

/**
 * What a Redis command compiles to: one SQL statement with `$n` parameters,
 * and the shape that turns its rows into the Redis reply. Frozen.
 */
export interface CompiledCommand {
  /** The command's canonical name (`SET`, `XGROUP CREATE`). */
  readonly command: string;
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly reply: ReplyShape;
  /** What the SQL does not reproduce (the wait of a blocking command…). */
  readonly warnings: readonly string[];
}

export interface TranslateOptions {
  /** PostgreSQL schema holding the tables and helper functions (default `redis`). */
  readonly schema?: string;
}

export interface TranslateContext {
  /** The schema, quoted if it needs to be: splice as `${ctx.S}.keys`. */
  readonly S: Raw;
}

/** What a translator returns: the statement and its reply shape. */
export interface Translation {
  readonly sql: Fragment;
  readonly reply: ReplyShape;
  readonly warnings?: readonly string[];
}

export type Translator<N extends CommandName> = (cmd: Command<N>, ctx: TranslateContext) => Translation;

/** A command we parse but do not translate, and why. */
export interface Refusal {
  readonly refused: string;
  /** `pending`: not translated yet (a later issue); `never`: cannot be done faithfully in SQL. */
  readonly kind: 'pending' | 'never';
}

export const pending = (reason: string): Refusal => ({ refused: reason, kind: 'pending' });
export const never = (reason: string): Refusal => ({ refused: reason, kind: 'never' });

export type TranslatorTable = { readonly [N in CommandName]: Translator<N> | Refusal };

export type { SqlParam };

/** One group's translators: every command of the group, translated or refused. */
export type GroupTranslators<G extends Group> = { readonly [N in NamesOf<G>]: Translator<N> | Refusal };
