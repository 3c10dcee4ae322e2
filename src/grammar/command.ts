import type { ArgsOf, KeyLookup } from './spec.js';
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
  /**
   * An error Redis gives only after looking the keys up (see `afterLookup` in
   * spec.ts). `args` then holds only what was read before it: no translator
   * runs; translate() looks the keys up, then raises it.
   */
  readonly deferred?: DeferredError;
}

/** A parse error that waits for the key lookup. */
export interface DeferredError {
  readonly message: string;
  /** Index in argv of the argument at fault, when known. */
  readonly argIndex: number | undefined;
  readonly lookup: KeyLookup;
}

/** The discriminated union of every command, narrowed by `name`. */
export type AnyCommand = { [N in CommandName]: Command<N> }[CommandName];
