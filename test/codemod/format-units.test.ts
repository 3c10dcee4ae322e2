import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ts } from '../../src/codemod/ts-morph.js';
import { applyEdits, type Edit } from '../../src/codemod/edits.js';
import { changedStatements, type Original } from '../../src/codemod/format-units.js';
import { formatter } from '../../src/codemod/format.js';
import { openProject } from '../../src/codemod/project.js';
import { convertIoredisFile, isIoredisClient } from '../../src/codemod/ioredis.js';
import { convertNodeRedisFile } from '../../src/codemod/node-redis.js';
import { findDefinitions } from '../../src/codemod/scripts.js';
import { lendIoredisCommonJs } from '../../src/codemod/commonjs.js';
import { lendIoredis4Types } from '../../src/codemod/untyped.js';
import { CALL, FORMATTED, formattedProject } from '../support/codemod-format.js';

const dir = mkdtempSync(join(tmpdir(), 'redis2sql-format-units-'));
const path = formattedProject(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `before` parsed, and the edits replacing each `[old, new]` (its first occurrence). */
function edited(before: string, replacements: readonly (readonly [string, string])[]): { readonly original: Original; readonly after: string } {
  const edits: Edit[] = replacements.map(([old, text]) => ({ start: before.indexOf(old), end: before.indexOf(old) + old.length, text }));
  return { original: { tree: ts.createSourceFile(path, before, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS), edits }, after: applyEdits(before, edits) };
}

const texts = (after: string, units: readonly { start: number; end: number }[] | undefined): string[] | undefined => units?.map((u) => after.slice(u.start, u.end));

describe('changedStatements from the original tree and the edits', () => {
  it('are the statements the reparse finds, with imports added outside the edits', () => {
    const { original, after } = edited(FORMATTED, [
      ['redis.get(id)', CALL],
      ["redis.set(id, 'x')", CALL],
    ]);
    // The imports the converter adds are not among its edits.
    const withImports = after.replace("import { redis } from './client.js';", "import { redis } from './client.js';\nimport * as r2s from 'redis2sql/codemod-runtime';");
    for (const text of [after, withImports]) {
      const units = changedStatements(path, FORMATTED, text, original);
      expect(units).toEqual(changedStatements(path, FORMATTED, text));
      expect(units?.length).toBeGreaterThan(0);
    }
    expect(texts(withImports, changedStatements(path, FORMATTED, withImports, original))).toEqual([
      "import * as r2s from 'redis2sql/codemod-runtime';",
      `const name = await ${CALL};`,
      `await ${CALL};`,
    ]);
  });

  it('are those of the reparse where a change lies inside an edit’s own text, or an edit joins statements', () => {
    // A replacement over several lines whose middle line is the same as before: the change is only inside the new text.
    const multi = 'const v = await f(\n  id,\n  async () => {\n  },\n);\n';
    const inside = edited(multi, [['async () => {\n  }', 'async () => {\n    await g();\n  }']]);
    const units = changedStatements(path, multi, inside.after, inside.original);
    expect(units).toEqual(changedStatements(path, multi, inside.after));
    expect(texts(inside.after, units)).toContain('await g();');
    // No semicolons: a statement starting with `(` after a line without one continues that line's statement.
    const bare = "let a = b\nredis.set(id, 'x')\n";
    const joined = edited(bare, [["redis.set(id, 'x')", '(await x).y()']]);
    expect(texts(joined.after, changedStatements(path, bare, joined.after, joined.original))).toEqual(['let a = b\n(await x).y()']);
    // The same, a whole statement replaced.
    const statement = "let a = b\nredis.set(id, 'x');\n";
    const replaced = edited(statement, [["redis.set(id, 'x');", '(await x).y();']]);
    expect(texts(replaced.after, changedStatements(path, statement, replaced.after, replaced.original))).toEqual(['let a = b\n(await x).y();']);
  });

  it('is undefined (the whole file, which prettier then refuses) for a converted text that does not parse', async () => {
    const f = formatter();
    try {
      // Unbalanced: a call not closed, a template not closed, brackets crossed, a block closed early (which a unit's wrapper would close again).
      for (const text of [CALL.slice(0, -1), '`${a', 'g(a], [b)', 'f(); }']) {
        const { original, after } = edited(FORMATTED, [["redis.set(id, 'x')", text]]);
        expect(changedStatements(path, FORMATTED, after, original)).toBeUndefined();
        const formatted = await f.format(path, after, FORMATTED, original);
        expect('error' in formatted && formatted.error).toMatch(/^SyntaxError: /);
      }
    } finally {
      await f.close();
    }
  });

  it('formats to the same text as the reparse’s units', async () => {
    const { original, after } = edited(FORMATTED, [
      ['redis.get(id)', CALL],
      ['    await redis.del(id);\n', ''],
    ]);
    const f = formatter();
    try {
      expect(await f.format(path, after, FORMATTED, original)).toEqual(await f.format(path, after, FORMATTED));
    } finally {
      await f.close();
    }
  });
});

/** Every file the converters change in a project: units from its tree and their edits, and from the converted text reparsed. */
function bothWays(files: readonly string[], version?: number): { readonly files: number; readonly differing: string[] } {
  const { project } = openProject(dirname(files[0]!));
  for (const f of files) project.addSourceFileAtPath(f);
  project.resolveSourceFileDependencies();
  const sources = files.map((f) => project.getSourceFileOrThrow(f));
  lendIoredis4Types(project, sources, () => version);
  lendIoredisCommonJs(project, sources, () => version);
  const scripts = findDefinitions(sources, isIoredisClient);
  let converted = 0;
  const differing: string[] = [];
  for (const file of sources) {
    for (const result of [convertIoredisFile(file, scripts), convertNodeRedisFile(file, version === 4 || version === 5 ? version : undefined, scripts)]) {
      if (result.text === null) continue;
      converted++;
      const before = file.getFullText();
      const reparsed = changedStatements(file.getFilePath(), before, result.text);
      if (JSON.stringify(changedStatements(file.getFilePath(), before, result.text, { tree: file.compilerNode, edits: result.edits! })) !== JSON.stringify(reparsed)) differing.push(file.getFilePath());
    }
  }
  return { files: converted, differing };
}

describe('changedStatements over the fixtures', () => {
  it('finds from the trees and edits the units the reparse finds, in every case fixture', () => {
    const cases = fileURLToPath(new URL('../../fixtures/codemod/cases/', import.meta.url));
    const inputs = readdirSync(cases).filter((f) => f.endsWith('.input.ts')).map((f) => join(cases, f));
    const { files, differing } = bothWays(inputs);
    expect(files).toBeGreaterThan(5);
    expect(differing).toEqual([]);
  });
});
