/**
 * A client's shutdown, as the pg Pool that replaces the client does it, with
 * the value the client gave (recorded from ioredis 4, 5 and 6 and node-redis
 * 4 and 5 against redis-server 7.0.15):
 *
 * - `quit()` resolves to 'OK' (QUIT's reply), all five;
 * - node-redis' `disconnect()` and `close()` (5) resolve to undefined;
 * - ioredis' `disconnect()` and node-redis 5's `destroy()` return undefined
 *   at once and never fail: a second `end()` of a pool rejects ("Called end
 *   on pool more than once"), which, not awaited, would be an unhandled
 *   rejection where the client's call did nothing.
 *
 *   shutdownText('quit', 'redis', false)  → "redis.end().then(() => 'OK' as const)"
 *   shutdownText('now', 'redis', true)    → '(void redis.end().catch(() => undefined))'
 */
import { Node } from './ts-morph.js';
import type { CallExpression } from 'ts-morph';
import type { Edit } from './edits.js';
import type { CallRefusal } from './compile-call.js';

export type Shutdown = 'quit' | 'end' | 'now';

export function shutdownText(kind: Shutdown, receiver: string, javascript: boolean): string {
  if (kind === 'quit') return `${receiver}.end().then(() => 'OK'${javascript ? '' : ' as const'})`;
  // In parentheses: it replaces a call, which may be followed by `.x` or `()` (prettier drops them where they are not needed).
  if (kind === 'now') return `(void ${receiver}.end().catch(() => undefined))`;
  return `${receiver}.end()`;
}

/**
 * A client's `on(event, …)` or `once(event, …)`, on the pg Pool that
 * replaces the client: an `'error'` listener stays as written (a Pool emits
 * 'error' when an idle connection fails, and without a listener that ends
 * the process); any other event is reported (a Pool has no such moment, or
 * has it per connection).
 *
 *   eventListener(<redis.on('error', log)>, 'ioredis')  → { start, end, text: "redis.on('error', log)" }
 *   eventListener(<redis.on('ready', f)>, 'ioredis')    → { rule: 'ioredis/events', … }
 */
export function eventListener(call: CallExpression, client: 'ioredis' | 'node-redis'): Edit | CallRefusal {
  const [event] = call.getArguments();
  if (event !== undefined && Node.isStringLiteral(event) && event.getLiteralValue() === 'error') return { start: call.getStart(), end: call.getEnd(), text: call.getText() };
  return { rule: `${client}/events`, message: "client events other than 'error' have no pg Pool equivalent" };
}
