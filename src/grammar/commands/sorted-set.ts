import type { CommandSpec } from '../spec.js';

/** Redis 7.0's `sorted_set` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const SORTED_SET_COMMANDS = [] as const satisfies readonly CommandSpec[];
