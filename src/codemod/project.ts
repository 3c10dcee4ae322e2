/**
 * The codemod's dealings with the user's project beyond the call sites: the
 * compiler options it type-checks with, files it cannot read safely, and the
 * dependencies the converted code needs in package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Project, ts } from './ts-morph.js';
import type { SourceFile } from 'ts-morph';
import type { Finding } from './report.js';

/** Files larger than this are reported rather than converted (2 MB: generated bundles, not code a person maintains). */
export const MAX_FILE_BYTES = 2_000_000;

/**
 * The ts-morph project the codemod checks types with: the project's own
 * tsconfig.json when the nearest package root has one (its paths, baseUrl and
 * module resolution decide where the clients' types come from), JavaScript
 * allowed either way; else default options and a notice saying so.
 *
 *   openProject('/app/src')  → { project, notice: undefined }                 (with /app/tsconfig.json)
 *   openProject('/tmp/x')    → { project, notice: 'no tsconfig.json …' }
 */
export function openProject(dir: string): { readonly project: Project; readonly notice?: string } {
  const defaults = {
    allowJs: true,
    esModuleInterop: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const tsconfig = nearest(dir, 'tsconfig.json', true);
  if (tsconfig === undefined) {
    return {
      project: withoutTsJsDoc(new Project({ compilerOptions: defaults, skipAddingFilesFromTsConfig: true })),
      notice: `no tsconfig.json in the project of ${dir}: types checked with default options (strict, NodeNext, allowJs)`,
    };
  }
  try {
    const project = new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    project.compilerOptions.set({ allowJs: true, noEmit: true });
    return { project: withoutTsJsDoc(project) };
  } catch (error) {
    return {
      project: withoutTsJsDoc(new Project({ compilerOptions: defaults, skipAddingFilesFromTsConfig: true })),
      notice: `${tsconfig} could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): types checked with default options`,
    };
  }
}

/**
 * `project` parsing its files as tsc does (TypeScript 5.3 on): the JSDoc
 * comments of TypeScript files, declarations included, are skipped, those of
 * JavaScript files kept (their types are in them). The codemod reads no JSDoc
 * in a TypeScript file, and @types/node's alone is a good part of the text the
 * program parses (~5% of the set-up's time on the bench project). ts-morph has
 * no option for it: every file it parses goes through its document registry,
 * whose `createOrUpdateSourceFile` passes `settings.target` on to TypeScript's
 * createSourceFile, which also takes its options object there.
 */
function withoutTsJsDoc(project: Project): Project {
  const registry = (project as unknown as { readonly _context: { readonly compilerFactory: { readonly documentRegistry: DocumentRegistry } } })._context.compilerFactory.documentRegistry;
  const parse = registry.createOrUpdateSourceFile.bind(registry);
  registry.createOrUpdateSourceFile = (fileName, settings, snapshot, scriptKind) =>
    parse(fileName, { ...settings, target: { languageVersion: settings.target ?? ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors } }, snapshot, scriptKind);
  return project;
}

/** The part of ts-morph's document registry (not in its declarations) that parses a file. */
interface DocumentRegistry {
  createOrUpdateSourceFile(fileName: string, settings: { readonly target?: unknown }, snapshot: unknown, scriptKind: unknown): unknown;
}

/**
 * The first syntax error of a file as a finding, or undefined when it parses.
 * A file that does not parse is left as it was: its call sites cannot be
 * located reliably.
 */
export function syntaxError(file: SourceFile): Finding | undefined {
  const diagnostic = file.getProject().getProgram().compilerObject.getSyntacticDiagnostics(file.compilerNode)[0];
  if (diagnostic === undefined) return undefined;
  const { line, column } = file.getLineAndColumnAtPos(diagnostic.start ?? 0);
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  return { path: file.getFilePath(), line, column, rule: 'codemod/parse-error', message: `the file does not parse (${message}): left unchanged` };
}

/** The package.json the converted files' imports resolve through (the nearest above them). */
export function manifestOf(dir: string): string | undefined {
  return nearest(dir, 'package.json');
}

/**
 * package.json text with the converted code's dependencies added (`pg`, and
 * `redis2sql` for `redis2sql/codemod-runtime`) when missing, keeping the
 * file's indentation, key order and final newline; undefined when it already
 * has both or is not JSON.
 *
 *   withDependencies('{\n  "dependencies": { "ioredis": "^5.4.0" }\n}\n', { pg: '^8.13.0' })
 *   → '{\n  "dependencies": {\n    "ioredis": "^5.4.0",\n    "pg": "^8.13.0"\n  }\n}\n'
 */
export function withDependencies(text: string, wanted: Readonly<Record<string, string>>): string | undefined {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const deps = { ...((pkg['dependencies'] as Record<string, string> | undefined) ?? {}) };
  const missing = Object.keys(wanted).filter((name) => deps[name] === undefined);
  if (missing.length === 0) return undefined;
  for (const name of missing) deps[name] = wanted[name]!;
  // npm keeps dependencies sorted by name.
  pkg['dependencies'] = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  return JSON.stringify(pkg, null, indent) + (text.endsWith('\n') ? '\n' : '');
}

/**
 * The versions the converted code is written for: node-postgres as this
 * package depends on it, and this package itself (the runtime).
 */
export function runtimeDependencies(): Record<string, string> {
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return { pg: own.dependencies['pg'] ?? '^8', redis2sql: `^${own.version}` };
}

/** The nearest `name` at or above `dir`, not looking above the package root (the first package.json) when asked. */
function nearest(dir: string, name: string, withinPackage = false): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, name))) return join(d, name);
    if (withinPackage && existsSync(join(d, 'package.json'))) return undefined;
    if (dirname(d) === d) return undefined;
  }
}
