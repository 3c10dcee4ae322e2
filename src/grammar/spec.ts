/**
 * The vocabulary of the command table: argument specs shaped like Redis' own
 * `COMMAND DOCS` (key, string, integer, double, pattern, unix-time, pure-token,
 * oneof, block; optional, multiple, multiple_token, token), and the types a
 * parsed command's arguments take.
 *
 * Builders keep their literal types so that `ArgsOf<typeof SET.args>` is the
 * exact shape a translator receives:
 *
 *   command('SET', 'string', -3, ['write', 'denyoom'], keys(1, 1, 1), [
 *     key(), str('value'),
 *     optional(oneof('condition', token('nx', 'NX'), token('xx', 'XX'))),
 *     …
 *   ])
 */

export type Group =
  | 'string'
  | 'bitmap'
  | 'generic'
  | 'hash'
  | 'list'
  | 'set'
  | 'sorted_set'
  | 'stream'
  | 'pubsub'
  | 'transactions'
  | 'scripting'
  | 'connection'
  | 'server';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export type ScalarKind = 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time';

interface ArgFlags {
  readonly optional?: boolean;
  readonly multiple?: boolean;
  /** Each repetition carries the token again (`GET pattern [GET pattern …]`). */
  readonly multipleToken?: boolean;
  /** The literal word that introduces the argument (`EX` in `EX seconds`). */
  readonly token?: string;
  /**
   * Redis' message when this argument is malformed, where it is not the
   * generic one: a value that does not convert (`ERR min or max is not a
   * float`), a oneof given with two different branches (ZADD's `ERR XX and NX
   * options at the same time are not compatible`), a repeated block cut short
   * (ZADD's `ERR syntax error` instead of the arity error), a numkeys count
   * that does not fit (on the counted argument).
   */
  readonly error?: string;
  /**
   * Converted only after every option is read: Redis' own parser collects
   * SET's and GETEX's options first, so `SET k v EX x FOO` is a syntax error,
   * not a type error. Applies to every value beneath the argument.
   */
  readonly late?: boolean;
  /**
   * Giving it twice is an error (ZRANGE's REV: `error`, else a syntax error)
   * instead of the later one winning; a string is the repeat's own message
   * where `error` says something else (LMPOP's second COUNT: `ERR syntax error`).
   */
  readonly once?: boolean | string;
  /**
   * For a `numkeys` integer: Redis' message for a count below the minimum
   * where a value that does not convert keeps `error` (ZUNION's `ERR at least
   * 1 input key is needed for 'zunion' command`, EVAL's negative count).
   */
  readonly countError?: string;
  /**
   * The command's last argument: words beyond it are Redis' arity error,
   * checked before any value converts, where the command counts its
   * arguments itself (LPOP's `count`, PING's `message`).
   */
  readonly final?: boolean;
  /**
   * On a command's last option: a word after the options that is none of
   * them is this error instead of a syntax error, `%s` standing for the word
   * (EXPIRE's `ERR Unsupported option %s`); so is an option word without the
   * words its value needs (Redis' loops test `moreargs` and fall through to
   * their last branch). `%c` stands for the subcommand as typed (XGROUP's
   * `… for 'create'. Try XGROUP HELP.`), in `once` messages too.
   */
  readonly unknownOption?: string;
  /**
   * Redis' own check of a string value, run as the parser meets it (so in
   * argument order, before the words after it): its error for the word, or
   * undefined. It sees the arguments read before it, by name (XSETID's
   * MAXDELETEDID against the last ID). On a repeated argument a word it
   * refuses ends the repetition instead, which may then be empty (XCLAIM
   * reads IDs up to the first word that is not one).
   */
  readonly check?: (word: Buffer, read: Readonly<Record<string, unknown>>) => string | undefined;
  /**
   * A required argument left out: this error instead of a syntax error,
   * once no other argument is missing (XREADGROUP's `ERR Missing GROUP
   * option for XREADGROUP`, checked after STREAMS; XADD's ID when its
   * options took every word: Redis' arity error).
   */
  readonly absent?: string;
  /**
   * An optional option read only at its place (Redis tests for it right
   * after the word before), and only when a word is left after it: XTRIM's
   * `MAXLEN = 5`, where in `MAXLEN =` or `MAXLEN ~ =` the last word is the
   * threshold (an integer error), not an operator; XPENDING's `IDLE ms`,
   * after which a second IDLE is the start ID.
   */
  readonly inPlace?: boolean;
  /**
   * Redis' check of the arguments read so far, once its option loop is
   * done: run after this argument is read, or before its `absent` error; on
   * an option of an any-order run, once the run ends, whether the option was
   * given or not (but a stray word after the command's last run is the
   * syntax error first). Its error, or undefined: XADD's and XTRIM's LIMIT
   * against the trimming strategy; HRANDFIELD's count, after which Redis
   * counts the command's words (`words`, the name included).
   */
  readonly verify?: (read: Readonly<Record<string, unknown>>, words: number) => string | undefined;
  /**
   * An option Redis' loop knows but refuses here: given at all, with the
   * words its value needs, it is this error as the parser meets it (XREAD's
   * GROUP and NOACK, which only XREADGROUP takes).
   */
  readonly refused?: string;
  /**
   * On a command's argument: Redis counts the words before it reads any,
   * and more than this many (the name included) is a syntax error
   * (XPENDING's 9, whatever they are).
   */
  readonly maxWords?: number;
  /** A oneof whose later branch replaces an earlier different one (SORT's ASC DESC) instead of conflicting. */
  readonly lastWins?: boolean;
  /**
   * Redis looks the command's keys up before it reads this argument and the
   * ones after it (ZUNIONSTORE's options, LINDEX's index, HSCAN's MATCH and
   * COUNT): their errors — a value that does not convert, a stray word — come
   * after the keys' type checks, or not at all when a missing key answers
   * first. The parser returns such an error as the command's `deferred`
   * error, and the translation looks the keys up before raising it.
   */
  readonly afterLookup?: KeyLookup;
  /**
   * An integer's bounds, checked as soon as it converts (so in argument
   * order, as Redis' option loops check them): a value outside is `error`
   * (LPOS's `ERR RANK can't be zero…`, `ERR COUNT can't be negative`).
   */
  readonly range?: { readonly min?: bigint; readonly max?: bigint; readonly notZero?: boolean; readonly error: string };
  /**
   * For a token-introduced repeated argument: takes exactly as many values as
   * the named integer argument says (ZUNION's `WEIGHTS`, one per key); with
   * fewer words left, the token is a syntax error.
   */
  readonly countedBy?: string;
}

/** How Redis looks a command's keys up before reading the rest (see `afterLookup`). */
export interface KeyLookup {
  /** The key arguments looked up, by name, in order. */
  readonly keys: readonly string[];
  /** The types they may hold; another is WRONGTYPE, or `wrongType`. */
  readonly types: readonly ('string' | 'list' | 'hash' | 'set' | 'zset' | 'stream')[];
  /**
   * When none of the keys exists: `skip` (the error all the same), `nil` or
   * `empty-scan` (Redis replies that, the error unseen), an integer Redis
   * replies, computed from the arguments read before the lookup (BITPOS's
   * -1 or 0 by its bit), or an error of its own (LSET's `ERR no such key`).
   */
  readonly missing:
    | 'skip'
    | 'nil'
    | 'empty-scan'
    | { readonly integer: (read: Readonly<Record<string, unknown>>) => bigint }
    | { readonly error: string };
  /** Redis' words for a key of another type, where not WRONGTYPE (LCS). */
  readonly wrongType?: string;
  /**
   * The argument counts (the name included) Redis goes on with once it has
   * looked the keys up; any other is a syntax error before it reads the
   * arguments after the lookup (BITCOUNT's 2, 4 or 5: `BITCOUNT k 0 x BIT
   * FOO` is a syntax error, not a value error).
   */
  readonly argc?: readonly number[];
  /**
   * A consumer group, named by this argument, that must exist on the stream
   * (XCLAIM): else `error`, which `missing` usually repeats; in both, `%k`
   * and `%g` stand for the key and the group as C strings.
   */
  readonly group?: { readonly name: string; readonly error: string };
}

/** The parse rules of `ArgFlags` that Redis' hand-written parsers add to COMMAND DOCS. */
export type ParseRules = Pick<
  ArgFlags,
  'error' | 'late' | 'once' | 'lastWins' | 'countError' | 'final' | 'unknownOption' | 'afterLookup' | 'range' | 'countedBy'
  | 'check' | 'absent' | 'inPlace' | 'verify' | 'refused' | 'maxWords'
>;

export interface ScalarArg<N extends string = string, K extends ScalarKind = ScalarKind> extends ArgFlags {
  readonly kind: K;
  readonly name: N;
}

export interface TokenArg<N extends string = string> extends ArgFlags {
  readonly kind: 'pure-token';
  readonly name: N;
  readonly token: string;
}

export interface OneofArg<N extends string = string, A extends readonly ArgSpec[] = readonly ArgSpec[]>
  extends ArgFlags {
  readonly kind: 'oneof';
  readonly name: N;
  readonly args: A;
}

export interface BlockArg<N extends string = string, A extends readonly ArgSpec[] = readonly ArgSpec[]>
  extends ArgFlags {
  readonly kind: 'block';
  readonly name: N;
  readonly args: A;
}

export type ArgSpec = ScalarArg | TokenArg | OneofArg | BlockArg;

/** Legacy key positions as `COMMAND INFO` reports them (first, last, step). */
export interface KeyPositions {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

export interface CommandSpec<
  N extends string = string,
  A extends readonly ArgSpec[] = readonly ArgSpec[],
  G extends Group = Group,
> {
  /** Upper case; a subcommand is `CONTAINER SUB` (`XGROUP CREATE`). */
  readonly name: N;
  readonly group: G;
  /** Redis' arity: n exactly, or -n for at least n (the name counts). */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys: KeyPositions;
  readonly args: A;
}

// ---------------------------------------------------------------- builders

export function key(): ScalarArg<'key', 'key'>;
export function key<N extends string>(name: N): ScalarArg<N, 'key'>;
export function key(name = 'key'): ScalarArg<string, 'key'> {
  return { kind: 'key', name };
}
export const str = <N extends string>(name: N): ScalarArg<N, 'string'> => ({ kind: 'string', name });
export const int = <N extends string>(name: N): ScalarArg<N, 'integer'> => ({ kind: 'integer', name });
export const dbl = <N extends string>(name: N): ScalarArg<N, 'double'> => ({ kind: 'double', name });
export const pattern = <N extends string>(name: N): ScalarArg<N, 'pattern'> => ({ kind: 'pattern', name });
export const unixTime = <N extends string>(name: N): ScalarArg<N, 'unix-time'> => ({ kind: 'unix-time', name });
export const token = <N extends string>(name: N, word: string): TokenArg<N> => ({
  kind: 'pure-token',
  name,
  token: word,
});
export const oneof = <N extends string, const A extends readonly ArgSpec[]>(name: N, ...args: A): OneofArg<N, A> => ({
  kind: 'oneof',
  name,
  args,
});
export const block = <N extends string, const A extends readonly ArgSpec[]>(name: N, ...args: A): BlockArg<N, A> => ({
  kind: 'block',
  name,
  args,
});

export const optional = <S extends ArgSpec>(spec: S): S & { readonly optional: true } => ({ ...spec, optional: true });
export const multiple = <S extends ArgSpec>(spec: S): S & { readonly multiple: true } => ({ ...spec, multiple: true });
/** `tok('EX', int('seconds'))`: the argument is introduced by a literal word. */
export const tok = <S extends ArgSpec>(word: string, spec: S): S => ({ ...spec, token: word });
/** `rules(dbl('timeout'), { error: 'ERR timeout is not a float or out of range' })`: see `ParseRules`. */
export const rules = <S extends ArgSpec>(spec: S, parseRules: ParseRules): S => ({ ...spec, ...parseRules });
/** Repeated, each repetition introduced by its token again. */
export const multipleToken = <S extends ArgSpec>(spec: S): S & { readonly multiple: true } =>
  ({ ...spec, multiple: true, multipleToken: true }) as S & { readonly multiple: true };

export const keys = (first: number, last: number, step: number): KeyPositions => ({ first, last, step });
export const NO_KEYS: KeyPositions = { first: 0, last: 0, step: 0 };

export function command<N extends string, G extends Group, const A extends readonly ArgSpec[]>(
  name: N,
  group: G,
  arity: number,
  flags: readonly CommandFlag[],
  keyPositions: KeyPositions,
  args: A,
): CommandSpec<N, A, G> {
  return { name, group, arity, flags, keys: keyPositions, args };
}

// ------------------------------------------------------------ value types

/** Bytes as Redis sees them; keys are text (validated) because PostgreSQL keys are `text`. */
export type Bytes = Buffer;

type ScalarValue<K> = K extends 'key'
  ? string
  : K extends 'string' | 'pattern'
    ? Bytes
    : K extends 'integer' | 'unix-time'
      ? bigint
      : K extends 'double'
        ? number
        : never;

/** Which branch of a oneof was given, and its value. */
export type OneofValue<A extends readonly ArgSpec[]> = {
  [I in keyof A]: A[I] extends ArgSpec ? { readonly kind: A[I]['name']; readonly value: SingleValue<A[I]> } : never;
}[number];

type SingleValue<S> = S extends { readonly kind: 'pure-token' }
  ? true
  : S extends { readonly kind: 'oneof'; readonly args: infer A extends readonly ArgSpec[] }
    ? OneofValue<A>
    : S extends { readonly kind: 'block'; readonly args: infer A extends readonly ArgSpec[] }
      ? ArgsOf<A>
      : S extends { readonly kind: infer K }
        ? ScalarValue<K>
        : never;

type WithMultiple<S, V> = S extends { readonly multiple: true } ? readonly V[] : V;
// A repeated argument is an array (empty when an optional one is absent).
type WithOptional<S, V> = S extends { readonly multiple: true }
  ? V
  : S extends { readonly optional: true }
    ? V | undefined
    : V;

/** The parsed value of one argument spec. */
export type ValueOf<S> = WithOptional<S, WithMultiple<S, SingleValue<S>>>;

/** The parsed arguments of an argument list, by argument name. */
export type ArgsOf<A extends readonly ArgSpec[]> = {
  readonly [S in A[number] as S['name']]: ValueOf<S>;
};
