import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { emptyScriptContext, installScript } from '../../src/codemod/scripts.js';
import { compileLua } from '../../src/translators/lua/compile.js';
import { translate } from '../../src/translate.js';
import { ioredis } from '../../src/codemod/runtime.js';

// What --schema-out installs for a converted script, and the statement the
// converted call runs (lua_run): the script survives SCRIPT FLUSH, as the
// clients' EVAL (or EVALSHA, then EVAL on NOSCRIPT) does; EVALSHA does not.
// (The sample apps run it against the real clients' recordings.)
describe('codemod: a converted script and SCRIPT FLUSH', () => {
  let db: Database;
  beforeAll(async () => {
    db = await embeddedDatabase();
    await ensureSchema(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const run = (sha: string): Promise<unknown> => ioredis(db, 'SELECT redis.lua_run($1, $2::text[], $3::bytea[]) AS reply', [sha, [], []], { kind: 'lua' });
  const evalsha = (sha: string): Promise<unknown> => ioredis(db, 'SELECT redis.lua_evalsha($1, $2::text[], $3::bytea[]) AS reply', [sha, [], []], { kind: 'lua' });
  const loaded = async (sha: string): Promise<unknown> => (await db.query('SELECT redis.lua_exists($1) AS loaded', [sha]))[0]?.['loaded'];
  const flush = async (): Promise<void> => {
    const c = translate('SCRIPT FLUSH');
    await db.query(c.sql, c.params);
  };

  it('runs before and after SCRIPT FLUSH; the row keeps a DDL holding the quote tag it would have used', async () => {
    // The DDL carries the script's lines as comments: a script with `$src$` in it.
    const script = compileLua("return '$src$ and $src_$'");
    const context = emptyScriptContext();
    installScript(context, script);
    const installed = context.functions.get(script.sha)!;
    await db.exec(installed);
    expect(await db.query('SELECT ddl FROM redis.lua_sources WHERE sha = $1', [script.sha])).toEqual([{ ddl: script.ddl }]);
    expect(await run(script.sha)).toBe('$src$ and $src_$');
    await flush();
    expect(await loaded(script.sha)).toBe(false);
    await expect(evalsha(script.sha)).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.');
    // The converted call loads it again, as EVAL does; EVALSHA finds it then.
    expect(await run(script.sha)).toBe('$src$ and $src_$');
    expect(await loaded(script.sha)).toBe(true);
    expect(await evalsha(script.sha)).toBe('$src$ and $src_$');
  });

  it('a script whose DDL was never applied fails with what to do', async () => {
    await expect(run('0123456789abcdef0123456789abcdef01234567')).rejects.toThrow(
      'redis2sql: the function of script 0123456789abcdef0123456789abcdef01234567 is not installed: apply the DDL redis2sql codemod --schema-out wrote',
    );
  });
});
