/**
 * node-redis' reply transforms, by command module (the upper-case names of
 * its command table: `ZRANGE_WITHSCORES` is what `zRangeWithScores` runs),
 * for node-redis 4 and 5 under RESP2 with no type mapping.
 *
 * Every module of a command redis2sql translates whose `transformReply` does
 * more than return the reply is listed (test/codemod/node-redis-replies.test.ts
 * checks that against the installed clients): `plain` where one major has no
 * transform, `unknown` where its transform is not reproduced, so the codemod
 * reports those calls instead of guessing.
 */
import type { Flavour, Transform } from './values.js';

export type NodeRedisReply = Transform | 'plain' | 'unknown';

const V4_BOOLEAN: readonly [NodeRedisReply, NodeRedisReply] = ['boolean', 'plain'];
const SCORES: readonly [NodeRedisReply, NodeRedisReply] = ['with-scores', 'with-scores'];

const REPLIES: Readonly<Record<string, readonly [v4: NodeRedisReply, v5: NodeRedisReply]>> = {
  COPY: V4_BOOLEAN,
  EXPIRE: V4_BOOLEAN,
  EXPIREAT: V4_BOOLEAN,
  PEXPIRE: V4_BOOLEAN,
  PEXPIREAT: V4_BOOLEAN,
  PERSIST: V4_BOOLEAN,
  RENAMENX: V4_BOOLEAN,
  HEXISTS: V4_BOOLEAN,
  HSETNX: V4_BOOLEAN,
  MSETNX: V4_BOOLEAN,
  SETNX: V4_BOOLEAN,
  SISMEMBER: V4_BOOLEAN,
  SMOVE: V4_BOOLEAN,
  XGROUP_CREATECONSUMER: V4_BOOLEAN,
  XGROUP_DESTROY: V4_BOOLEAN,
  SMISMEMBER: ['boolean-array', 'plain'],
  SCRIPT_EXISTS: ['boolean-array', 'plain'],
  SCAN: ['scan', 'scan'],
  SSCAN: ['sscan', 'sscan'],
  HSCAN: ['hscan', 'hscan'],
  HSCAN_NOVALUES: ['hscan-novalues', 'hscan-novalues'],
  ZSCAN: ['zscan', 'zscan'],
  HGETALL: ['tuples', 'tuples'],
  HRANDFIELD_COUNT_WITHVALUES: ['tuples', 'field-values'],
  ZADD: ['double', 'double'],
  ZADD_INCR: ['double-nullable', 'double-nullable'],
  ZINCRBY: ['double', 'double'],
  ZSCORE: ['double-nullable', 'double-nullable'],
  ZMSCORE: ['double-array', 'double-array'],
  ZDIFF_WITHSCORES: SCORES,
  ZINTER_WITHSCORES: SCORES,
  ZUNION_WITHSCORES: SCORES,
  ZRANGE_WITHSCORES: SCORES,
  ZRANGEBYSCORE_WITHSCORES: SCORES,
  ZRANDMEMBER_COUNT_WITHSCORES: SCORES,
  ZPOPMAX_COUNT: SCORES,
  ZPOPMIN_COUNT: SCORES,
  ZPOPMAX: ['member-nullable', 'member-nullable'],
  ZPOPMIN: ['member-nullable', 'member-nullable'],
  ZMPOP: ['zmpop', 'zmpop'],
  XRANGE: ['stream-messages', 'stream-messages'],
  XREVRANGE: ['stream-messages', 'stream-messages'],
  XREAD: ['streams-messages', 'streams-messages'],
  XREADGROUP: ['streams-messages', 'streams-messages'],
  XPENDING: ['xpending', 'xpending'],
  XPENDING_RANGE: ['xpending-range', 'xpending-range'],
  XCLAIM: ['xclaim', 'xclaim'],
  XAUTOCLAIM: ['xautoclaim', 'xautoclaim'],
  XAUTOCLAIM_JUSTID: ['xautoclaim-justid', 'xautoclaim-justid'],
  XINFO_STREAM: ['xinfo-stream', 'xinfo-stream'],
  XINFO_GROUPS: ['xinfo-groups', 'xinfo-groups'],
  XINFO_CONSUMERS: ['xinfo-consumers', 'xinfo-consumers'],
  // node-redis 4 checks the reply is a number (it always is from Redis 6.2.5 on) and returns it.
  ZRANGESTORE: ['plain', 'plain'],
  // Not reproduced: the blocking pops' objects (their commands are reported
  // anyway), ZRANK WITHSCORE.
  TIME: ['time', 'plain'],
  LCS_IDX: ['lcs-idx', 'lcs-idx'],
  LCS_IDX_WITHMATCHLEN: ['lcs-idx-withmatchlen', 'lcs-idx-withmatchlen'],
  PUBSUB_NUMSUB: ['pubsub-numsub', 'pubsub-numsub'],
  BLPOP: ['unknown', 'unknown'],
  BRPOP: ['unknown', 'unknown'],
  BZPOPMAX: ['unknown', 'unknown'],
  BZPOPMIN: ['unknown', 'unknown'],
  BZMPOP: ['unknown', 'unknown'],
  ZRANK_WITHSCORE: ['unknown', 'unknown'],
};

/**
 * How node-redis transforms the reply of a command module, or undefined when
 * the module is not listed (its reply is the plain RESP2 value).
 *
 *   nodeRedisTransform('SISMEMBER', 'node-redis4')  → 'boolean'
 *   nodeRedisTransform('SISMEMBER', 'node-redis5')  → 'plain'
 */
export function nodeRedisTransform(module: string, flavour: Exclude<Flavour, 'ioredis'>): NodeRedisReply | undefined {
  return REPLIES[module]?.[flavour === 'node-redis4' ? 0 : 1];
}
