/**
 * Records how Redis 7.0 prints double replies, for test/emit/doubles.test.ts:
 * each input is ZADDed to a skiplist-encoded sorted set (a listpack stores an
 * integral score as an integer and loses -0) and read back with ZSCORE.
 *
 *   node --import tsx test/emit/record-doubles.ts 7105
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RespClient } from '../support/resp.js';

const INPUTS = [
  '0', '-0', '1', '-1', '0.1', '0.2', '0.3', '-2.5', '100', '123.456', '3.14159', '12345678.9',
  '1e15', '1e16', '1e17', '1e21', '1e22', '123456789012345678', '9007199254740993',
  '1.5e-7', '-1.5e-7', '1e-5', '0.0001', '0.00001', '1.0000000000000002', '0.1e1', '1e-4', '9.5e-5',
  '1e308', '1.7976931348623157e308', '2.2250738585072014e-308', '5e-324', '1e-320',
  '99999999999999999', '0.30000000000000004', '1e100', '-1e-100', '4.35', '2.675', '1.005',
  'inf', '-inf', '+inf',
];

const redis = await RespClient.connect(Number(process.argv[2] ?? 7105));
const before = await redis.call('CONFIG', 'GET', 'zset-max-listpack-entries');
await redis.call('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
const rows: { input: string; zscore: string }[] = [];
for (const input of INPUTS) {
  await redis.call('DEL', 'doubles');
  await redis.call('ZADD', 'doubles', input, 'm');
  const reply = await redis.call('ZSCORE', 'doubles', 'm');
  if (reply.type !== 'bulk' || reply.value === null) throw new Error(`ZSCORE after ZADD ${input}: ${JSON.stringify(reply)}`);
  rows.push({ input, zscore: reply.value.toString('latin1') });
}
const old = before.type === 'array' && before.value?.[1]?.type === 'bulk' ? before.value[1].value : null;
await redis.call('CONFIG', 'SET', 'zset-max-listpack-entries', old ?? '128');
await redis.call('DEL', 'doubles');
await redis.close();
const out = fileURLToPath(new URL('./doubles.recorded.json', import.meta.url));
writeFileSync(out, JSON.stringify(rows, null, 1) + '\n');
console.log(`wrote ${rows.length} rows to ${out}`);
