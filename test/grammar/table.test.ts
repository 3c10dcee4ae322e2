import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Command } from '../../src/grammar/command.js';
import type { ArgSpec, CommandSpec, Group } from '../../src/grammar/spec.js';
import { parseCommand } from '../../src/grammar/parse.js';
import { COMMAND_SPECS, REFUSED_COMMANDS, specOf } from '../../src/grammar/table.js';
import { BITMAP_TRANSLATORS } from '../../src/translators/bitmap.js';
import { GENERIC_TRANSLATORS } from '../../src/translators/generic.js';
import { HASH_TRANSLATORS } from '../../src/translators/hash.js';
import { TRANSLATORS } from '../../src/translators/index.js';
import { LIST_TRANSLATORS } from '../../src/translators/list.js';
import { PUBSUB_TRANSLATORS } from '../../src/translators/pubsub.js';
import { SCRIPTING_TRANSLATORS } from '../../src/translators/scripting.js';
import { SERVER_TRANSLATORS } from '../../src/translators/server.js';
import { SET_TRANSLATORS } from '../../src/translators/set.js';
import { SORTED_SET_TRANSLATORS } from '../../src/translators/sorted-set.js';
import { STREAM_TRANSLATORS } from '../../src/translators/stream.js';
import { STRING_TRANSLATORS } from '../../src/translators/string.js';
import { TRANSACTIONS_TRANSLATORS } from '../../src/translators/transactions.js';

/**
 * Structural invariants of the command table, no server needed (the live test
 * test/live/command-table.live.test.ts checks the facts against redis-server):
 * names, the translator tables naming exactly their group's commands, argument
 * trees the parser can rely on, and arities that agree with the trees.
 */

const specs: readonly CommandSpec[] = COMMAND_SPECS;
const names = specs.map((s) => s.name);

/** Each translator file and the groups whose commands it must name. */
const GROUP_TABLES: readonly (readonly [string, object, readonly Group[]])[] = [
  ['string', STRING_TRANSLATORS, ['string']],
  ['bitmap', BITMAP_TRANSLATORS, ['bitmap']],
  ['generic', GENERIC_TRANSLATORS, ['generic']],
  ['hash', HASH_TRANSLATORS, ['hash']],
  ['list', LIST_TRANSLATORS, ['list']],
  ['set', SET_TRANSLATORS, ['set']],
  ['sorted-set', SORTED_SET_TRANSLATORS, ['sorted_set']],
  ['stream', STREAM_TRANSLATORS, ['stream']],
  ['pubsub', PUBSUB_TRANSLATORS, ['pubsub']],
  ['transactions', TRANSACTIONS_TRANSLATORS, ['transactions']],
  ['scripting', SCRIPTING_TRANSLATORS, ['scripting']],
  // PING, ECHO and SELECT are `connection` commands, DBSIZE, FLUSHDB… `server` ones: one file holds both.
  ['server', SERVER_TRANSLATORS, ['server', 'connection']],
];

const sorted = (list: Iterable<string>): string[] => [...list].sort();

/** The fewest and the most words an argument list takes (Infinity when repeated). */
function words(args: readonly ArgSpec[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const arg of args) {
    const one = wordsOfOne(arg);
    if (arg.optional !== true) min += one.min;
    max += arg.multiple === true ? Infinity : one.max;
  }
  return { min, max };
}

/** One occurrence of an argument, as if it were required and not repeated. */
function wordsOfOne(arg: ArgSpec): { min: number; max: number } {
  // A pure token is its own word; any other argument's token is one word more.
  const lead = arg.kind !== 'pure-token' && arg.token !== undefined ? 1 : 0;
  if (arg.kind === 'block') {
    const inner = words(arg.args);
    return { min: lead + inner.min, max: lead + inner.max };
  }
  if (arg.kind === 'oneof') {
    const branches = arg.args.map(wordsOfOne);
    return {
      min: lead + Math.min(...branches.map((b) => b.min)),
      max: lead + Math.max(...branches.map((b) => b.max)),
    };
  }
  return { min: lead + 1, max: lead + 1 };
}

function walk(args: readonly ArgSpec[], visit: (arg: ArgSpec, siblings: readonly ArgSpec[]) => void): void {
  for (const arg of args) {
    visit(arg, args);
    if (arg.kind === 'oneof' || arg.kind === 'block') walk(arg.args, visit);
  }
}

/** The words of one occurrence of an argument, with the simplest values (`k`, `v`, `1`). */
function sample(arg: ArgSpec): string[] {
  if (arg.kind === 'pure-token') return [arg.token];
  const lead = arg.token === undefined ? [] : [arg.token];
  switch (arg.kind) {
    case 'oneof':
      return [...lead, ...sample(arg.args[0]!)];
    case 'block':
      return [...lead, ...required(arg.args)];
    case 'key':
      return [...lead, 'k'];
    case 'string':
    case 'pattern':
      return [...lead, 'v'];
    default:
      return [...lead, '1'];
  }
}

/**
 * The required arguments of a list, once each; `numkeys` counts the keys that
 * follow it. Where Redis checks strings as it reads them (stream IDs, which
 * XREVRANGE's start checks with its end), they are all numbers.
 */
function required(args: readonly ArgSpec[], all: readonly ArgSpec[] = args): string[] {
  return args.flatMap((arg, i) => {
    if (arg.optional === true) return [];
    if (arg.name === 'numkeys') return [args[i + 1]?.optional === true ? '0' : '1'];
    return numbersIfChecked(sample(arg), all);
  });
}

function numbersIfChecked(words: readonly string[], args: readonly ArgSpec[]): string[] {
  const checked = args.some((arg) => arg.check?.(Buffer.from('v'), {}) !== undefined);
  return words.map((w) => (checked && w === 'v' ? '1' : w));
}

describe('command names', () => {
  it('no name appears twice', () => {
    const seen = new Set<string>();
    const twice = names.filter((n) => seen.has(n) || !seen.add(n));
    expect(twice).toEqual([]);
  });

  it('every name is upper case, a subcommand as `CONTAINER SUB`', () => {
    const bad = names.filter((n) => !/^[A-Z][A-Z0-9_-]*( [A-Z][A-Z0-9_-]*)?$/.test(n));
    expect(bad).toEqual([]);
  });

  it('specOf finds every entry by its name, and nothing else', () => {
    for (const spec of specs) expect(specOf(spec.name)).toBe(spec);
    expect(specOf('get')).toBeUndefined();
    expect(specOf('XGROUP')).toBeUndefined();
  });

  it('a container is never an entry itself: only its subcommands are', () => {
    const containers = new Set(names.filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]));
    expect(names.filter((n) => containers.has(n))).toEqual([]);
  });
});

describe('every table entry is translated or explicitly refused', () => {
  it.each(GROUP_TABLES.map(([file, table, groups]) => [file, table, groups] as const))(
    'src/translators/%s.ts names exactly its group’s commands',
    (_, table, groups) => {
      const expected = specs.filter((s) => groups.includes(s.group)).map((s) => s.name);
      expect(sorted(Object.keys(table))).toEqual(sorted(expected));
    },
  );

  it('the translator table holds every command once, as a function or a refusal with a reason', () => {
    expect(sorted(Object.keys(TRANSLATORS))).toEqual(sorted(names));
    for (const [name, entry] of Object.entries(TRANSLATORS)) {
      if (typeof entry === 'function') continue;
      expect(['pending', 'never'], name).toContain(entry.kind);
      expect(entry.refused.trim().length, `${name} refused without a reason`).toBeGreaterThan(0);
    }
  });

  it('every group file is in the translator table', () => {
    const groups = new Set(specs.map((s) => s.group));
    const covered = new Set(GROUP_TABLES.flatMap(([, , g]) => g));
    expect([...groups].filter((g) => !covered.has(g))).toEqual([]);
  });
});

describe('refused commands', () => {
  const refused = Object.entries(REFUSED_COMMANDS);

  it('are named in upper case, a container standing for its subcommands', () => {
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map(([n]) => n).filter((n) => !/^[A-Z][A-Z0-9_-]*( [A-Z][A-Z0-9_-]*)?$/.test(n))).toEqual([]);
  });

  it('are never also in the table, by name or by container', () => {
    const containers = new Set(names.map((n) => n.split(' ')[0]));
    const both = refused.map(([n]) => n).filter((n) => names.includes(n) || containers.has(n));
    expect(both).toEqual([]);
  });

  it('each say why, on one line', () => {
    for (const [name, reason] of refused) {
      expect(reason.trim().length, name).toBeGreaterThan(10);
      expect(reason.includes('\n'), name).toBe(false);
    }
  });

  it('give reasons by family, not one sentence for all', () => {
    expect(REFUSED_COMMANDS['CLUSTER']).toMatch(/cluster/i);
    expect(REFUSED_COMMANDS['BGSAVE']).toMatch(/persistence/i);
    expect(REFUSED_COMMANDS['REPLICAOF']).toMatch(/replica/i);
    expect(REFUSED_COMMANDS['GEOADD']).toMatch(/PostGIS/);
    expect(new Set(Object.values(REFUSED_COMMANDS)).size).toBeGreaterThan(10);
  });
});

describe('argument trees', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
    walk(spec.args, (arg, siblings) => {
      const where = `${name} ${arg.name}`;
      expect(arg.name.length, where).toBeGreaterThan(0);
      // Parsed arguments are keyed by name: two siblings of one name would collide.
      expect(siblings.filter((s) => s.name === arg.name).length, `${where} named twice`).toBe(1);
      if (arg.kind === 'pure-token') expect(arg.token, where).toBeDefined();
      if (arg.kind === 'oneof' || arg.kind === 'block') expect(arg.args.length, where).toBeGreaterThan(0);
      if (arg.token !== undefined) expect(arg.token, where).toBe(arg.token.toUpperCase());
      if (arg.multipleToken === true) expect(arg.multiple && arg.token !== undefined, where).toBe(true);
    });
    // Redis' arity counts the words of the name: n exactly, or -n for at least n.
    const nameWords = name.split(' ').length;
    const { min, max } = words(spec.args);
    if (spec.arity > 0) expect([nameWords + min, nameWords + max], 'arity').toEqual([spec.arity, spec.arity]);
    else expect(nameWords + min, 'arity').toBe(-spec.arity);
  });

  it('key positions are ordered and stay inside a fixed arity', () => {
    for (const spec of specs) {
      const { first, last, step } = spec.keys;
      if (first === 0) {
        expect([last, step], spec.name).toEqual([0, 0]);
        continue;
      }
      expect(step, spec.name).toBeGreaterThan(0);
      // A negative `last` counts from the end (BLPOP's -2 leaves the timeout out).
      if (last > 0) expect(last, spec.name).toBeGreaterThanOrEqual(first);
      if (spec.arity > 0) expect(Math.max(first, last), spec.name).toBeLessThan(spec.arity);
    }
  });

  it('every write command is flagged write and no command is both write and readonly', () => {
    const both = specs.filter((s) => s.flags.includes('write') && s.flags.includes('readonly')).map((s) => s.name);
    expect(both).toEqual([]);
    for (const name of ['HSET', 'LPUSH', 'SADD', 'ZADD', 'XADD', 'BLMOVE']) {
      expect(specOf(name)?.flags, name).toContain('write');
    }
    for (const name of ['HGET', 'LRANGE', 'SMEMBERS', 'ZRANGE', 'XRANGE']) {
      expect(specOf(name)?.flags, name).toContain('readonly');
    }
  });
});

/** Options Redis refuses without another one (a `verify` rule), with its error (asked of redis-server 7.0). */
const ALONE_REFUSED: Readonly<Record<string, string>> = {
  'XADD LIMIT': 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  'XTRIM LIMIT': 'ERR syntax error, LIMIT cannot be used without the special ~ option',
};

describe('the parser accepts what the table describes', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s with its required arguments', (name, spec) => {
    const argv = [...name.split(' '), ...required(spec.args)];
    expect(() => parseCommand(argv), argv.join(' ')).not.toThrow();
    expect(parseCommand(argv).name).toBe(name);
  });

  it.each(specs.map((s) => [s.name, s] as const))('%s with each top-level option alone', (name, spec) => {
    spec.args.forEach((option, i) => {
      if (option.optional !== true || option.token === undefined) return;
      const before = required(spec.args.slice(0, i), spec.args);
      const after = required(spec.args.slice(i + 1), spec.args);
      const argv = [...name.split(' '), ...before, ...numbersIfChecked(sample(option), spec.args), ...after];
      const alone = option.refused ?? ALONE_REFUSED[`${name} ${option.token}`];
      if (alone !== undefined) expect(() => parseCommand(argv), argv.join(' ')).toThrow(alone);
      else expect(() => parseCommand(argv), argv.join(' ')).not.toThrow();
    });
  });
});

describe('the typed arguments translators receive', () => {
  it('are inferred from the entries', () => {
    expectTypeOf<Command<'HSET'>['args']>().toEqualTypeOf<{
      readonly key: string;
      readonly field_value: readonly { readonly field: Buffer; readonly value: Buffer }[];
    }>();
    expectTypeOf<Command<'LPOP'>['args']['count']>().toEqualTypeOf<bigint | undefined>();
    expectTypeOf<Command<'ZADD'>['args']['score_member']>().toEqualTypeOf<
      readonly { readonly score: Buffer; readonly member: Buffer }[]
    >();
    expectTypeOf<Command<'ZADD'>['args']['nx']>().toEqualTypeOf<true | undefined>();
    expectTypeOf<Command<'SET'>['args']['condition']>().toEqualTypeOf<
      { readonly kind: 'nx'; readonly value: true } | { readonly kind: 'xx'; readonly value: true } | undefined
    >();
    expectTypeOf<Command<'ZRANGEBYSCORE'>['args']['min']>().toEqualTypeOf<Buffer>();
    expectTypeOf<Command<'XREAD'>['args']['streams']>().toEqualTypeOf<{
      readonly key: readonly string[];
      readonly id: readonly Buffer[];
    }>();
    expectTypeOf<Command<'XGROUP CREATE'>['args']['id']>().toEqualTypeOf<
      { readonly kind: 'new_id'; readonly value: true } | { readonly kind: 'id'; readonly value: Buffer }
    >();
    expectTypeOf<Command<'BLPOP'>['args']>().toEqualTypeOf<{
      readonly key: readonly string[];
      readonly timeout: number;
    }>();
    // The run-time shape the parser builds is the same one the types promise.
    expect(specOf('XREAD')?.args.map((a) => a.name)).toEqual(['count', 'milliseconds', 'group_consumer', 'noack', 'streams']);
  });
});
