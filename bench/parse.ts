import { parseCommand } from '../src/grammar/parse.js';
import { splitWords, tokenize } from '../src/grammar/tokenize.js';
import { seededRng, type Rng } from '../test/support/fuzz.js';

/**
 * `npm run bench -- parse`: tokenize + parse throughput (commands/s) over a
 * generated corpus of mixed command lines, printed beside a bare
 * `line.split(' ')` over the same lines in the same run — the floor no real
 * splitter can beat — and their ratio against the goal (≥ 1/3 of the floor).
 *
 *   parseBench()   // prints the table, returns the numbers
 */

const LINES = 20_000;
const ROUNDS = 7;
/**
 * Unmeasured passes over the corpus first: on a busy 2-core machine the
 * first three or four passes still run code the JIT has not finished
 * optimizing (3-6 µs per command against about 1 µs after), so that best of
 * 7 measured the compiler as much as the parser.
 */
const WARMUP = 4;
const GOAL = 1 / 3;

const word = (rng: Rng, words: readonly string[]): string => rng.pick(words);
const int = (rng: Rng, max = 1000): string => String(rng.int(max) - (rng.chance(0.2) ? Math.floor(max / 2) : 0));
const float = (rng: Rng): string => rng.pick(['1.5', '-2', '0.25', '+inf', '-inf', '3e2', String(rng.int(10_000) / 100)]);
const KEYS = ['user:1', 'session:abc', 'cart:42', 'q', 'leaderboard', 'events', 'counter', 'h:9', 'idx'];
const PLAIN = ['alice', 'bob', 'v', 'hello', '42', 'payload', 'x', 'café', 'naïve'];

/** A value as a user would paste it: plain, double-quoted with escapes, or single-quoted. */
function value(rng: Rng): string {
  const r = rng.int(6);
  if (r === 0) return '"hello world"';
  if (r === 1) return `"line\\none \\"quoted\\" \\x41\\x42 ${rng.int(100)}"`;
  if (r === 2) return `'it\\'s ${rng.int(100)}'`;
  return word(rng, PLAIN) + (rng.chance(0.5) ? String(rng.int(1000)) : '');
}

const key = (rng: Rng): string => (rng.chance(0.1) ? '"key with space"' : word(rng, KEYS));

/** Lines of the commands people run most, with their options in varied order and case. */
const TEMPLATES: readonly ((rng: Rng) => string)[] = [
  (r) => `GET ${key(r)}`,
  (r) => `get ${key(r)}`,
  (r) => `SET ${key(r)} ${value(r)}`,
  (r) => `SET ${key(r)} ${value(r)} EX ${int(r, 3600)} NX`,
  (r) => `set ${key(r)} ${value(r)} get px ${r.int(99_999) + 1} xx`,
  (r) => `SET ${key(r)} ${value(r)} KEEPTTL GET`,
  (r) => `HSET ${key(r)} f1 ${value(r)} f2 ${value(r)}`,
  (r) => `HGET ${key(r)} ${word(r, PLAIN)}`,
  (r) => `HINCRBY ${key(r)} visits ${int(r)}`,
  (r) => `HMGET ${key(r)} a b c d`,
  (r) => `LPUSH ${key(r)} ${value(r)} ${value(r)} ${value(r)}`,
  (r) => `RPUSH ${key(r)} ${value(r)}`,
  (r) => `LRANGE ${key(r)} 0 ${int(r, 100)}`,
  (r) => `LPOP ${key(r)} ${r.int(5) + 1}`,
  (r) => `LPOS ${key(r)} ${value(r)} RANK ${r.int(3) + 1} MAXLEN 100`,
  (r) => `BLPOP ${key(r)} ${key(r)} 0.5`,
  (r) => `SADD ${key(r)} ${value(r)} ${value(r)}`,
  (r) => `SISMEMBER ${key(r)} ${value(r)}`,
  (r) => `SINTERCARD 2 ${key(r)} ${key(r)} LIMIT 10`,
  (r) => `ZADD ${key(r)} ${float(r)} ${word(r, PLAIN)} ${float(r)} ${word(r, PLAIN)}`,
  (r) => `ZADD ${key(r)} NX CH ${float(r)} ${word(r, PLAIN)}`,
  (r) => `ZRANGE ${key(r)} 0 -1 WITHSCORES`,
  (r) => `zrange ${key(r)} (1 +inf byscore limit 0 ${r.int(50)} withscores`,
  (r) => `ZINCRBY ${key(r)} ${float(r)} ${word(r, PLAIN)}`,
  (r) => `ZUNIONSTORE out 2 ${key(r)} ${key(r)} WEIGHTS 1 2 AGGREGATE MAX`,
  (r) => `ZSCORE ${key(r)} ${word(r, PLAIN)}`,
  (r) => `XADD ${key(r)} MAXLEN ~ 1000 * field ${value(r)} other ${value(r)}`,
  (r) => `XREAD COUNT 10 STREAMS ${key(r)} ${key(r)} 0-0 $`,
  (r) => `XGROUP CREATE ${key(r)} workers $ MKSTREAM`,
  (r) => `EVAL "return redis.call('GET', KEYS[1])" 1 ${key(r)} ${value(r)}`,
  (r) => `PUBLISH news ${value(r)}`,
];

export interface ParseBenchResult {
  readonly lines: number;
  readonly parsePerSecond: number;
  readonly splitPerSecond: number;
  readonly ratio: number;
  readonly goalMet: boolean;
}

/**
 * The corpus: LINES lines from the templates, seeded so every run measures the same text.
 *
 *   parseCorpus(2) → ['LPOS events bob682 RANK 3 MAXLEN 100', 'HMGET "key with space" a b c d']
 */
export function parseCorpus(count = LINES, seed = 2026): string[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => rng.pick(TEMPLATES)(rng));
}

/**
 * The fastest of `rounds` runs, in seconds of this process' CPU time: on a
 * shared machine wall time also counts the moments another process had the
 * core, and those would land on whichever side was running.
 */
function best(rounds: number, body: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    fastest = Math.min(fastest, (used.user + used.system) / 1e6);
  }
  return fastest;
}

export function parseBench(log: (line: string) => void = console.log): ParseBenchResult {
  const lines = parseCorpus();
  // Every line must be a command we accept: a benchmark of error paths would measure stack traces.
  const failures = lines.flatMap((l) => {
    try {
      parseCommand(l);
      return [];
    } catch (e) {
      return [`${l}: ${String(e)}`];
    }
  });
  if (failures.length > 0) throw new Error(`corpus lines we do not parse:\n${failures.slice(0, 5).join('\n')}`);
  let sink = 0;
  for (let r = 0; r < WARMUP; r++) {
    for (const l of lines) sink += l.split(' ').length;
    for (const l of lines) sink += parseCommand(l).name.length;
  }
  // Interleaved rounds, best of each, so that machine noise hits both alike.
  let parseSeconds = Infinity;
  let splitSeconds = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    splitSeconds = Math.min(splitSeconds, best(1, () => {
      for (const l of lines) sink += l.split(' ').length;
    }));
    // What a translator reads of the result: its name and args (argv's
    // Buffers are made only when read, and translators rarely read them).
    parseSeconds = Math.min(parseSeconds, best(1, () => {
      for (const l of lines) sink += parseCommand(l).name.length;
    }));
  }
  const tokenizeSeconds = best(3, () => {
    for (const l of lines) sink += splitWords(l).length;
  });
  const buffersSeconds = best(3, () => {
    for (const l of lines) sink += tokenize(l).length;
  });
  const per = (seconds: number): number => lines.length / seconds;
  const ratio = per(parseSeconds) / per(splitSeconds);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);
  log(`corpus: ${lines.length} lines, ${TEMPLATES.length} command shapes, ${lines.join('\n').length} chars (checksum ${sink % 997})`);
  log(`  split(' ')          ${fmt(per(splitSeconds))} lines/s   (the floor)`);
  log(`  tokenize (strings)  ${fmt(per(tokenizeSeconds))} lines/s   (what the parser splits with)`);
  log(`  tokenize (Buffers)  ${fmt(per(buffersSeconds))} lines/s   (the public tokenize: one Buffer per word)`);
  log(`  tokenize + parse    ${fmt(per(parseSeconds))} commands/s`);
  log(`  ratio parse/split   ${ratio.toFixed(3)}  goal ≥ ${GOAL.toFixed(3)}: ${ratio >= GOAL ? 'met' : 'NOT met'}`);
  // Linear time: ten times the line, about ten times the time.
  const big = (mb: number): string => `SET k "${'xy\\n'.repeat((mb * 1024 * 1024) / 8)}" ${'w '.repeat(mb * 1024 * 256)}`;
  const oneMb = big(1);
  const tenMb = big(10);
  const t1 = best(2, () => void (sink += tokenize(oneMb).length));
  const t10 = best(1, () => void (sink += tokenize(tenMb).length));
  log(`  tokenize 1 MB line  ${(t1 * 1000).toFixed(1).padStart(8)} ms; 10 MB: ${(t10 * 1000).toFixed(1)} ms (×${(t10 / t1).toFixed(1)}, linear ≈ ×10)`);
  return {
    lines: lines.length,
    parsePerSecond: per(parseSeconds),
    splitPerSecond: per(splitSeconds),
    ratio,
    goalMet: ratio >= GOAL,
  };
}
