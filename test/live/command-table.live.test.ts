import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_SPECS, REFUSED_COMMANDS } from '../../src/grammar/table.js';
import type { ArgSpec, CommandSpec } from '../../src/grammar/spec.js';
import { readServerCommands, type DocArg, type ServerCommand } from '../../scripts/dump-command-docs.js';
import { RespClient } from '../support/resp.js';
import { startRedis, type RunningServer } from '../support/servers.js';

/**
 * The command table against the oracle: every entry of COMMAND_SPECS must say
 * what a real Redis 7.0 says of the command in `COMMAND INFO` (arity, legacy
 * key positions, flags) and `COMMAND DOCS` (the argument tree: kinds, tokens,
 * optional, multiple), every data command of the server must be in the table,
 * and every other command must be refused with a reason.
 *
 * Where 7.0's docs misdescribe what the server accepts, the table follows the
 * server; each such place is a row of DEVIATIONS below, with an argv the
 * server accepts that the docs' description would refuse.
 */

/** The groups whose every command the table must hold. */
const DATA_GROUPS = [
  'string',
  'bitmap',
  'generic',
  'hash',
  'list',
  'set',
  'sorted_set',
  'stream',
  'pubsub',
  'transactions',
  'scripting',
] as const;

/** The flags a translator or a client acts on: they must agree exactly. */
const FLAGS_THAT_MATTER = ['write', 'readonly', 'blocking'] as const;

/** One argument as both sides can say it. */
interface Arg {
  readonly name: string;
  readonly kind: string;
  readonly token: string | undefined;
  readonly optional: boolean;
  readonly multiple: boolean;
  readonly multipleToken: boolean;
  readonly args: readonly Arg[];
}

/**
 * A oneof is a choice: its branches compare as a set (the table may list `$`
 * before `id`), and a branch's own `optional` says nothing (7.0's docs mark
 * MIGRATE's AUTH and AUTH2 branches optional inside an optional oneof).
 */
const ordered = (kind: string, args: readonly Arg[]): readonly Arg[] =>
  kind === 'oneof'
    ? args.map((a) => ({ ...a, optional: false })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : args;

function fromSpec(spec: ArgSpec): Arg {
  const args = spec.kind === 'oneof' || spec.kind === 'block' ? spec.args.map(fromSpec) : [];
  return {
    name: spec.name,
    kind: spec.kind,
    token: spec.token,
    optional: spec.optional === true,
    multiple: spec.multiple === true,
    multipleToken: spec.multipleToken === true,
    args: ordered(spec.kind, args),
  };
}

function fromDocs(doc: DocArg): Arg {
  return {
    name: doc.name,
    kind: doc.type,
    token: doc.token,
    optional: doc.flags.includes('optional'),
    multiple: doc.flags.includes('multiple'),
    multipleToken: doc.flags.includes('multiple_token'),
    args: ordered(doc.type, doc.args.map(fromDocs)),
  };
}

/** A place where the table knowingly differs from 7.0's COMMAND DOCS. */
interface Deviation {
  readonly command: string;
  /**
   * From the top of the tree down to the argument, each step an argument's
   * name or, where the docs repeat a name, its token.
   */
  readonly path: readonly string[];
  /** What the table says instead of the docs' argument (one argument or several). */
  readonly patch: (docs: Arg) => Arg | readonly Arg[];
  readonly why: string;
  /** An argv the server accepts although the docs' argument would refuse it (stray keys are command-table:*). */
  readonly evidence?: readonly string[];
}

const Z = 'command-table:z';
const DEST = 'command-table:dest';
const K = 'command-table:k';
const STREAM = 'command-table:stream';

const asString = (arg: Arg): Arg => ({ ...arg, kind: 'string' });
const asDouble = (arg: Arg): Arg => ({ ...arg, kind: 'double' });

const scoreBound = (command: string, name: string, evidence: readonly string[]): Deviation => ({
  command,
  path: [name],
  patch: asString,
  why: 'a score bound takes `(1`, `-inf` and `+inf`; the translator reads it (ERR min or max is not a float)',
  evidence,
});

const weights = (command: string, evidence: readonly string[]): Deviation => ({
  command,
  path: ['weight'],
  patch: asDouble,
  why: 'weights are doubles (the docs say integer)',
  evidence,
});

const bitfieldWords = (command: string, name: string, evidence: readonly string[]): Deviation => ({
  command,
  path: [name],
  patch: (arg) => ({ ...arg, name: 'operation', kind: 'string', token: undefined, multipleToken: false, args: [] }),
  why: 'the subcommands are words the translator reads with Redis’ own loop (bitfieldGeneric: any order, OVERFLOW anywhere, in BITFIELD_RO too), each error where the loop meets it',
  evidence,
});

const DEVIATIONS: readonly Deviation[] = [
  scoreBound('ZCOUNT', 'min', ['ZCOUNT', Z, '(1', '+inf']),
  scoreBound('ZCOUNT', 'max', ['ZCOUNT', Z, '-inf', '(1']),
  scoreBound('ZRANGEBYSCORE', 'min', ['ZRANGEBYSCORE', Z, '(1', '+inf']),
  scoreBound('ZRANGEBYSCORE', 'max', ['ZRANGEBYSCORE', Z, '-inf', '(1']),
  scoreBound('ZREVRANGEBYSCORE', 'max', ['ZREVRANGEBYSCORE', Z, '(1', '-inf']),
  scoreBound('ZREVRANGEBYSCORE', 'min', ['ZREVRANGEBYSCORE', Z, '+inf', '(1']),
  scoreBound('ZREMRANGEBYSCORE', 'min', ['ZREMRANGEBYSCORE', Z, '(100', '+inf']),
  scoreBound('ZREMRANGEBYSCORE', 'max', ['ZREMRANGEBYSCORE', Z, '+inf', '(100']),
  {
    command: 'ZINCRBY',
    path: ['increment'],
    patch: asDouble,
    why: 'the increment is a double (the docs say integer)',
    evidence: ['ZINCRBY', Z, '1.5', 'm'],
  },
  weights('ZINTER', ['ZINTER', '1', Z, 'WEIGHTS', '1.5']),
  weights('ZUNION', ['ZUNION', '1', Z, 'WEIGHTS', '1.5']),
  weights('ZINTERSTORE', ['ZINTERSTORE', DEST, '1', Z, 'WEIGHTS', '1.5']),
  weights('ZUNIONSTORE', ['ZUNIONSTORE', DEST, '1', Z, 'WEIGHTS', '1.5']),
  {
    command: 'PSUBSCRIBE',
    path: ['pattern'],
    // The docs wrap each pattern in a one-argument block; the table repeats the pattern itself.
    patch: (block) => ({ ...(block.args[0] as Arg), optional: block.optional, multiple: block.multiple }),
    why: 'a repeated pattern, as PUNSUBSCRIBE says it, rather than a block of one pattern',
  },
  ...['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT'].map((command): Deviation => ({
    command,
    path: ['condition'],
    // NX, XX, GT, LT as four independent optional flags; the translator applies the conflict rules.
    patch: (oneof) =>
      ['nx', 'xx', 'gt', 'lt'].flatMap((name) =>
        oneof.args.filter((branch) => branch.name === name).map((branch) => ({ ...branch, optional: true })),
      ),
    why: 'Redis accepts XX with GT or LT, which a oneof would refuse',
    evidence: [command, K, '10', 'XX', 'GT'],
  })),
  ...[
    ['EXPIRE', 'seconds'],
    ['PEXPIRE', 'milliseconds'],
    ['EXPIREAT', 'unix-time-seconds'],
    ['PEXPIREAT', 'unix-time-milliseconds'],
  ].map(([command = '', name = '']): Deviation => ({
    command,
    path: [name],
    patch: asString,
    why: 'Redis reads every flag and checks the conflicts before it converts the amount (EXPIRE k x NX XX is the conflict error): the translator converts it',
  })),
  {
    command: 'ZADD',
    path: ['condition'],
    patch: (oneof) => oneof.args.map((branch) => ({ ...branch, optional: true })),
    why: 'Redis reads NX, XX, GT, LT, then checks the pairs, then the conflicts: the translator applies the conflict rules',
    evidence: ['ZADD', Z, 'NX', 'NX', '1', 'a'],
  },
  {
    command: 'ZADD',
    path: ['comparison'],
    patch: (oneof) => oneof.args.map((branch) => ({ ...branch, optional: true })),
    why: 'as NX|XX: the translator applies the conflict rules',
    evidence: ['ZADD', Z, 'GT', 'GT', '1', 'a'],
  },
  {
    command: 'ZADD',
    path: ['score_member', 'score'],
    patch: asString,
    why: 'Redis reads the scores after the conflict and INCR checks (ZADD z NX GT x a is the conflict error): the translator converts them',
  },
  {
    command: 'INCRBYFLOAT',
    path: ['increment'],
    patch: asString,
    why: 'Redis reads it as a long double (strtold) after the type check: the translator passes the bytes to SQL',
    evidence: ['INCRBYFLOAT', K, '1e400'],
  },
  ...[
    ['seconds', 'EX'],
    ['milliseconds', 'PX'],
    ['unix-time-seconds', 'EXAT'],
    ['unix-time-milliseconds', 'PXAT'],
  ].map(([name = '', word = '']): Deviation => ({
    command: 'GETEX',
    path: ['expiration', name],
    patch: asString,
    why: 'Redis converts the amount only after finding a string (nil for a missing key): the SQL reads the bytes',
    evidence: ['GETEX', 'command-table:none', word, 'abc'],
  })),
  ...['HSCAN', 'SSCAN', 'ZSCAN'].map((command): Deviation => ({
    command,
    path: ['COUNT'],
    patch: (arg) => ({ ...arg, multiple: true, multipleToken: true }),
    why: 'Redis reads every COUNT given, each in turn (a bad one after the key lookup: the parser defers it, see afterLookup)',
    evidence: [command, 'command-table:none', '0', 'COUNT', '5', 'COUNT', '7'],
  })),
  {
    command: 'HINCRBYFLOAT',
    path: ['increment'],
    patch: asString,
    why: 'Redis reads it as a long double (strtold: 1e400 is fine, inf is its own error): SQL parses the bytes',
    evidence: ['HINCRBYFLOAT', 'command-table:hash', 'f', '1e400'],
  },
  {
    command: 'LCS',
    path: ['MINMATCHLEN'],
    patch: (arg) => ({ ...arg, name: 'min-match-len' }),
    why: 'the docs name both LEN and MINMATCHLEN’s argument `len` (arguments are read by name)',
  },
  {
    command: 'INCRBYFLOAT',
    path: ['increment'],
    patch: asString,
    why: 'Redis reads the increment as a long double (1e400 is fine) and after the type check; SQL parses it',
    evidence: ['INCRBYFLOAT', K, '1e400'],
  },
  {
    command: 'XPENDING',
    path: ['filters', 'consumer'],
    patch: (arg) => [
      arg,
      { name: 'ignored', kind: 'string', token: undefined, optional: true, multiple: true, multipleToken: false, args: [] },
    ],
    why: 'Redis reads the consumer at its place and ignores the words after it, up to 9 words in all (the translator counts them)',
  },
  {
    command: 'XCLAIM',
    path: ['LASTID'],
    patch: (arg) => ({ ...arg, name: 'lastid' }),
    why: 'the docs name both the claimed ids and LASTID’s argument `id`; arguments are read by name',
  },
  ...[
    ['XADD', 'LIMIT', '10', 'MAXLEN', '~', '5', '*', 'f', 'v'],
    ['XTRIM', 'LIMIT', '10', 'MAXLEN', '~', '5'],
  ].map(([command = '', ...words]): Deviation => ({
    command,
    path: ['trim'],
    // LIMIT out of the trim block, as a sibling option after it.
    patch: (block) => [{ ...block, args: block.args.filter((a) => a.token !== 'LIMIT') }, ...block.args.filter((a) => a.token === 'LIMIT')],
    why: 'LIMIT is an option of the same loop as MAXLEN|MINID, in any order; the parser checks it against the strategy after the loop',
    evidence: [command, STREAM, ...words],
  })),
  {
    command: 'XREAD',
    path: ['BLOCK'],
    patch: (arg) => [
      arg,
      {
        name: 'group_consumer',
        kind: 'block',
        token: 'GROUP',
        optional: true,
        multiple: false,
        multipleToken: false,
        args: ['group', 'consumer'].map((name) => ({ name, kind: 'string', token: undefined, optional: false, multiple: false, multipleToken: false, args: [] })),
      },
      { name: 'noack', kind: 'pure-token', token: 'NOACK', optional: true, multiple: false, multipleToken: false, args: [] },
    ],
    // No evidence: the server refuses them, with its own words (XREAD GROUP g c STREAMS s 0 → ERR The GROUP option is only supported by XREADGROUP…).
    why: 'Redis parses XREAD with XREADGROUP’s loop, which meets GROUP and NOACK and refuses them with their own errors (the `refused` rule)',
  },
  ...['SORT', 'SORT_RO'].map((command): Deviation => ({
    command,
    path: ['GET'],
    patch: (arg) => ({ ...arg, name: 'get' }),
    why: 'the docs name both the BY and the GET argument `pattern`; arguments are read by name',
  })),
  bitfieldWords('BITFIELD', 'operation', ['BITFIELD', K, 'GET', 'u8', '0', 'OVERFLOW', 'SAT', 'OVERFLOW', 'FAIL', 'GET', 'u8', '#1']),
  bitfieldWords('BITFIELD_RO', 'encoding_offset', ['BITFIELD_RO', K, 'GET', 'u8', '0', 'OVERFLOW', 'SAT']),
];

const matches = (arg: Arg, step: string | undefined): boolean => arg.name === step || arg.token === step;

/** The docs' tree with the deviations of one command applied. */
function expectedArgs(command: string, docs: readonly Arg[]): readonly Arg[] {
  const patchAt = (args: readonly Arg[], path: readonly string[], patch: Deviation['patch']): readonly Arg[] => {
    const [head, ...rest] = path;
    const at = args.findIndex((arg) => matches(arg, head));
    const arg = args[at];
    if (arg === undefined) return args;
    const patched =
      rest.length === 0 ? patch(arg) : { ...arg, args: ordered(arg.kind, patchAt(arg.args, rest, patch)) };
    return [...args.slice(0, at), ...(Array.isArray(patched) ? patched : [patched]), ...args.slice(at + 1)];
  };
  return DEVIATIONS.filter((d) => d.command === command).reduce((args, d) => patchAt(args, d.path, d.patch), docs);
}

function findArg(args: readonly Arg[], path: readonly string[]): Arg | undefined {
  const [head, ...rest] = path;
  const arg = args.find((a) => matches(a, head));
  return arg === undefined || rest.length === 0 ? arg : findArg(arg.args, rest);
}

/** Every option word of a tree, upper case, recursively. */
function tokensOf(args: readonly Arg[]): string[] {
  const out = new Set<string>();
  const walk = (list: readonly Arg[]): void => {
    for (const arg of list) {
      if (arg.token !== undefined) out.add(arg.token.toUpperCase());
      walk(arg.args);
    }
  };
  walk(args);
  return [...out].sort();
}

/** The refusal that covers a server command: its own name, or its container's. */
function refusalOf(name: string): string | undefined {
  return REFUSED_COMMANDS[name] ?? REFUSED_COMMANDS[name.split(' ')[0] ?? ''];
}

let server: RunningServer | undefined;
let port = 0;
let byName = new Map<string, ServerCommand>();
let plain: ServerCommand[] = [];

beforeAll(async () => {
  // The live globalSetup names the shared server; alone, start our own on our port.
  const fromEnv = Number(process.env.REDIS_PORT);
  if (fromEnv > 0) port = fromEnv;
  else {
    server = await startRedis(7102);
    port = server.port;
  }
  const commands = await readServerCommands(port);
  byName = new Map(commands.map((c) => [c.name, c]));
  // Containers (XGROUP, CLIENT…) are their subcommands, not commands of their own.
  plain = commands.filter((c) => c.subcommands.length === 0);
});

afterAll(async () => {
  await server?.stop();
});

const specs: readonly CommandSpec[] = COMMAND_SPECS;

describe('every table entry says what COMMAND INFO and COMMAND DOCS say', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
    const theirs = byName.get(name);
    expect(theirs, `${name} is not a command of redis-server`).toBeDefined();
    if (theirs === undefined) return;
    expect(spec.group, 'group').toBe(theirs.group);
    expect(spec.arity, 'arity').toBe(theirs.arity);
    expect(spec.keys, 'key positions').toEqual({ first: theirs.first, last: theirs.last, step: theirs.step });
    for (const flag of FLAGS_THAT_MATTER) {
      expect(spec.flags.includes(flag), `flag ${flag}`).toBe(theirs.flags.includes(flag));
    }
    expect(
      spec.flags.filter((f) => !theirs.flags.includes(f)),
      'flags the server does not give',
    ).toEqual([]);

    const ours = spec.args.map(fromSpec);
    const docs = theirs.args.map(fromDocs);
    const expected = expectedArgs(name, docs);
    // The docs' tokens, and those a deviation adds (XREAD's GROUP and NOACK).
    expect(tokensOf(ours), 'option tokens').toEqual(tokensOf(expected));
    expect(ours, 'argument tree').toEqual(expected);
  });
});

describe('each deviation from COMMAND DOCS is real and the server backs it', () => {
  beforeAll(async () => {
    const client = await RespClient.connect(port);
    try {
      expect(await client.call('DEL', Z, DEST, K, STREAM)).toMatchObject({ type: 'integer' });
      expect(await client.call('ZADD', Z, '1', 'a', '2', 'b')).toEqual({ type: 'integer', value: 2n });
    } finally {
      await client.close();
    }
  });

  afterAll(async () => {
    const client = await RespClient.connect(port);
    await client.call('DEL', Z, DEST, K, STREAM);
    await client.close();
  });

  it.each(DEVIATIONS.map((d) => [`${d.command} ${d.path.join('.')}`, d] as const))('%s', async (_, deviation) => {
    const docs = byName.get(deviation.command)?.args.map(fromDocs) ?? [];
    const original = findArg(docs, deviation.path);
    expect(original, 'the docs have the argument').toBeDefined();
    if (original === undefined) return;
    // A deviation the docs no longer need is stale: drop it.
    expect(deviation.patch(original)).not.toEqual(original);
    if (deviation.evidence === undefined) return;
    const client = await RespClient.connect(port);
    try {
      const reply = await client.send(deviation.evidence);
      expect(reply.type === 'error' ? reply.message : 'accepted', deviation.evidence.join(' ')).toBe('accepted');
    } finally {
      await client.close();
    }
  });
});

describe('nothing the server has is forgotten', () => {
  it.each(DATA_GROUPS.map((g) => [g] as const))('every %s command is in the table', (group) => {
    const names = new Set(specs.map((s) => s.name));
    const missing = plain.filter((c) => c.group === group && !names.has(c.name)).map((c) => c.name);
    expect(plain.some((c) => c.group === group)).toBe(true);
    expect(missing).toEqual([]);
  });

  it('every other command is refused with a reason', () => {
    const names = new Set(specs.map((s) => s.name));
    const unaccounted = plain.filter((c) => !names.has(c.name) && refusalOf(c.name) === undefined).map((c) => c.name);
    expect(unaccounted).toEqual([]);
  });

  it('every refused name is a command of the server, and none is also in the table', () => {
    const containers = new Set(specs.map((s) => s.name.split(' ')[0]));
    const names = new Set(specs.map((s) => s.name));
    for (const name of Object.keys(REFUSED_COMMANDS)) {
      expect(byName.has(name), `${name} is a command of redis-server`).toBe(true);
      expect(names.has(name) || containers.has(name), `${name} is both refused and in the table`).toBe(false);
    }
  });
});
