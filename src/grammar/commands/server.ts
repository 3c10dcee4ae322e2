import type { CommandSpec } from '../spec.js';

/** PING, ECHO, SELECT, DBSIZE, FLUSHDB, FLUSHALL and TIME: the connection and server commands we translate. */
export const SERVER_COMMANDS = [] as const satisfies readonly CommandSpec[];
