import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DatabaseError, Redis2SqlError, UsageError } from '../errors.js';
import { OUTPUT_FORMATS } from '../emit/output-formats.js';
import { schemaSql } from '../emit/schema/index.js';
import { registerAnalyze } from './analyze.js';
import { registerCodemod } from './codemod.js';
import { addExamples } from './help.js';
import { registerInit } from './init.js';
import { registerLua } from './lua.js';
import { colors } from './style.js';
import { processIo, type CliIo } from './io.js';
import type { CliFormat } from './translate.js';
import type { Flavour } from '../codemod/snippet.js';

/** Exit codes: success, a command failed (Redis error, unsupported, bad input), usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Whose values `translate --format ts` yields. */
const CLIENT_FLAVOURS: readonly Flavour[] = ['ioredis', 'node-redis4', 'node-redis5'];

function version(): string {
  // src/cli/main.ts and dist/cli/main.js both sit two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The `redis2sql` command line. Returns the exit code rather than exiting, so
 * that tests run it in-process with their own streams.
 *
 *   await main(['translate', 'GET k'])           → 0 (the SQL on stdout)
 *   await main(['exec', 'GET', 'k'])             → 0 ('(nil)' on stdout)
 *   await main(['translate', '--format', 'xml', 'GET k'])  → 2
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help and --version end with exit code 0; commander has printed the message.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`redis2sql: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof DatabaseError) {
    io.stderr.write(`redis2sql: database error: ${oneLine(error.message)}\n`);
    return EXIT.failed;
  }
  if (error instanceof Redis2SqlError) {
    io.stderr.write(`redis2sql: ${oneLine(error.message)}\n`);
    return EXIT.failed;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  io.stderr.write(`redis2sql: internal error: ${oneLine(e.message)}\n`);
  if ((io.env['DEBUG'] ?? '').split(',').includes('redis2sql')) io.stderr.write(`${e.stack ?? ''}\n`);
  else io.stderr.write('(set DEBUG=redis2sql for the stack trace; please report it)\n');
  return EXIT.failed;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('redis2sql')
    .description('Compile Redis commands into parameterised PostgreSQL, and run them')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showSuggestionAfterError(true)
    // Redis arguments often start with '-' (-1, -inf, -): after the command's
    // first word, everything is the command's, not an option of ours.
    .enablePositionalOptions();

  const schemaOption = (): Option => new Option('--schema <name>', 'PostgreSQL schema of the tables').default('redis');

  program
    .command('translate')
    .description('print the SQL of Redis commands (one quoted string, separate words, or lines from --file/stdin)')
    .argument('[command...]', 'the Redis command, e.g. "ZADD lb 10 alice" or ZADD lb 10 alice')
    .addOption(new Option('-f, --format <format>', 'output format (ts: the node-postgres code the codemod writes)').choices([...OUTPUT_FORMATS, 'ts']).default('sql'))
    .addOption(new Option('--client <client>', 'with --format ts: whose values the code yields (default ioredis)').choices(CLIENT_FLAVOURS))
    .addOption(schemaOption())
    .option('--file <path>', 'read redis-cli lines from a file (blank lines and # comments skipped)')
    .addOption(new Option('--from <format>', 'input: redis-cli lines, or a redis-cli MONITOR capture (FILE, --file or stdin)').choices(['lines', 'monitor']).default('lines'))
    .passThroughOptions()
    .action(async (words: string[], opts: { format: CliFormat; client?: Flavour; schema: string; file?: string; from: 'lines' | 'monitor' }) => {
      const { translateCommand } = await import('./translate.js');
      setCode(await translateCommand(words, opts, io));
    });

  program
    .command('schema')
    .description('print the DDL of the tables and helper functions (PostgreSQL 15+)')
    .addOption(schemaOption())
    .option('--unlogged', 'UNLOGGED tables: faster, emptied after a crash (cache-only data)', false)
    .action((opts: { schema: string; unlogged: boolean }) => {
      io.stdout.write(schemaSql({ schema: opts.schema, unlogged: opts.unlogged }));
    });

  program
    .command('exec')
    .description('run Redis commands on PostgreSQL and print the replies as redis-cli does (embedded PGlite by default)')
    .argument('[command...]', 'the Redis command; without one, lines from --file or stdin, or a prompt on a terminal')
    .option('--file <path>', 'read redis-cli lines from a file')
    .option('--data-dir <dir>', 'keep the embedded database in this directory between runs')
    .option('--db <url>', 'a PostgreSQL server (postgres://…; default: $DATABASE_URL, else embedded)')
    .addOption(schemaOption())
    .option('--json', 'print replies as redis-cli -2 --json does (errors as error:"…")')
    .addOption(new Option('--quoted-json', 'print replies as redis-cli -2 --quoted-json does (ASCII only)').conflicts('json'))
    .passThroughOptions()
    .action(async (words: string[], opts: { file?: string; dataDir?: string; db?: string; schema: string; json?: true; quotedJson?: true }) => {
      const { json, quotedJson, ...rest } = opts;
      const { execCommand } = await import('./exec.js');
      setCode(await execCommand(words, { ...rest, ...(json ? { json: 'json' } : quotedJson ? { json: 'quoted-json' } : {}) }, io));
    });

  program
    .command('commands')
    .description('the compatibility matrix: every Redis command, translated, pending or refused, and why')
    .option('--json', 'as JSON', false)
    .action(async (opts: { json: boolean }) => {
      const { compatibilityMatrix } = await import('../emit/matrix.js');
      const rows = compatibilityMatrix();
      if (opts.json) {
        io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const width = Math.max(...rows.map((r) => r.command.length));
      const groupWidth = Math.max(...rows.map((r) => r.group.length));
      const c = colors(io, 'stdout');
      const paint = { translated: c.green, pending: c.yellow, refused: c.red };
      for (const r of rows) {
        const line = `${r.command.padEnd(width)}  ${r.group.padEnd(groupWidth)}  ${paint[r.status](r.status.padEnd(10))}  ${r.reason ?? ''}`;
        io.stdout.write(line.trimEnd() + '\n');
      }
    });

  registerLua(program, io, setCode);

  registerCodemod(program, io, setCode);

  registerAnalyze(program, io, setCode);

  registerInit(program, io);

  // Subcommands (and theirs) report their own usage errors through exitOverride too, and show examples in --help.
  const configure = (command: Command): void => {
    addExamples(command);
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
      configure(sub);
    }
  };
  configure(program);
  return program;
}
