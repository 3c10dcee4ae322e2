import type { RedisReply } from './reply.js';

/**
 * A reply printed exactly as `redis-cli --no-raw` prints it (its
 * `cliFormatReplyTTY`), trailing newline included:
 *
 *   formatRedisCli({ type: 'integer', value: 1n })                 → '(integer) 1\n'
 *   formatRedisCli({ type: 'bulk', value: Buffer.from('a\0"') })   → '"a\\x00\\""\n'
 *   formatRedisCli({ type: 'bulk', value: null })                  → '(nil)\n'
 *   formatRedisCli({ type: 'array', value: [] })                   → '(empty array)\n'
 *   formatRedisCli({ type: 'array', value: [one, [two, three]] })  → '1) …\n2) 1) …\n   2) …\n'
 *
 * Statuses and errors are printed as they are (Redis already keeps them on
 * one line); bulk strings are quoted with redis-cli's escapes.
 */
export function formatRedisCli(reply: RedisReply): string {
  return format(reply, '');
}

function format(reply: RedisReply, prefix: string): string {
  switch (reply.type) {
    case 'status':
      return `${reply.value}\n`;
    case 'error':
      return `(error) ${reply.message}\n`;
    case 'integer':
      return `(integer) ${reply.value}\n`;
    case 'bulk':
      return reply.value === null ? '(nil)\n' : `${quoteBytes(reply.value)}\n`;
    case 'array': {
      const items = reply.value;
      if (items === null) return '(nil)\n';
      if (items.length === 0) return '(empty array)\n';
      // Indexes are right-aligned to the widest one; nested arrays indent by that width + 2.
      const width = String(items.length).length;
      const inner = prefix + ' '.repeat(width + 2);
      let out = '';
      items.forEach((item, i) => {
        // The first element follows its parent's index on the same line.
        out += `${i === 0 ? '' : prefix}${String(i + 1).padStart(width)}) `;
        out += format(item, inner);
      });
      return out;
    }
    default:
      return unreachable(reply);
  }
}

function unreachable(reply: never): never {
  throw new Error(`formatRedisCli: unknown reply ${JSON.stringify(reply)}`);
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x5c: '\\\\',
  0x22: '\\"',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x07: '\\a',
  0x08: '\\b',
};

/**
 * Bytes quoted as redis-cli (sds `sdscatrepr`) quotes them: printable ASCII
 * as is, `\\ \" \n \r \t \a \b`, every other byte `\xHH` (lower-case hex;
 * redis-cli keeps the C locale, so UTF-8 is escaped byte by byte too).
 *
 *   quoteBytes(Buffer.from('é'))  → '"\\xc3\\xa9"'
 */
export function quoteBytes(bytes: Buffer): string {
  let out = '"';
  for (const b of bytes) {
    const escape = ESCAPES[b];
    if (escape !== undefined) out += escape;
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}
