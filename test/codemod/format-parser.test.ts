import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatter } from '../../src/codemod/format.js';
import { changedStatements } from '../../src/codemod/format-units.js';

// The worker formats a TypeScript file's units with babel-ts, and with the project's parser where the two may differ.
const require = createRequire(import.meta.url);
const prettier = require('prettier') as typeof import('prettier');

const dir = mkdtempSync(join(tmpdir(), 'redis2sql-format-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A converted file's text formatted whole by the project's prettier (its config, the parser its path infers). */
const whole = async (path: string, text: string): Promise<string> => prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });

async function formatOne(path: string, after: string, before: string): Promise<{ readonly text: string } | { readonly error: string }> {
  expect(changedStatements(path, before, after)).toBeDefined();
  const f = formatter();
  try {
    return await f.format(path, after, before);
  } finally {
    await f.close();
  }
}

describe('the parser of a TypeScript file’s units', () => {
  const project = join(dir, 'app');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, '.prettierrc.json'), '{ "singleQuote": true }\n');

  it('is the project’s where babel-ts would read JSX: `<T>(x)</T>/g` is an assertion, a comparison and a regular expression', async () => {
    const path = join(project, 'jsx-like.ts');
    const before = "export function f(x: unknown, g: number): boolean {\n  const a = await redis.get('k');\n  return a !== null;\n}\n";
    const after = before.replace("await redis.get('k')", '<T>(x)</T>/g');
    // babel-ts, which tries JSX first in a .ts file too, prints it otherwise: the case is real.
    expect(await prettier.format(after, { filepath: path, singleQuote: true, parser: 'babel-ts' })).not.toBe(await whole(path, after));
    expect(await formatOne(path, after, before)).toEqual({ text: await whole(path, after) });
  });

  it('is the project’s where babel-ts cannot parse the unit: `super(…)` alone, wrapped outside its class', async () => {
    const path = join(project, 'error.ts');
    // Not formatted by prettier: a unit formatted alone leaves the rest as it is; the whole file formatted would not.
    const before = "export class E extends Error {\n    constructor( message : string ) {\n        super( 'x' )\n    }\n}\n";
    const after = before.replace("super( 'x' )", "super( `redis2sql: ${message}`, )");
    await expect(prettier.format('async function* w() {\n' + "super(`redis2sql: ${message}`)" + '\n}\n', { filepath: path, parser: 'babel-ts' })).rejects.toThrow(/super/);
    expect(await formatOne(path, after, before)).toEqual({ text: before.replace("super( 'x' )", 'super(`redis2sql: ${message}`);') });
  });

  it('is the project’s when its config names plugins, which may replace prettier’s typescript parser', async () => {
    const withPlugin = join(dir, 'with-plugin');
    mkdirSync(withPlugin, { recursive: true });
    // A plugin whose typescript parser rewrites a name before parsing: babel-ts would not run it.
    writeFileSync(
      join(withPlugin, 'plugin.cjs'),
      `const { parsers } = require(${JSON.stringify(require.resolve('prettier/plugins/typescript'))});\n` +
        "module.exports = { parsers: { typescript: { ...parsers.typescript, preprocess: (text) => text.replaceAll('PLUGIN_MARK', 'pluginMark') } } };\n",
    );
    writeFileSync(join(withPlugin, '.prettierrc.json'), '{ "singleQuote": true, "plugins": ["./plugin.cjs"] }\n');
    const path = join(withPlugin, 'load.ts');
    const before = "export async function load(id: string) {\n  return await redis.get(id);\n}\n";
    const after = before.replace('redis.get(id)', "r2s.call(PLUGIN_MARK,  'GET',id)");
    const formatted = await formatOne(path, after, before);
    expect(formatted).toEqual({ text: await whole(path, after) });
    expect('text' in formatted && formatted.text).toContain("r2s.call(pluginMark, 'GET', id)");
  });
});
