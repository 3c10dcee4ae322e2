/**
 * A command's arguments as ioredis sends them, from those its method was
 * given: an array argument flattened one level into the others, then the
 * object or Map of HSET/HMSET/MSET/MSETNX (ioredis' argument transforms) as
 * its fields and values, then each value a string or Buffer (null and
 * undefined as "", anything else `String(x)`).
 *
 *   ioredisArgs('zadd', ['z', [1, 'a'], 2.5, 'b'])  → ['z', '1', 'a', '2.5', 'b']
 *   ioredisArgs('hset', ['h', { f: 1 }])            → ['h', 'f', '1']
 */
export function ioredisArgs(name: string, given: readonly unknown[]): (string | Buffer)[] {
  let sent = given.flatMap((a) => (Array.isArray(a) ? (a as readonly unknown[]) : [a]));
  const at = name === 'hset' || name === 'hmset' ? 1 : name === 'mset' || name === 'msetnx' ? 0 : -1;
  const object = sent[at];
  if (at >= 0 && sent.length === at + 1 && typeof object === 'object' && object !== null && !Buffer.isBuffer(object)) sent = [...sent.slice(0, at), ...entries(object).flat()];
  return sent.map((a) => (typeof a === 'string' || Buffer.isBuffer(a) ? a : a === null || a === undefined ? '' : String(a)));
}

/** An object's own enumerable fields and their values (`Object.keys` order), or a Map's entries, as ioredis reads them. */
export function entries(pairs: unknown): [unknown, unknown][] {
  if (pairs instanceof Map) return [...pairs.entries()];
  const record = pairs as Record<string, unknown>;
  return Object.keys(record).map((key) => [key, record[key]]);
}
