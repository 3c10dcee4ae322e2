import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { isCommonJs, requiredModules, withRequires } from '../../src/codemod/commonjs.js';
import type { Edit } from '../../src/codemod/edits.js';

// The CommonJS side of a converted file, without the type checker: which
// files are CommonJS, and the requires a converted one gets and keeps. The
// conversions themselves (clients traced through require and module.exports)
// are proved by the commonjs value fixtures and the ioredis5-commonjs app.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function file(name: string, text: string, pkg: object = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'redis2sql-commonjs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  return new Project({ useInMemoryFileSystem: false, compilerOptions: { allowJs: true } }).createSourceFile(join(dir, name), text);
}

/** An edit replacing the first occurrence of `from` in `text`. */
function edit(text: string, from: string, to: string): Edit {
  const start = text.indexOf(from);
  return { start, end: start + from.length, text: to };
}

describe('codemod CommonJS: which files', () => {
  it('.cjs always; .js without import/export unless its package says "type": "module"; .mjs and ES syntax never', () => {
    expect(isCommonJs(file('a.cjs', "const x = require('ioredis');\n", { type: 'module' }))).toBe(true);
    expect(isCommonJs(file('a.js', "const x = require('ioredis');\n"))).toBe(true);
    expect(isCommonJs(file('a.js', "const x = require('ioredis');\n", { type: 'module' }))).toBe(false);
    expect(isCommonJs(file('a.js', "import x from 'ioredis';\n"))).toBe(false);
    expect(isCommonJs(file('a.js', 'export const y = 1;\n'))).toBe(false);
    expect(isCommonJs(file('a.mjs', 'const y = 1;\n'))).toBe(false);
    expect(isCommonJs(file('a.ts', 'const y = 1;\n'))).toBe(false);
  });

  it('finds the client modules a file requires', () => {
    const f = file('a.js', "const { createClient } = require('@redis/client');\nconst R = require(\"ioredis\").default;\n");
    expect(requiredModules(f, ['ioredis', 'redis', '@redis/client'])).toEqual(['ioredis', '@redis/client']);
  });
});

describe('codemod CommonJS: the requires of a converted file', () => {
  it('pg and the runtime after the directive and the requires that stay; an unused client require goes', () => {
    const text = "'use strict';\nconst Redis = require('ioredis');\nconst util = require('node:util');\nconst redis = new Redis();\nexports.get = (k) => redis.get(k);\n";
    const f = file('a.js', text);
    const out = withRequires(f, [edit(text, 'new Redis()', 'new pg.Pool()'), edit(text, 'redis.get(k)', 'r2s.ioredis(redis, "SELECT … redis.keys", [k])')], ['ioredis']);
    expect(out).toBe(
      "'use strict';\nconst util = require('node:util');\nconst pg = require('pg');\nconst r2s = require('redis2sql/codemod-runtime');\nconst redis = new pg.Pool();\nexports.get = (k) => r2s.ioredis(redis, \"SELECT … redis.keys\", [k]);\n",
    );
  });

  it('keeps a client require still used (Redis.ReplyError), and the destructured names still used', () => {
    const text = "const Redis = require('ioredis');\nconst { createClient, commandOptions } = require('redis');\nconst c = createClient();\nconst o = commandOptions({});\nmodule.exports = { c, o, E: Redis.ReplyError };\n";
    const f = file('a.js', text);
    const out = withRequires(f, [edit(text, 'createClient()', 'new pg.Pool()')], ['ioredis', 'redis']);
    expect(out).toBe(
      "const Redis = require('ioredis');\nconst { commandOptions } = require('redis');\nconst pg = require('pg');\nconst c = new pg.Pool();\nconst o = commandOptions({});\nmodule.exports = { c, o, E: Redis.ReplyError };\n",
    );
  });

  it('a name inside the SQL strings of the converted code is no use of the require', () => {
    const text = "const redis = require('redis');\nconst c = redis.createClient();\nexports.get = (k) => c.get(k);\n";
    const edits = [edit(text, 'redis.createClient()', 'new pg.Pool()'), edit(text, 'c.get(k)', 'r2s.nodeRedis(c, 4, "SELECT s.value FROM redis.keys k", [k])')];
    expect(withRequires(file('a.js', text), edits, ['redis'])).toBe(
      "const pg = require('pg');\nconst r2s = require('redis2sql/codemod-runtime');\nconst c = new pg.Pool();\nexports.get = (k) => r2s.nodeRedis(c, 4, \"SELECT s.value FROM redis.keys k\", [k]);\n",
    );
  });

  it('at the top when code comes first (pg is defined before any statement uses it), and no second pg require', () => {
    const text = "const pg = require('pg');\nconst x = 1;\nconst R = require('ioredis');\nconst r = new R();\n";
    const f = file('a.cjs', text);
    expect(withRequires(f, [edit(text, 'new R()', 'new pg.Pool()')], ['ioredis'])).toBe("const pg = require('pg');\nconst x = 1;\nconst r = new pg.Pool();\n");
    const later = "setup();\nconst R = require('ioredis');\nconst r = new R();\n";
    expect(withRequires(file('b.cjs', later), [edit(later, 'new R()', 'new pg.Pool()')], ['ioredis'])).toBe("const pg = require('pg');\nsetup();\nconst r = new pg.Pool();\n");
  });
});
