import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ioredis4Callback, ioredisCallback } from '../../src/codemod/callback-runtime.js';

// The converted callback style does what ioredis does with a callback: the
// oracle is ioredis' own helper (its dependency standard-as-callback), run on
// the same promises beside ours. What each callback was called with, what the
// call returned, and what each throws out of the promise are compared.
const fromIoredis = createRequire(createRequire(import.meta.url).resolve('ioredis'));
const asCallback = (fromIoredis('standard-as-callback') as { default: <T>(p: Promise<T>, cb: (...args: unknown[]) => void) => Promise<T> }).default;

type Helper = <T>(promise: Promise<T>, callback: (...args: unknown[]) => void) => Promise<T>;

const HELPERS: readonly [string, Helper][] = [
  ['ioredisCallback', ioredisCallback as Helper],
  ['ioredis4Callback', ioredis4Callback as Helper],
];

/** What one helper did with a promise and a callback: the callback's arguments, the promise it returned, the errors thrown from timers. */
async function observe(helper: Helper, promise: () => Promise<unknown>, throws: boolean): Promise<{ calls: unknown[][]; same: boolean; thrown: unknown[] }> {
  const timers: (() => void)[] = [];
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((f: () => void) => {
    timers.push(f);
    return 0;
  }) as unknown as typeof setTimeout);
  const calls: unknown[][] = [];
  const given = promise();
  let returned: Promise<unknown>;
  try {
    returned = helper(given, (...args: unknown[]) => {
      calls.push(args.map((a) => (a instanceof Error ? { error: a.message, cause: (a as { cause?: unknown }).cause ?? 'none' } : a)));
      if (throws) throw new Error('thrown by the callback');
    });
    // Let the promise's handlers run.
    await given.then(
      () => undefined,
      () => undefined,
    );
    await Promise.resolve();
  } finally {
    spy.mockRestore();
  }
  const thrown: unknown[] = [];
  for (const f of timers) {
    try {
      f();
    } catch (error) {
      thrown.push((error as Error).message);
    }
  }
  return { calls, same: returned === given, thrown };
}

const CASES: readonly [string, () => Promise<unknown>][] = [
  ['a value', () => Promise.resolve('v')],
  ['null', () => Promise.resolve(null)],
  ['undefined', () => Promise.resolve(undefined)],
  ['an array', () => Promise.resolve([1, 'a'])],
  ['an error', () => Promise.reject(new Error('ERR boom'))],
  ['a falsy reason', () => Promise.reject(null)],
];

describe('codemod runtime: callbacks as ioredis calls them', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const [name, helper] of HELPERS) {
    for (const [what, promise] of CASES) {
      for (const throws of [false, true]) {
        it(`${name}: ${what}${throws ? ', the callback throwing' : ''}`, async () => {
          const ours = await observe(helper, promise, throws);
          const theirs = await observe(asCallback as Helper, promise, throws);
          expect(ours).toEqual(theirs);
          // Not vacuous: the callback ran once, and a throw came out of a timer.
          expect(ours.calls).toHaveLength(1);
          expect(ours.same).toBe(true);
          expect(ours.thrown).toEqual(throws ? ['thrown by the callback'] : []);
        });
      }
    }
  }

  it('a rejected promise given a callback is handled: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      ioredisCallback(Promise.reject(new Error('ERR no')), () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });
});
