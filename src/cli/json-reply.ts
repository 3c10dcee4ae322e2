import type { RedisReply } from '../emit/reply.js';
import { quoteBytes } from '../emit/redis-cli.js';

/** `json`: strings as JSON with their raw bytes; `quoted-json`: ASCII only, bytes as `\\xHH`. */
export type JsonMode = 'json' | 'quoted-json';

/**
 * A RESP2 reply as `redis-cli -2 --json` (or `--quoted-json`) prints it, newline
 * included (redis-cli's cliFormatReplyJson): statuses and bulk strings as
 * JSON strings, integers as numbers, nil as null, arrays as `[…]` without
 * blanks, and an error as `error:"…"` (so a reader tells it from a string;
 * that line is not JSON, as in redis-cli). In `json` mode a string keeps its
 * bytes, control bytes escaped as JSON does, so invalid UTF-8 stays invalid;
 * `quoted-json` writes redis-cli's quoting inside the JSON string instead.
 *
 *   formatJsonReply({ type: 'bulk', value: Buffer.from('a\0') }, 'json')          → <"a\u0000"\n>
 *   formatJsonReply({ type: 'bulk', value: Buffer.from('a\0') }, 'quoted-json')   → <"a\\x00"\n>
 *   formatJsonReply({ type: 'error', message: 'ERR syntax error' }, 'json')       → <error:"ERR syntax error"\n>
 */
export function formatJsonReply(reply: RedisReply, mode: JsonMode): Buffer {
  const parts: Buffer[] = [];
  write(reply, mode, parts);
  parts.push(NEWLINE);
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

function write(reply: RedisReply, mode: JsonMode, out: Buffer[]): void {
  switch (reply.type) {
    case 'error':
      out.push(Buffer.from(`error:${quoteBytes(Buffer.from(reply.message, 'utf8'))}`, 'latin1'));
      return;
    case 'status':
      out.push(jsonString(Buffer.from(reply.value, 'utf8'), mode));
      return;
    case 'integer':
      out.push(Buffer.from(reply.value.toString()));
      return;
    case 'bulk':
      out.push(reply.value === null ? Buffer.from('null') : jsonString(reply.value, mode));
      return;
    case 'array':
      if (reply.value === null) {
        out.push(Buffer.from('null'));
        return;
      }
      out.push(Buffer.from('['));
      reply.value.forEach((item, i) => {
        if (i > 0) out.push(Buffer.from(','));
        write(item, mode, out);
      });
      out.push(Buffer.from(']'));
      return;
  }
}

const JSON_ESCAPES: Readonly<Record<number, string>> = { 0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b' };

function jsonString(bytes: Buffer, mode: JsonMode): Buffer {
  if (mode === 'quoted-json') {
    // redis-cli's quoting, its backslashes doubled so the JSON string holds them.
    const repr = quoteBytes(bytes);
    return Buffer.from(`"${repr.slice(1, -1).replace(/\\/g, '\\\\')}"`, 'latin1');
  }
  const out: Buffer[] = [Buffer.from('"')];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const escape = JSON_ESCAPES[b] ?? (b <= 0x1f ? `\\u${b.toString(16).padStart(4, '0')}` : undefined);
    if (escape === undefined) continue;
    out.push(bytes.subarray(start, i), Buffer.from(escape));
    start = i + 1;
  }
  out.push(bytes.subarray(start), Buffer.from('"'));
  return Buffer.concat(out);
}
