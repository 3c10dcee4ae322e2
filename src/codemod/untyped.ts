/**
 * ioredis 4 ships no types: a JavaScript project that never installed
 * @types/ioredis gives the checker nothing (`new Redis()` is `any`), and the
 * codemod, which finds clients by their types, would find none. For such a
 * project the codemod lends the checker the declarations of @types/ioredis 4
 * (a dependency of redis2sql), as an ambient `declare module 'ioredis'`. The
 * checker then traces clients as it does in a typed project: through
 * `require('ioredis')` and `import Redis from 'ioredis'`, constructors,
 * `this.client = new Redis()` members, `module.exports` and the files that
 * require them. Parameters it cannot type (JavaScript has no annotations) are
 * traced to their call sites by clientArgumentType below.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Node, ts } from './ts-morph.js';
import type { Project, SourceFile, Type } from 'ts-morph';

/**
 * Lend the checker @types/ioredis 4 when some of `files` use ioredis 4 (as
 * `majorOf` reads it from their package.json) and the module resolves to no
 * declarations from there; the path of the declarations added, or undefined.
 * The declarations are kept in memory under the package root's
 * node_modules/@types/ioredis, where the codemod recognises ioredis' types,
 * and are never written.
 *
 *   lendIoredis4Types(project, ['/app/src/cache.js'], () => 4)  → '/app/node_modules/@types/ioredis/index.d.ts'
 */
export function lendIoredis4Types(project: Project, files: readonly SourceFile[], majorOf: (dir: string) => number | undefined): string | undefined {
  // The files the run converts and the project's files they import (a client module outside the paths given).
  const candidates = [...files, ...project.getSourceFiles().filter((f) => !/[\\/]node_modules[\\/]/.test(f.getFilePath()))];
  const untyped = candidates.find((f) => usesIoredis(f) && majorOf(dirname(f.getFilePath())) === 4 && !resolvesToTypes(f));
  if (untyped === undefined) return undefined;
  const at = join(packageRoot(dirname(untyped.getFilePath())), 'node_modules/@types/ioredis/index.d.ts');
  if (project.getSourceFile(at) !== undefined) return undefined;
  const source = readFileSync(createRequire(import.meta.url).resolve('@types/ioredis4/index.d.ts'), 'utf8');
  // Triple-slash references stay at the top; the rest (its imports and `export =`) becomes the ambient module's body.
  const references = source.match(/^\/\/\/ <reference [^>]*\/>$/gm) ?? [];
  const body = source.replace(/^\/\/\/ <reference [^>]*\/>$/gm, '');
  project.createSourceFile(at, `${references.join('\n')}\ndeclare module 'ioredis' {\n${body}\n}\n`, { overwrite: true });
  return at;
}

/**
 * The type of the clients passed to a JavaScript function's parameter that
 * has none of its own (`function bump(c, key) { return c.incr(key); }`):
 * when every call of the function in its file passes an ioredis client
 * there (`bump(redis, 'n')`), that client's type; else undefined. The
 * parameter's uses then convert as the client's do.
 *
 *   // function bump(c) { … }  bump(redis)  bump(this.client)
 *   clientArgumentType(<c in c.incr>, isClient)  → Redis
 */
export function clientArgumentType(node: Node, isClient: (type: Type) => boolean): Type | undefined {
  if (!Node.isIdentifier(node) || !node.getSourceFile().getFilePath().match(/\.[cm]?jsx?$/)) return undefined;
  const parameter = node.getSymbol()?.getDeclarations()[0];
  if (parameter === undefined || !Node.isParameterDeclaration(parameter) || !Node.isIdentifier(parameter.getNameNode())) return undefined;
  if (!(parameter.getType().isAny() && parameter.getInitializer() === undefined && !parameter.isRestParameter())) return undefined;
  const fn = parameter.getParent();
  if (!(Node.isFunctionDeclaration(fn) || Node.isFunctionExpression(fn) || Node.isArrowFunction(fn))) return undefined;
  const index = fn.getParameters().indexOf(parameter);
  // The function's name: a declaration's, or the variable's a function expression is assigned to.
  const holder = Node.isFunctionDeclaration(fn) ? fn : Node.isVariableDeclaration(fn.getParent()) ? fn.getParent() : undefined;
  const name = holder !== undefined && (Node.isFunctionDeclaration(holder) || Node.isVariableDeclaration(holder)) ? holder.getNameNode() : undefined;
  if (name === undefined || !Node.isIdentifier(name)) return undefined;
  let type: Type | undefined;
  for (const reference of name.findReferencesAsNodes()) {
    if (reference === name) continue;
    // Any use of the function but a direct call within the file (an export, a callback) can pass anything.
    if (reference.getSourceFile() !== node.getSourceFile()) return undefined;
    const call = reference.getParent();
    if (!Node.isCallExpression(call) || call.getExpression() !== reference) return undefined;
    const argument = call.getArguments()[index];
    if (argument === undefined) return undefined;
    const passed = argument.getType();
    if (!isClient(passed)) return undefined;
    type ??= passed;
  }
  return type;
}

function usesIoredis(file: SourceFile): boolean {
  const text = file.getFullText();
  return text.includes('ioredis') && (file.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === 'ioredis') || /\brequire\(\s*['"]ioredis['"]\s*\)/.test(text));
}

/** Whether `ioredis`, imported from `file`, resolves to declarations (@types/ioredis, or a package that ships them). */
function resolvesToTypes(file: SourceFile): boolean {
  const options = file.getProject().getCompilerOptions();
  const resolved = ts.resolveModuleName('ioredis', file.getFilePath(), options, ts.sys).resolvedModule;
  return resolved !== undefined && /\.d\.[cm]?ts$/.test(resolved.resolvedFileName);
}

function packageRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    try {
      readFileSync(join(d, 'package.json'));
      return d;
    } catch {
      if (dirname(d) === d) return dir;
    }
  }
}
