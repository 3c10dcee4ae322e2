import type { CommandSpec } from '../spec.js';

/** Redis 7.0's `stream` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const STREAM_COMMANDS = [] as const satisfies readonly CommandSpec[];
