import { readdirSync, readFileSync } from 'node:fs';
import sqlParser from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { DatabaseError } from '../../src/errors.js';
import { inlineParams, prettySql } from '../../src/emit/format.js';
import { compatibilityMatrix } from '../../src/emit/matrix.js';
import { runCompiled, scriptLines } from '../../src/exec.js';
import { translate } from '../../src/translate.js';
import type { CompiledCommand } from '../../src/translators/types.js';

/**
 * Every statement our translators write, read by node-sql-parser (PostgreSQL
 * dialect) and run on PGlite. The samples are the command lines of the shared
 * oracle scripts (fixtures/oracle/*.redis), which cover each translated
 * command's options. node-sql-parser does not know all of PostgreSQL: a
 * statement it cannot read is listed, not failed; a statement PostgreSQL
 * itself rejects as malformed (SQLSTATE class 42: syntax error, unknown
 * function/column/table) fails. The parser does not know casts on
 * placeholders (`$1::text`), so a statement it cannot read is tried again with
 * its parameters inlined as literals (the psql format).
 */
const ORACLE = new URL('../../fixtures/oracle/', import.meta.url);

function samples(): { file: string; line: number; compiled: CompiledCommand | undefined }[] {
  const out: { file: string; line: number; compiled: CompiledCommand | undefined }[] = [];
  for (const file of readdirSync(ORACLE).filter((f) => f.endsWith('.redis')).sort()) {
    for (const { line, text } of scriptLines(readFileSync(new URL(file, ORACLE)))) {
      let compiled: CompiledCommand | undefined;
      try {
        compiled = translate(text);
      } catch {
        compiled = undefined; // a parse error or a refusal: no statement to check
      }
      out.push({ file, line, compiled });
    }
  }
  return out;
}

let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

describe('generated SQL', () => {
  const all = samples();

  it('has samples for the translated commands', () => {
    const translated = compatibilityMatrix().filter((r) => r.status === 'translated').map((r) => r.command);
    const covered = new Set(all.flatMap((s) => (s.compiled ? [s.compiled.command] : [])));
    const missing = translated.filter((c) => !covered.has(c));
    if (missing.length > 0) console.info(`translated commands without an oracle sample: ${missing.join(' ')}`);
    expect(covered.size).toBeGreaterThan(0);
  });

  it('PostgreSQL accepts every statement (and its sql and psql formats); node-sql-parser reads what it can', async () => {
    const parser = new sqlParser.Parser();
    const unreadable = new Map<string, string>();
    const malformed: string[] = [];
    // The SQL text depends only on the command's shape: check each text once.
    const seen = new Set<string>();
    for (const { file, line, compiled } of all) {
      if (compiled === undefined || seen.has(compiled.sql)) continue;
      seen.add(compiled.sql);
      try {
        parser.astify(compiled.sql, { database: 'postgresql' });
      } catch {
        try {
          parser.astify(inlineParams(compiled.sql, compiled.params), { database: 'postgresql' });
        } catch (error) {
          unreadable.set(compiled.command, (error as Error).message.split('\n')[0] ?? '');
        }
      }
      const check = async (form: string, run: () => Promise<unknown>): Promise<void> => {
        try {
          await run();
        } catch (error) {
          if (error instanceof DatabaseError && error.code?.startsWith('42')) {
            malformed.push(`${file}:${line} ${compiled.command} (${form}): ${error.message}`);
          } else if (!(error instanceof DatabaseError)) throw error;
        }
      };
      await check('as translated', () => runCompiled(db, compiled));
      // The sql and psql output formats must stay valid too: planned, not run.
      await check('sql format', () => db.query(`EXPLAIN ${prettySql(compiled.sql)}`, compiled.params));
      await check('psql format', () => db.query(`EXPLAIN ${inlineParams(prettySql(compiled.sql), compiled.params)}`));
    }
    if (unreadable.size > 0) {
      console.info(
        `node-sql-parser cannot read the SQL of ${[...unreadable.keys()].join(' ')} (of ${seen.size} statements)\n` +
          [...unreadable].map(([c, m]) => `  ${c}: ${m.slice(0, 160)}`).join('\n'),
      );
    }
    expect(seen.size).toBeGreaterThan(0);
    expect(malformed).toEqual([]);
  });
});
