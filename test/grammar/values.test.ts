import { describe, expect, it } from 'vitest';
import { toScanCursor } from '../../src/grammar/values.js';

// Accepted or refused as redis-server 7.0.15 answered `SCAN <cursor>` and
// `SSCAN s <cursor>` (refused: `ERR invalid cursor`).
describe('toScanCursor reads cursors as Redis (strtoul on a C string)', () => {
  it.each([
    ['', 0n],
    ['+3', 3n],
    ['007', 7n],
    ['-0', 0n],
    ['00000000000000000000000000000000001', 1n],
    ['9223372036854775808', 9223372036854775808n],
    ['18446744073709551615', 18446744073709551615n],
    ['-1', 18446744073709551615n],
    ['-9223372036854775809', 2n ** 64n - 9223372036854775809n],
    ['1\0x', 1n],
    ['\0', 0n],
    ['\x001', 0n],
  ] as const)('%j → %s', (text, cursor) => {
    expect(toScanCursor(Buffer.from(text, 'latin1'))).toBe(cursor);
  });

  it.each(['nan', ' 1', '1 ', '\t1', '0x10', '-', '+', '+-1', '18446744073709551616', '-18446744073709551616'])(
    '%j is refused',
    (text) => {
      expect(toScanCursor(Buffer.from(text, 'latin1'))).toBeUndefined();
    },
  );
});
