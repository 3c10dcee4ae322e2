import type { CommandSpec } from './spec.js';
import { STRING_COMMANDS } from './commands/string.js';

/**
 * Every command redis2sql knows how to parse: one declarative entry each,
 * grouped as Redis groups them. Commands Redis has but we never parse
 * (server admin, cluster, ACL…) are in `REFUSED_COMMANDS` with the reason.
 */
export const COMMAND_SPECS = [...STRING_COMMANDS] as const;

export type AnyCommandSpec = (typeof COMMAND_SPECS)[number];
export type CommandName = AnyCommandSpec['name'];
export type SpecOf<N extends CommandName> = Extract<AnyCommandSpec, { readonly name: N }>;

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
