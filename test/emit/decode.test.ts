import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/db/types.js';
import { decodeReply } from '../../src/emit/decode.js';
import { BULK, DOUBLE, INTEGER, OK, STATUS, type RedisReply, type ReplyShape } from '../../src/emit/reply.js';

const bulk = (s: string | null): RedisReply => ({ type: 'bulk', value: s === null ? null : Buffer.from(s, 'latin1') });
const int = (n: bigint): RedisReply => ({ type: 'integer', value: n });
const arr = (...items: RedisReply[]): RedisReply => ({ type: 'array', value: items });
const NIL_ARRAY: RedisReply = { type: 'array', value: null };

const cases: [string, ReplyShape, Row[], RedisReply][] = [
  ['constant ignores the rows', OK, [], { type: 'status', value: 'OK' }],
  ['status from text', STATUS, [{ reply: 'QUEUED' }], { type: 'status', value: 'QUEUED' }],
  ['status NULL → nil bulk (SET NX that did not set)', STATUS, [{ reply: null }], bulk(null)],
  ['integer from int8', INTEGER, [{ reply: -9223372036854775808n }], int(-9223372036854775808n)],
  ['integer from int4', INTEGER, [{ reply: 3 }], int(3n)],
  ['integer from bool', INTEGER, [{ reply: true }, { reply: false }], int(1n)],
  ['integer from numeric text', INTEGER, [{ reply: '18446744073709551615' }], int(18446744073709551615n)],
  ['bulk from bytea', BULK, [{ reply: Buffer.from([0, 255]) }], { type: 'bulk', value: Buffer.from([0, 255]) }],
  ['bulk from text is UTF-8', BULK, [{ reply: 'é' }], { type: 'bulk', value: Buffer.from('é', 'utf8') }],
  ['bulk: no row → nil', BULK, [], bulk(null)],
  ['bulk: NULL → nil', BULK, [{ reply: null }], bulk(null)],
  ['scalar nil: array', { kind: 'scalar', of: 'bulk', nil: 'array' }, [], NIL_ARRAY],
  ['scalar from a named column', { kind: 'scalar', of: 'integer', column: 'n' }, [{ n: 5n, reply: 1n }], int(5n)],
  ['double %.17g', DOUBLE, [{ reply: 0.1 }], bulk('0.10000000000000001')],
  ['double inf', DOUBLE, [{ reply: -Infinity }], bulk('-inf')],
  ['double -0', DOUBLE, [{ reply: -0 }], bulk('-0')],
  ['decimal text as is', { kind: 'scalar', of: 'decimal' }, [{ reply: '3.0e3' }], bulk('3.0e3')],
  ['array-column of bulk with NULL elements', { kind: 'array-column', of: 'bulk' }, [{ reply: [Buffer.from('a'), null] }], arr(bulk('a'), bulk(null))],
  ['array-column of doubles', { kind: 'array-column', of: 'double', column: 'scores' }, [{ scores: [1.5, Infinity] }], arr(bulk('1.5'), bulk('inf'))],
  ['array-column NULL → empty by default', { kind: 'array-column', of: 'bulk' }, [{ reply: null }], arr()],
  ['array-column no row → nil when asked', { kind: 'array-column', of: 'bulk', nil: 'array' }, [], NIL_ARRAY],
  ['array-column empty array', { kind: 'array-column', of: 'integer' }, [{ reply: [] }], arr()],
  ['rows: one element per row', { kind: 'rows', row: BULK }, [{ reply: 'a' }, { reply: null }], arr(bulk('a'), bulk(null))],
  ['rows: none → empty array', { kind: 'rows', row: BULK }, [], arr()],
  ['rows: none → nil array (LPOP key count)', { kind: 'rows', row: BULK, nilWhenEmpty: true }, [], NIL_ARRAY],
  [
    'rows flat: WITHSCORES pairs spliced in',
    { kind: 'rows', flat: true, row: { kind: 'tuple', items: [scalarOf('bulk', 'm'), scalarOf('double', 's')] } },
    [{ m: Buffer.from('a'), s: 1 }, { m: Buffer.from('b'), s: 2.5 }],
    arr(bulk('a'), bulk('1'), bulk('b'), bulk('2.5')),
  ],
  [
    'rows of tuples: nested arrays (XRANGE)',
    {
      kind: 'rows',
      row: { kind: 'tuple', items: [scalarOf('bulk', 'id'), { kind: 'array-column', of: 'bulk', column: 'fields' }] },
    },
    [{ id: '1-1', fields: [Buffer.from('f'), Buffer.from('v')] }],
    arr(arr(bulk('1-1'), arr(bulk('f'), bulk('v')))),
  ],
  [
    'tuple: SCAN cursor then keys',
    { kind: 'tuple', items: [scalarOf('bulk', 'cursor'), { kind: 'array-column', of: 'bulk', column: 'keys' }] },
    [{ cursor: '0', keys: ['k1'] }],
    arr(bulk('0'), arr(bulk('k1'))),
  ],
  ['tuple: no row → nil when asked', { kind: 'tuple', items: [BULK], nilWhenNoRow: true }, [], NIL_ARRAY],
  ['json: nested arrays of integers and text (LCS IDX)', { kind: 'json' }, [{ reply: '["matches", [[[4, 7], [5, 8], 4]], "len", 6, null]' }], arr(bulk('matches'), arr(arr(arr(int(4n), int(7n)), arr(int(5n), int(8n)), int(4n))), bulk('len'), int(6n), bulk(null))],
  ['json: NULL → nil', { kind: 'json', column: 'j' }, [{ j: null }], bulk(null)],
  ['json: no row → nil', { kind: 'json' }, [], bulk(null)],
  [
    'zip flat: WITHSCORES from parallel arrays',
    { kind: 'zip', flat: true, columns: [{ column: 'm', of: 'bulk' }, { column: 's', of: 'double' }] },
    [{ m: [Buffer.from('a'), Buffer.from('b')], s: [1, 0.1] }],
    arr(bulk('a'), bulk('1'), bulk('b'), bulk('0.10000000000000001')),
  ],
  [
    'zip of two columns: pairs (ZMPOP)',
    { kind: 'zip', columns: [{ column: 'm', of: 'bulk' }, { column: 's', of: 'double' }] },
    [{ m: [Buffer.from('a')], s: [-Infinity] }],
    arr(arr(bulk('a'), bulk('-inf'))),
  ],
  ['zip of one column: plain list', { kind: 'zip', columns: [{ column: 'm', of: 'bulk' }] }, [{ m: [Buffer.from('a'), Buffer.from('b')] }], arr(bulk('a'), bulk('b'))],
  ['zip: NULL arrays or no row → empty', { kind: 'zip', columns: [{ column: 'm', of: 'bulk' }] }, [{ m: null }], arr()],
  [
    'lua: every Redis value, bytes in hex',
    { kind: 'lua' },
    [{ reply: '{"a": [{"i": "-9223372036854775808"}, {"b": "00ff"}, {"s": "4f4b"}, {"e": "45525220626164"}, null, {"a": []}]}' }],
    arr(int(-9223372036854775808n), { type: 'bulk', value: Buffer.from([0, 0xff]) }, { type: 'status', value: 'OK' }, { type: 'error', message: 'ERR bad' }, bulk(null), arr()),
  ],
  ['lua: NULL → nil', { kind: 'lua' }, [{ reply: null }], bulk(null)],
  ['tuple: no row → items from nothing', { kind: 'tuple', items: [BULK, { kind: 'array-column', of: 'bulk' }] }, [], arr(bulk(null), arr())],
];

function scalarOf(of: 'bulk' | 'double' | 'integer', column: string): ReplyShape {
  return { kind: 'scalar', of, column };
}

describe('decodeReply', () => {
  it.each(cases)('%s', (_name, shape, rows, expected) => {
    expect(decodeReply(shape, rows)).toEqual(expected);
  });

  it('reports a column the statement did not return as a bug', () => {
    expect(() => decodeReply(INTEGER, [{ n: 1n }])).toThrow('decode: the statement returned no column "reply" (columns: n)');
  });

  it('refuses a value of the wrong SQL type', () => {
    expect(() => decodeReply(INTEGER, [{ reply: 1.5 }])).toThrow('is not an integer');
    expect(() => decodeReply(DOUBLE, [{ reply: Buffer.from('x') }])).toThrow('is not a double');
  });
});
