import { block, command, int, key, keys, multiple, oneof, optional, rules, str, token } from '../spec.js';

const OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';
const BIT_ERROR = 'ERR bit is not an integer or out of range';

/**
 * A bit offset as Redis' getBitOffsetFromArgument reads it: an int64 from 0
 * up to the last bit of a proto-max-bulk-len string (512 MB: 2^32 - 1).
 */
const offset = rules(int('offset'), {
  error: OFFSET_ERROR,
  range: { min: 0n, max: 4294967295n, error: OFFSET_ERROR },
});

/** BITCOUNT's and BITPOS's `BYTE|BIT`. */
const indexUnit = optional(oneof('index_unit', token('byte', 'BYTE'), token('bit', 'BIT')));

/** BITOP's operation: Redis compares it with strcasecmp, so the word ends at its first NUL byte. */
export function bitopOperation(word: Buffer): 'AND' | 'OR' | 'XOR' | 'NOT' | undefined {
  const nul = word.indexOf(0);
  const name = (nul < 0 ? word : word.subarray(0, nul)).toString('latin1').toUpperCase();
  return name === 'AND' || name === 'OR' || name === 'XOR' || name === 'NOT' ? name : undefined;
}

/**
 * Redis 7.0's `bitmap` group. Arity, flags and key positions as `COMMAND INFO`
 * gives them. BITCOUNT and BITPOS look their key up before they read the
 * range: a missing key answers (0; BITPOS 1 → -1, 0 → 0) whatever follows,
 * and a string's range errors come after the type check.
 */
export const BITMAP_COMMANDS = [
  command('BITCOUNT', 'bitmap', -2, ['readonly'], keys(1, 1, 1), [
    rules(key(), {
      afterLookup: { keys: ['key'], types: ['string'], missing: { integer: () => 0n }, argc: [2, 4, 5] },
    }),
    optional(block('index', int('start'), int('end'), indexUnit)),
  ]),
  command('BITOP', 'bitmap', -4, ['write', 'denyoom'], keys(2, -1, 1), [
    // COMMAND DOCS says string: the translator refuses any other word (a syntax error, before the keys are read).
    str('operation'),
    key('destkey'),
    multiple(key()),
  ]),
  command('BITPOS', 'bitmap', -3, ['readonly'], keys(1, 1, 1), [
    key(),
    rules(int('bit'), {
      range: { min: 0n, max: 1n, error: 'ERR The bit argument must be 1 or 0.' },
      afterLookup: {
        keys: ['key'],
        types: ['string'],
        missing: { integer: (read) => (read['bit'] === 1n ? -1n : 0n) },
        argc: [3, 4, 5, 6],
      },
    }),
    optional(
      block(
        'index',
        int('start'),
        // Redis reads BYTE|BIT before it converts the end (`BITPOS k 1 0 x FOO` is a syntax error).
        optional(block('end_index', rules(int('end'), { late: true }), indexUnit)),
      ),
    ),
  ]),
  // BITFIELD's subcommands are read by the translator with Redis' own loop
  // (bitfieldGeneric: GET, SET, INCRBY and OVERFLOW in any order and number,
  // each error where the loop meets it), not by the table's any-order runs.
  command('BITFIELD', 'bitmap', -2, ['write', 'denyoom'], keys(1, 1, 1), [key(), optional(multiple(str('operation')))]),
  command('BITFIELD_RO', 'bitmap', -2, ['readonly', 'fast'], keys(1, 1, 1), [
    key(),
    optional(multiple(str('operation'))),
  ]),
  command('GETBIT', 'bitmap', 3, ['readonly', 'fast'], keys(1, 1, 1), [key(), offset]),
  command('SETBIT', 'bitmap', 4, ['write', 'denyoom'], keys(1, 1, 1), [
    key(),
    offset,
    rules(int('value'), { error: BIT_ERROR, range: { min: 0n, max: 1n, error: BIT_ERROR } }),
  ]),
] as const;
