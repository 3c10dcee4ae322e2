import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatter } from '../../src/codemod/format.js';
import { changedStatements } from '../../src/codemod/format-units.js';
import { CALL, FORMATTED, formattedProject } from '../support/codemod-format.js';

const prettier = createRequire(import.meta.url)('prettier') as typeof import('prettier');

const dir = mkdtempSync(join(tmpdir(), 'redis2sql-format-'));
const path = formattedProject(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const whole = async (text: string): Promise<string> => prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });

describe('changedStatements', () => {
  it('is the statements the edits touched, in the innermost block around them', () => {
    const after = FORMATTED.replace('redis.get(id)', CALL).replace("redis.set(id, 'x')", CALL);
    const units = changedStatements(path, FORMATTED, after)!;
    expect(units.map((u) => after.slice(u.start, u.end))).toEqual([`const name = await ${CALL};`, `await ${CALL};`]);
  });

  it('is the statement owning a block whose blank lines an edit changed', () => {
    // A statement removed but for its indentation: prettier would drop the line, so the whole `if` is formatted.
    const after = FORMATTED.replace('    await redis.del(id);', '    ');
    const units = changedStatements(path, FORMATTED, after)!;
    expect(units.map((u) => after.slice(u.start, u.end).split('\n')[0])).toEqual(['if (name === null) {']);
  });

  it('is undefined (the whole file) for a change among the file’s own statements that is not a statement, and for a result that does not parse', () => {
    expect(changedStatements(path, FORMATTED, FORMATTED.replace('export const size = 3;', '   '))).toBeUndefined();
    expect(changedStatements(path, FORMATTED, FORMATTED.replace('redis.get(id)', 'redis.get(id'))).toBeUndefined();
  });
});

describe('formatter', () => {
  it('formats only the changed statements, to what formatting the whole file gives for a file prettier formatted', async () => {
    const f = formatter();
    try {
      for (const after of [
        FORMATTED.replace('redis.get(id)', CALL),
        FORMATTED.replace("redis.set(id, 'x')", CALL).replace("import { redis } from './client.js';", "import pg from 'pg';\nimport * as r2s from 'redis2sql/codemod-runtime';"),
        FORMATTED.replace('    await redis.del(id);', '    '),
      ]) {
        expect(changedStatements(path, FORMATTED, after)).toBeDefined();
        const formatted = await f.format(path, after, FORMATTED);
        expect(formatted).toEqual({ text: await whole(after) });
      }
    } finally {
      await f.close();
    }
  });

  it('leaves the code around the changed statements as it was in a file prettier did not format', async () => {
    const before = 'const a = {b:1}\nexport async function g( id ) {\n    return await redis.get(id)\n}\n';
    const after = before.replace('redis.get(id)', CALL);
    const f = formatter();
    try {
      const formatted = await f.format(path, after, before);
      // The statement at its own indentation (4 columns: two levels of prettier's 2), each line after it one level deeper.
      expect(formatted).toEqual({
        text: [
          'const a = {b:1}',
          'export async function g( id ) {',
          '    return await r2s.ioredis<string | null>(',
          '      redis,',
          "      'SELECT s.value AS reply FROM redis.strings s WHERE s.key = $1',",
          '      [r2s.text(id)],',
          "      { kind: 'scalar', of: 'bulk' },",
          '    );',
          '}',
          '',
        ].join('\n'),
      });
    } finally {
      await f.close();
    }
  });

  it("without a prettier config, keeps the quotes the file's own string literals use", async () => {
    const bare = mkdtempSync(join(tmpdir(), 'redis2sql-format-bare-'));
    const single = { path: join(bare, 'single.ts'), before: FORMATTED };
    const double = { path: join(bare, 'double.ts'), before: FORMATTED.replace(/'/g, '"') };
    const f = formatter();
    try {
      expect(await prettier.resolveConfig(single.path)).toBeNull();
      const [s, d] = await Promise.all([single, double].map(({ path, before }) => f.format(path, before.replace('redis.get(id)', CALL), before)));
      // FORMATTED is prettier's text for its quotes at the default width: formatting the whole file with them gives the same.
      expect(s).toEqual({ text: await prettier.format(single.before.replace('redis.get(id)', CALL), { singleQuote: true, filepath: single.path }) });
      expect(d).toEqual({ text: await prettier.format(double.before.replace('redis.get(id)', CALL), { filepath: double.path }) });
      expect('text' in s! && s.text).toContain("{ kind: 'scalar', of: 'bulk' }");
      expect('text' in d! && d.text).toContain('{ kind: "scalar", of: "bulk" }');
    } finally {
      await f.close();
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('formats files sent together to what each gives alone, with its own config', async () => {
    // Another directory, another config (no trailing commas): its file is formatted in a document of its own.
    const other = join(dir, 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, '.prettierrc.json'), '{ "singleQuote": true, "printWidth": 80, "trailingComma": "none" }\n');
    const files = [
      { path: join(dir, 'a.ts'), after: FORMATTED.replace('redis.get(id)', CALL) },
      { path: join(dir, 'b.ts'), after: FORMATTED.replace("redis.set(id, 'x')", CALL.replace('s.key = $1', 's.key = $1 AND s.key <> $2')) },
      { path: join(other, 'c.ts'), after: FORMATTED.replace('redis.del(id)', CALL) },
      { path: join(dir, 'd.ts'), after: FORMATTED.replace('    await redis.del(id);', '    ').replace('redis.get(id)', CALL.replace('bulk', 'integer')) },
      { path: join(dir, 'e.ts'), after: FORMATTED.replace('redis.get(id)', 'redis.get(id') },
    ];
    const f = formatter();
    try {
      const formatted = await Promise.all(files.map(({ path, after }) => f.format(path, after, FORMATTED)));
      for (const [i, { path, after }] of files.slice(0, 4).entries()) {
        expect(formatted[i]).toEqual({ text: await prettier.format(after, { ...(await prettier.resolveConfig(path)), filepath: path }) });
      }
      expect(formatted[2]).not.toEqual({ text: await whole(files[2]!.after) });
      expect('error' in formatted[4]! && formatted[4].error).toMatch(/^SyntaxError: /);
    } finally {
      await f.close();
    }
  });

  it('formats a statement it formatted before as prettier does where it stands now: at another depth, under another config, twice in one file', async () => {
    const third = join(dir, 'third');
    mkdirSync(third, { recursive: true });
    writeFileSync(join(third, '.prettierrc.json'), '{ "singleQuote": true, "printWidth": 80, "trailingComma": "none" }\n');
    const deep = FORMATTED.replace('    await redis.del(id);', `    await ${CALL};`);
    const shallow = FORMATTED.replace('  return [name];', `  await ${CALL};\n  return [name];`);
    const files = [
      { path: join(dir, 'deep.ts'), after: deep },
      { path: join(dir, 'shallow.ts'), after: shallow },
      { path: join(third, 'shallow.ts'), after: shallow },
      { path: join(dir, 'both.ts'), after: deep.replace('  return [name];', `  await ${CALL};\n  return [name];`).replace("    await redis.set(id, 'x');", `    await ${CALL};`) },
    ];
    const expected = await Promise.all(files.map(async ({ path, after }) => ({ text: await prettier.format(after, { ...(await prettier.resolveConfig(path)), filepath: path }) })));
    // The statement comes out of prettier differently at each depth and under each config: a formatter that gave one for another would be caught.
    expect(new Set(expected.slice(0, 3).map(({ text }) => text.slice(text.indexOf('r2s.ioredis'), text.indexOf("'bulk'") + 12))).size).toBe(3);
    // One after the other (each formatted in a document of its own, after the ones before), and all together.
    for (const together of [false, true]) {
      const f = formatter();
      try {
        const formatted = together
          ? await Promise.all(files.map(({ path, after }) => f.format(path, after, FORMATTED)))
          : await files.reduce<Promise<unknown[]>>(async (done, { path, after }) => [...(await done), await f.format(path, after, FORMATTED)], Promise.resolve([]));
        expect(formatted).toEqual(expected);
      } finally {
        await f.close();
      }
    }
  });

  it('warmed up under a file’s options before the first file comes, formats as it does cold', async () => {
    const after = FORMATTED.replace('redis.get(id)', CALL).replace("redis.set(id, 'x')", CALL);
    // Under this file's config; under a parser the sample is not written for (JSON: the warm-up fails and is skipped); closed while warming.
    for (const warm of [path, join(dir, 'package.json')]) {
      const f = formatter(warm);
      try {
        // The worker formats its sample meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await f.format(path, after, FORMATTED)).toEqual({ text: await whole(after) });
        expect(await f.format(join(dir, 'plain.js'), 'let  a = [1,2]', undefined)).toEqual({ text: 'let a = [1, 2];\n' });
      } finally {
        await f.close();
      }
    }
    await formatter(path).close();
  });

  it('gives prettier’s error for a converted file that does not parse', async () => {
    const f = formatter();
    try {
      const formatted = await f.format(path, FORMATTED.replace('redis.get(id)', 'redis.get(id'), FORMATTED);
      expect('error' in formatted && formatted.error).toMatch(/^SyntaxError: /);
    } finally {
      await f.close();
    }
  });
});
