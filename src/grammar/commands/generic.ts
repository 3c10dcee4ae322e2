import type { CommandSpec } from '../spec.js';

/** Redis 7.0's `generic` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const GENERIC_COMMANDS = [] as const satisfies readonly CommandSpec[];
