import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { streamLines, type CliIo } from '../../src/cli/io.js';
import { embeddedDatabase, openDatabase, type Database } from '../../src/db/index.js';
import { schemaSql } from '../../src/emit/schema/index.js';
import { compatibilityMatrix } from '../../src/emit/matrix.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** main() in-process with captured streams; `stdin` undefined means an empty terminal. */
async function run(argv: string[], stdin?: string | Buffer, env: Record<string, string> = {}, tty = stdin === undefined): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const input = Readable.from(stdin === undefined ? [] : [typeof stdin === 'string' ? Buffer.from(stdin) : stdin]);
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true) },
    stdin: Object.assign(input, { isTTY: tty }),
    env,
    // One PGlite for the file (startup is slow); --data-dir and URLs get the real thing.
    openDatabase: async (options) => (options.dataDir !== undefined || options.url !== undefined ? openDatabase(options) : shared()),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

let dir: string;
let sharedDb: Promise<Database> | undefined;
/** The file's PGlite, which `exec` may close as often as it likes. */
async function shared(): Promise<Database> {
  const db = await (sharedDb ??= embeddedDatabase());
  return { ...db, close: async () => undefined };
}
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'redis2sql-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (sharedDb) await (await sharedDb).close();
});

describe('redis2sql --help / --version / usage', () => {
  it('prints the version from package.json', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
  it('prints help with every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['translate', 'schema', 'exec', 'commands']) expect(r.stdout).toContain(c);
  });
  it('exits 2 on an unknown command, an unknown option, a bad format, no command at all', async () => {
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['schema', '--nope'])).code).toBe(2);
    const bad = await run(['translate', '--format', 'xml', 'GET k']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'xml' is invalid");
    expect((await run([])).code).toBe(2);
  });
  it('exits 2 on an empty command word or nothing to translate', async () => {
    expect(await run(['translate', ''])).toMatchObject({ code: 2, stderr: 'redis2sql: empty command\n' });
    expect(await run(['translate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to translate') });
    expect(await run(['exec', '--db', 'mysql://x', 'PING'])).toMatchObject({ code: 2 });
    expect(await run(['schema', '--schema', "a'b"])).toMatchObject({ code: 2, stderr: expect.stringContaining('invalid schema name') });
  });
});

describe('redis2sql translate', () => {
  it('takes the command as one quoted string or as words, with arguments that look like options', async () => {
    const one = await run(['translate', 'INCRBY k -5']);
    const words = await run(['translate', 'INCRBY', 'k', '-5']);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(words.stdout);
    expect(one.stdout).toMatch(/-- \$1 = 'k'\n-- \$2 = .*5/);
  });

  it('prints json, one object per line', async () => {
    const r = await run(['translate', '--format', 'json', 'SET', 'k', 'a b']);
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(obj).toMatchObject({ input: 'SET k "a b"', command: 'SET' });
  });

  it('prints psql with literals inlined', async () => {
    const r = await run(['translate', '--format', 'psql', `GET "it's"`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`'it''s'`);
    expect(r.stdout).not.toMatch(/\$\d/);
  });

  it('uses the schema given', async () => {
    const r = await run(['translate', '--schema', 'cache', 'GET k']);
    expect(r.stdout).toContain('cache.keys');
    expect(r.stdout).not.toContain('redis.');
  });

  it('reads lines from stdin and --file, skipping blanks and comments; a failed line exits 1', async () => {
    const script = '# test\nGET a\n\nGET\nGET "b\nGET c\n';
    const viaStdin = await run(['translate'], script);
    expect(viaStdin.code).toBe(1);
    expect(viaStdin.stdout.match(/^-- GET [ac]$/gm)).toEqual(['-- GET a', '-- GET c']);
    expect(viaStdin.stderr).toBe(
      "redis2sql: line 4: ERR wrong number of arguments for 'get' command\n" +
        'redis2sql: line 5: ERR Protocol error: unbalanced quotes in request (the quote at offset 4 is never closed)\n',
    );
    const file = join(dir, 'cmds.redis');
    writeFileSync(file, script);
    expect(await run(['translate', '--file', file])).toEqual(viaStdin);
    const json = await run(['translate', '--format', 'json', '--file', file]);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(json.code).toBe(1);
  });

  it('refuses a missing file as a usage error', async () => {
    expect(await run(['translate', '--file', join(dir, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
  });

  it('reports an unsupported command and exits 1', async () => {
    const r = await run(['translate', 'SUBSCRIBE ch']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^redis2sql: SUBSCRIBE: .+\n$/);
  });

  it('handles a 10 MB line and invalid UTF-8 with one-line answers', async () => {
    const big = `SET k "${'x'.repeat(10 * 1024 * 1024)}`;
    const unbalanced = await run(['translate'], big + '\n');
    expect(unbalanced.code).toBe(1);
    expect(unbalanced.stderr.split('\n')).toHaveLength(2);
    expect(unbalanced.stderr.length).toBeLessThan(200);
    const badKey = await run(['translate'], Buffer.from('GET \xff\xfe\n', 'latin1'));
    expect(badKey).toMatchObject({ code: 1, stderr: 'redis2sql: line 1: key argument 1 is not valid UTF-8: PostgreSQL text cannot hold it\n' });
    // Invalid UTF-8 in a value is just bytes.
    const badValue = await run(['translate', '--format', 'json'], Buffer.from('SET k \xff\n', 'latin1'));
    expect(badValue.code).toBe(0);
    expect(badValue.stdout).toContain('{"base64":"/w=="}');
  });
});

describe('redis2sql schema', () => {
  it('prints the DDL, with options', async () => {
    expect(await run(['schema'])).toEqual({ code: 0, stdout: schemaSql(), stderr: '' });
    expect((await run(['schema', '--schema', 'cache', '--unlogged'])).stdout).toBe(schemaSql({ schema: 'cache', unlogged: true }));
  });
});

describe('redis2sql commands', () => {
  it('lists every known command with its status', async () => {
    const rows = compatibilityMatrix();
    const text = await run(['commands']);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(rows.length);
    expect(text.stdout).toMatch(/^GET +string +translated$/m);
    const json = await run(['commands', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(rows);
  });
});

describe('redis2sql exec', () => {
  it('runs words on an embedded database and prints as redis-cli', async () => {
    expect(await run(['exec', 'PING'])).toEqual({ code: 0, stdout: 'PONG\n', stderr: '' });
    expect(await run(['exec', 'GET', 'words-k'])).toEqual({ code: 0, stdout: '(nil)\n', stderr: '' });
  });

  it('prints warnings of the translation on stderr', async () => {
    const r = await run(['exec', 'BLPOP', 'empty-queue', '0']);
    expect(r).toMatchObject({ code: 0, stdout: '(nil)\n', stderr: expect.stringMatching(/^redis2sql: warning: BLPOP does not wait/) });
  });

  it('runs stdin, goes on after an error reply and exits 1', async () => {
    const r = await run(['exec'], 'SET k "a\\x00b"\nGET k\n\n# c\nINCR k\nRPUSH l x y\nLRANGE l 0 -1\n');
    expect(r.stdout).toBe('OK\n"a\\x00b"\n(error) ERR value is not an integer or out of range\n(integer) 2\n1) "x"\n2) "y"\n');
    expect(r.code).toBe(1);
  });

  it('answers a script the Lua compiler refuses with an error reply naming its line:column, and goes on', async () => {
    const r = await run(['exec'], 'SET k 1\nEVAL "return redis.call(KEYS[1])" 0\nGET k\n');
    expect(r.stdout).toBe('OK\n(error) ERR redis2sql: EVAL: the script cannot be compiled: 1:8: redis.call needs a literal command name\n"1"\n');
    expect(r.code).toBe(1);
    const t = await run(['translate', 'SCRIPT LOAD "return redis.call(KEYS[1])"']);
    expect(t).toMatchObject({ code: 1, stdout: '', stderr: 'redis2sql: SCRIPT LOAD: the script cannot be compiled: 1:8: redis.call needs a literal command name\n' });
  });

  it('keeps data between runs with --data-dir', { timeout: 300_000 }, async () => {
    const data = join(dir, 'data');
    expect((await run(['exec', '--data-dir', data, 'SET', 'kept', '1'])).code).toBe(0);
    expect(await run(['exec', '--data-dir', data, 'INCR kept'])).toEqual({ code: 0, stdout: '(integer) 2\n', stderr: '' });
  });

  it('refuses --db with --data-dir, and reports a database it cannot reach in one line', async () => {
    expect((await run(['exec', '--db', 'postgres://x@127.0.0.1:1/x', '--data-dir', dir, 'PING'])).code).toBe(2);
    const r = await run(['exec', 'PING'], undefined, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^redis2sql: database error: .*ECONNREFUSED.*\n$/);
  });

  it('refuses a REDIS2SQL_PREPARE that says neither on nor off, before it opens a database', async () => {
    const r = await run(['exec', 'PING'], undefined, { REDIS2SQL_PREPARE: 'sometimes', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("REDIS2SQL_PREPARE is 'sometimes': it must be on or off (1/0, true/false)");
  });

  it('prompts on a terminal, answers each line and leaves on quit', async () => {
    const r = await run(['exec'], 'PING\nGET\nquit\nPING\n', {}, true);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("PONG\n");
    expect(r.stdout).toContain("(error) ERR wrong number of arguments for 'get' command\n");
    expect(r.stdout.split('PONG')).toHaveLength(2);
    expect(r.stdout.match(/redis2sql> /g)).toHaveLength(3);
  });
});

describe('streamLines', () => {
  it('splits lines across chunks, drops \\r, skips blanks and comments, keeps a last line without newline', async () => {
    const stream = Readable.from([Buffer.from('SET k "a'), Buffer.from('b"\r\n\n# c\nGET'), Buffer.from(' \xff', 'latin1'), Buffer.from('\nPING')]);
    const lines = [];
    for await (const l of streamLines(stream)) lines.push(l);
    expect(lines).toEqual([
      { line: 1, text: Buffer.from('SET k "ab"') },
      { line: 4, text: Buffer.from('GET \xff', 'latin1') },
      { line: 5, text: Buffer.from('PING') },
    ]);
  });

  it('lets exec answer a line before stdin ends', async () => {
    const stdin = new PassThrough();
    let stdout = '';
    const done = main(['exec'], {
      stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
      stderr: { write: () => true },
      stdin: Object.assign(stdin, { isTTY: false }),
      env: {},
      openDatabase: () => shared(),
    });
    stdin.write('PING\n');
    for (let i = 0; i < 600 && stdout === ''; i++) await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toBe('PONG\n');
    stdin.end('ECHO bye\n');
    expect(await done).toBe(0);
    expect(stdout).toBe('PONG\n"bye"\n');
  });
});

describe('internal errors', () => {
  it('print one line, and the stack only under DEBUG=redis2sql', async () => {
    const explode = { ...process.stdin, isTTY: false } as unknown as CliIo['stdin'];
    const io = (env: Record<string, string>): CliIo & { err: () => string } => {
      let err = '';
      return {
        stdout: { write: () => true },
        stderr: { write: (s: string | Uint8Array) => ((err += s.toString()), true) },
        stdin: explode,
        env,
        err: () => err,
      };
    };
    const quiet = io({});
    expect(await main(['translate'], quiet)).toBe(1);
    expect(quiet.err()).toMatch(/^redis2sql: internal error: .+\n\(set DEBUG=redis2sql for the stack trace; please report it\)\n$/);
    const debug = io({ DEBUG: 'redis2sql' });
    await main(['translate'], debug);
    expect(debug.err()).toMatch(/internal error: .+\n.*\n\s+at /);
  });
});

describe('bin/redis2sql.js end to end (after npm run build)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  it('builds, then translates and execs from the shell', { timeout: 600_000 }, () => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
    const bin = join(root, 'bin/redis2sql.js');
    const translated = spawnSync('node', [bin, 'translate', 'GET k'], { encoding: 'utf8' });
    expect(translated.status).toBe(0);
    expect(translated.stdout).toContain('-- $1 = \'k\'');
    const executed = spawnSync('node', [bin, 'exec'], { input: 'SET k v\nGET k\nGET\n', encoding: 'utf8' });
    expect(executed.stdout).toBe('OK\n"v"\n(error) ERR wrong number of arguments for \'get\' command\n');
    expect(executed.status).toBe(1);
    const usage = spawnSync('node', [bin, 'translate', '--format', 'nope', 'GET k'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
  });
});
