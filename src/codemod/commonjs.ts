/**
 * CommonJS files: `const Redis = require('ioredis')`, `const { createClient }
 * = require('redis')`, `module.exports = client`, `require('./client')`.
 *
 * The type checker traces clients through CommonJS as it does through ES
 * modules (allowJs resolves `require` calls and `module.exports`), with one
 * exception: ioredis 5 and 6 declare their module in ES module form (`export
 * { default }`), so `require('ioredis')` types as that namespace, while at
 * run time ioredis replaces `module.exports` by its Redis class. For such a
 * project the checker is lent a declaration of 'ioredis' that is both the
 * class and the namespace (lendIoredisCommonJs), as ioredis is at run time.
 *
 * A converted CommonJS file stays CommonJS: pg and the runtime are required
 * (`redis2sql/codemod-runtime` has a CommonJS build under its `require`
 * condition), after the file's leading requires so that they are defined
 * before any statement uses them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Node, SyntaxKind, ts } from './ts-morph.js';
import type { Project, SourceFile, Statement } from 'ts-morph';
import { applyEdits, type Edit } from './edits.js';
import { manifestOf } from './project.js';

const PG_REQUIRE = "const pg = require('pg');";
const RUNTIME_REQUIRE = "const r2s = require('redis2sql/codemod-runtime');";

/**
 * Whether `file` is a CommonJS module, whose converted code must require
 * rather than import: a `.cjs` file, or a `.js`/`.jsx` file without ES module
 * syntax whose package.json does not say `"type": "module"`.
 *
 *   isCommonJs(<client.js: const Redis = require('ioredis')>)  → true   (package.json without "type")
 *   isCommonJs(<client.mjs>)                                   → false
 */
export function isCommonJs(file: SourceFile): boolean {
  const path = file.getFilePath();
  if (/\.c[jt]s$/.test(path)) return true;
  if (!/\.jsx?$/.test(path) || hasModuleSyntax(file)) return false;
  return packageType(dirname(path)) !== 'module';
}

/**
 * The client modules (of `modules`) that `file` requires: `require('ioredis')`,
 * `require('redis').createClient`, `const { createClient } = require('redis')`.
 *
 *   requiredModules(<const Redis = require('ioredis')>, ['ioredis'])  → ['ioredis']
 */
export function requiredModules(file: SourceFile, modules: readonly string[]): string[] {
  const text = file.getFullText();
  return modules.filter((m) => text.includes(m) && new RegExp(`\\brequire\\(\\s*['"]${m.replace(/[/]/g, '\\/')}['"]\\s*\\)`).test(text));
}

/**
 * The converted text of a CommonJS file: `edits` applied, pg and the runtime
 * required where the converted code uses them (after the file's leading
 * requires, or its directives), and the requires of `clientModules` dropped
 * once nothing in the file uses the names they bind (a destructuring keeps
 * the names still used).
 *
 *   // const Redis = require('ioredis'); const redis = new Redis();
 *   withRequires(file, edits, ['ioredis'])
 *   // → const pg = require('pg');
 *   //   const r2s = require('redis2sql/codemod-runtime');
 *   //   const redis = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export function withRequires(file: SourceFile, edits: readonly Edit[], clientModules: readonly string[]): string {
  const original = file.getFullText();
  const converted = applyEdits(original, edits);
  const more: Edit[] = [];
  const statements = file.getStatements();
  // Pure require statements are never edited (edits are call sites, constructions and types), so their text is the same in `converted`.
  for (const statement of statements) {
    const required = pureRequire(statement);
    if (required === undefined || !clientModules.includes(required.module)) continue;
    const used = (name: string): boolean => stillUsed(file, name, statement, edits);
    const names = required.names;
    if (names.some((n) => used(n.local))) {
      const kept = names.filter((n) => used(n.local));
      if (required.pattern === undefined || kept.length === names.length) continue;
      // The destructured names the converted code no longer uses go (a client left required still loads at run time, harmlessly, but reads as a use).
      const pattern = `{ ${kept.map((n) => (n.property === n.local ? n.local : `${n.property}: ${n.local}`)).join(', ')} }`;
      more.push({ start: required.pattern.getStart(), end: required.pattern.getEnd(), text: pattern });
      continue;
    }
    const end = original[statement.getEnd()] === '\n' ? statement.getEnd() + 1 : statement.getEnd();
    more.push({ start: statement.getStart(), end, text: '' });
  }
  const add = [
    converted.includes('pg.Pool') && !/\bconst pg = require\(['"]pg['"]\)/.test(converted) ? PG_REQUIRE : undefined,
    converted.includes(RUNTIME_REQUIRE) || !converted.includes('r2s.') ? undefined : RUNTIME_REQUIRE,
  ].filter((l): l is string => l !== undefined);
  if (add.length > 0) {
    // After the leading directives and requires that stay: pg and r2s are then defined before the first statement that may use them.
    let after: Statement | undefined;
    for (const statement of statements) {
      const required = pureRequire(statement);
      if (!isDirective(statement) && required === undefined) break;
      if (!more.some((e) => e.start === statement.getStart())) after = statement;
    }
    more.push(after === undefined ? { start: 0, end: 0, text: `${add.join('\n')}\n` } : { start: after.getEnd(), end: after.getEnd(), text: `\n${add.join('\n')}` });
  }
  return applyEdits(original, [...edits, ...more]);
}

/**
 * Whether `name` is still used once `edits` are applied: an identifier of the
 * file outside `declaration` and the edited ranges, or the name in an edit's
 * code (not in its strings: the SQL says `redis.keys`).
 */
function stillUsed(file: SourceFile, name: string, declaration: Statement, edits: readonly Edit[]): boolean {
  const outside = (at: number): boolean => !(at >= declaration.getStart() && at < declaration.getEnd()) && !edits.some((e) => at >= e.start && at < e.end);
  // A property's name (`client.redis`, `{ redis: 1 }`) is no use of the variable.
  const reference = (id: Node): boolean => {
    const parent = id.getParent();
    return !((Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id);
  };
  if (file.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === name && outside(id.getStart()) && reference(id))) return true;
  const pattern = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\b`);
  return edits.some((e) => pattern.test(e.text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')));
}

/**
 * Whether `file` binds `pg` to node-postgres by a require (`const pg = require('pg')`),
 * as the converted code names it.
 *
 *   requiresPg(<const pg = require('pg')>)  → true
 */
export function requiresPg(file: SourceFile): boolean {
  return file.getStatements().some((s) => {
    const r = pureRequire(s);
    return r !== undefined && r.module === 'pg' && r.pattern === undefined && r.member === undefined && r.names[0]?.local === 'pg';
  });
}

/**
 * Lend the checker a declaration of 'ioredis' that is ioredis' Redis class
 * and its module namespace at once, as `require('ioredis')` is at run time,
 * when some of `files` require ioredis 5 or 6 (as `majorOf` reads the major
 * from their package.json); the path of the declaration added, or undefined.
 * Held in memory under the package's node_modules, never written. ES module
 * imports of ioredis (default and named) type as before.
 *
 *   lendIoredisCommonJs(project, [<app.js: const Redis = require('ioredis')>], () => 5)
 *   → '/app/node_modules/.redis2sql/ioredis-commonjs.d.ts'
 */
export function lendIoredisCommonJs(project: Project, files: readonly SourceFile[], majorOf: (dir: string) => number | undefined): string | undefined {
  const candidates = [...files, ...project.getSourceFiles().filter((f) => !/[\\/]node_modules[\\/]/.test(f.getFilePath()))];
  const requiring = candidates.find((f) => /\.[cm]?jsx?$/.test(f.getFilePath()) && requiredModules(f, ['ioredis']).length > 0 && [5, 6].includes(majorOf(dirname(f.getFilePath())) ?? 0));
  if (requiring === undefined) return undefined;
  const at = join(packageRoot(dirname(requiring.getFilePath())), 'node_modules/.redis2sql/ioredis-commonjs.d.ts');
  if (project.getSourceFile(at) !== undefined) return undefined;
  // 'ioredis/built/index' is ioredis' own declaration file (5 and 6 have no "exports" map to hide it); the ambient module wins over it for 'ioredis'.
  const declaration = [
    "declare module 'ioredis' {",
    "  import * as ioredis from 'ioredis/built/index';",
    '  const Redis: typeof ioredis.default & typeof ioredis;',
    '  export = Redis;',
    '}',
    '',
  ].join('\n');
  project.createSourceFile(at, declaration, { overwrite: true });
  return at;
}

interface RequiredName {
  /** The export it reads (`createClient`), or '' for the module itself. */
  readonly property: string;
  /** The name it is bound to in the file. */
  readonly local: string;
}

/**
 * A top-level `const X = require('m')` (also `.member`, or destructured
 * `{ a, b: c }`) with nothing else in the statement: the module, the names
 * it binds, and the destructuring pattern when there is one.
 */
function pureRequire(statement: Statement): { readonly module: string; readonly names: readonly RequiredName[]; readonly pattern?: Node; readonly member?: string } | undefined {
  if (!Node.isVariableStatement(statement)) return undefined;
  const declarations = statement.getDeclarations();
  const only = declarations[0];
  if (declarations.length !== 1 || only === undefined) return undefined;
  let init = only.getInitializer();
  let member: string | undefined;
  if (init !== undefined && Node.isPropertyAccessExpression(init)) {
    member = init.getName();
    init = init.getExpression();
  }
  if (init === undefined || !Node.isCallExpression(init) || init.getExpression().getText() !== 'require') return undefined;
  const argument = init.getArguments()[0];
  if (argument === undefined || !Node.isStringLiteral(argument) || init.getArguments().length !== 1) return undefined;
  const name = only.getNameNode();
  if (Node.isIdentifier(name)) return { module: argument.getLiteralValue(), names: [{ property: member ?? '', local: name.getText() }], ...(member === undefined ? {} : { member }) };
  if (!Node.isObjectBindingPattern(name) || member !== undefined) return undefined;
  const names: RequiredName[] = [];
  for (const element of name.getElements()) {
    const local = element.getNameNode();
    if (!Node.isIdentifier(local) || element.getDotDotDotToken() !== undefined || element.getInitializer() !== undefined) return undefined;
    names.push({ property: element.getPropertyNameNode()?.getText() ?? local.getText(), local: local.getText() });
  }
  return { module: argument.getLiteralValue(), names, pattern: name };
}

function isDirective(statement: Statement): boolean {
  return Node.isExpressionStatement(statement) && Node.isStringLiteral(statement.getExpression());
}

/** Whether the file has ES module syntax (imports, exports), which makes it an ES module whatever its package says. */
function hasModuleSyntax(file: SourceFile): boolean {
  return file.compilerNode.statements.some(
    (s) =>
      ts.isImportDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isExportAssignment(s) ||
      (ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
}

/** The `type` of the nearest package.json at or above `dir` ('commonjs' when it has none). */
function packageType(dir: string): string {
  const pkg = manifestOf(dir);
  if (pkg === undefined) return 'commonjs';
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}

/** The directory of the nearest package.json at or above `dir` (`dir` itself when there is none). */
function packageRoot(dir: string): string {
  const pkg = manifestOf(dir);
  return pkg === undefined ? dir : dirname(pkg);
}
