import { existsSync } from 'node:fs';

/**
 * `npm run bench [-- section …]`: run the named benchmark sections, or every
 * section that can run here when none is named.
 *
 *   npm run bench -- parse     # tokenizer + parser throughput
 *   npm run bench              # all sections whose requirements are met
 *
 * A section is one file of bench/, loaded only when it runs; add one by adding
 * an entry to SECTIONS.
 */
interface Section {
  readonly name: string;
  readonly description: string;
  /** Why it cannot run on this machine, or undefined when it can. */
  readonly unavailable?: () => Promise<string | undefined>;
  readonly run: () => Promise<unknown>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

async function postgresMissing(): Promise<string | undefined> {
  const { postgresBinDir } = await import('../test/support/servers.js');
  try {
    postgresBinDir();
    return undefined;
  } catch (e) {
    return `no PostgreSQL server binaries (${String(e)})`;
  }
}

const SECTIONS: readonly Section[] = [
  {
    name: 'parse',
    description: 'tokenize + parse throughput over a mixed corpus, against a bare split(" ")',
    run: async () => (await import('./parse.js')).parseBench(),
  },
  {
    name: 'sql',
    description: 'compiled SQL on PostgreSQL 15 vs redis-server: latency and throughput',
    unavailable: async () => (existsSync(REDIS_SERVER) ? postgresMissing() : `no redis-server at ${REDIS_SERVER}`),
    run: async () => (await import('./sql-latency.js')).sqlLatencyBench(),
  },
  {
    name: 'collections',
    description: 'hashes, lists, sets, sorted sets on PostgreSQL 15 vs redis-server vs the naive mapping; scaling 1k → 100k',
    unavailable: async () => (existsSync(REDIS_SERVER) ? postgresMissing() : `no redis-server at ${REDIS_SERVER}`),
    run: async () => (await import('./collections.js')).collectionsBench(),
  },
  {
    name: 'lua',
    description: 'two rate limiters (fixed and sliding window) and a job claim as Lua: EVALSHA on redis-server vs the compiled PL/pgSQL function vs round trips',
    unavailable: async () => (existsSync(REDIS_SERVER) ? postgresMissing() : `no redis-server at ${REDIS_SERVER}`),
    run: async () => (await import('./lua.js')).luaBench(),
  },
  {
    name: 'runtime',
    description: "converted code's calls on PostgreSQL 15 (the codemod runtime on a pg Pool): prepared statements against the same calls unnamed",
    unavailable: postgresMissing,
    run: async () => (await import('./runtime.js')).runtimeBench(),
  },
  {
    name: 'codemod',
    description: 'codemod dry run over two generated 1 000-file projects (repeating and distinct statements), each beside tsc --noEmit on it: time and peak memory',
    unavailable: async () => (existsSync('/usr/bin/time') ? undefined : 'no /usr/bin/time to read peak memory with'),
    run: async () => (await import('./codemod.js')).codemodBench(),
  },
];

async function main(names: readonly string[]): Promise<number> {
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s): ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const chosen = names.length === 0 ? SECTIONS : SECTIONS.filter((s) => names.includes(s.name));
  for (const section of chosen) {
    const why = await section.unavailable?.();
    if (why !== undefined) {
      // Asked for by name: a failure; part of "all": skipped with the reason.
      console.log(`\n== ${section.name}: skipped (${why})`);
      if (names.length > 0) return 1;
      continue;
    }
    console.log(`\n== ${section.name}: ${section.description}`);
    await section.run();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
