import type { ArgsOf } from './spec.js';
import type { CommandName, SpecOf } from './table.js';

/**
 * A parsed command: its canonical name, the argv it came from, and its
 * arguments by name, typed from the command table.
 *
 *   parseCommand('SET k v EX 10') →
 *   { name: 'SET', args: { key: 'k', value: <Buffer 76>, condition: undefined, get: undefined,
 *                         expiration: { kind: 'seconds', value: 10n } }, argv: [...] }
 */
export interface Command<N extends CommandName = CommandName> {
  readonly name: N;
  readonly args: ArgsOf<SpecOf<N>['args']>;
  /** The arguments as given, name first (bytes, as Redis received them). */
  readonly argv: readonly Buffer[];
}

/** The discriminated union of every command, narrowed by `name`. */
export type AnyCommand = { [N in CommandName]: Command<N> }[CommandName];
