import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatRedisCli, quoteBytes } from '../../src/emit/redis-cli.js';
import { replyFromJson, type ReplyJson } from '../support/oracle.js';

// Recorded from redis-server / redis-cli 7.0.15 by test/emit/record-redis-cli.ts:
// the server's RESP reply to each line, and what `redis-cli --no-raw` printed for it.
const RECORDED = JSON.parse(readFileSync(new URL('./redis-cli.recorded.json', import.meta.url), 'utf8')) as {
  rows: { input: string; reply: ReplyJson; noRaw: string; raw: string }[];
};

describe('formatRedisCli prints as redis-cli --no-raw', () => {
  it('covers nested, empty, nil, error and binary replies', () => {
    const kinds = new Set(RECORDED.rows.map((r) => JSON.stringify(r.reply).slice(0, 2)));
    expect(kinds.size).toBeGreaterThan(4);
  });

  it.each(RECORDED.rows)('$input', ({ reply, noRaw }) => {
    // redis-cli's bytes were kept as latin1 text: compare bytes to bytes.
    expect(Buffer.from(formatRedisCli(replyFromJson(reply)), 'utf8')).toEqual(Buffer.from(noRaw, 'latin1'));
  });

  it('prints a nil array as (nil)', () => {
    expect(formatRedisCli({ type: 'array', value: null })).toBe('(nil)\n');
  });

  it('aligns nested indexes under a wide parent', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ type: 'integer', value: BigInt(i) }) as const);
    const out = formatRedisCli({ type: 'array', value: [...items, { type: 'array', value: items.slice(0, 2) }] });
    expect(out.split('\n').slice(-3)).toEqual(['11) 1) (integer) 0', '    2) (integer) 1', '']);
  });
});

describe('quoteBytes', () => {
  it('escapes every non-printable byte and keeps printable ASCII', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const quoted = quoteBytes(all);
    expect(quoted.startsWith('"\\x00\\x01')).toBe(true);
    expect(quoted).toContain(' !\\"#');
    expect(quoted).toContain('[\\\\]');
    expect(quoted.endsWith('~\\x7f\\x80' + Array.from({ length: 127 }, (_, i) => `\\x${(0x81 + i).toString(16)}`).join('') + '"')).toBe(true);
  });
});
