import type { CommandSpec, Group } from './spec.js';
import { GENERIC_COMMANDS } from './commands/generic.js';
import { HASH_COMMANDS } from './commands/hash.js';
import { LIST_COMMANDS } from './commands/list.js';
import { PUBSUB_COMMANDS } from './commands/pubsub.js';
import { SCRIPTING_COMMANDS } from './commands/scripting.js';
import { SERVER_COMMANDS } from './commands/server.js';
import { SET_COMMANDS } from './commands/set.js';
import { SORTED_SET_COMMANDS } from './commands/sorted-set.js';
import { STREAM_COMMANDS } from './commands/stream.js';
import { STRING_COMMANDS } from './commands/string.js';
import { TRANSACTIONS_COMMANDS } from './commands/transactions.js';

/**
 * Every command redis2sql knows how to parse: one declarative entry each,
 * grouped as Redis groups them. Commands Redis has but we never parse
 * (server admin, cluster, ACL…) are in `REFUSED_COMMANDS` with the reason.
 */
export const COMMAND_SPECS = [
  ...STRING_COMMANDS,
  ...GENERIC_COMMANDS,
  ...HASH_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...SORTED_SET_COMMANDS,
  ...STREAM_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...TRANSACTIONS_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...SERVER_COMMANDS,
] as const;

export type AnyCommandSpec = (typeof COMMAND_SPECS)[number];
export type CommandName = AnyCommandSpec['name'];
export type SpecOf<N extends CommandName> = Extract<AnyCommandSpec, { readonly name: N }>;
/** The names of one group's commands (`NamesOf<'hash'>` = 'HGET' | 'HSET' | …). */
export type NamesOf<G extends Group> = Extract<AnyCommandSpec, { readonly group: G }>['name'];

const BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMAND_SPECS.map((spec) => [spec.name, spec]));

/** The spec of a command (`'GET'`, `'XGROUP CREATE'`), by its upper-case name. */
export function specOf(name: string): CommandSpec | undefined {
  return BY_NAME.get(name);
}

/**
 * Redis commands outside the data groups: known by name so that we can say
 * why they are not translated, rather than calling them unknown.
 */
export const REFUSED_COMMANDS: Readonly<Record<string, string>> = {};
