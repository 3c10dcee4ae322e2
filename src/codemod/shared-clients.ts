/**
 * Files that hand Redis clients to each other convert together or not at
 * all. Converting a client turns it into a pg Pool (`new Redis()` →
 * `new pg.Pool(…)`), and its calls into calls of the runtime that expect one.
 * A file left as it was that still calls the client's methods on a value
 * another file converted breaks at run time (`redis.subscribe is not a
 * function`), and so does a converted file that is handed a client an
 * unconverted file still builds. The whole-file rule (src/codemod/edits.ts)
 * keeps each file consistent in itself; this keeps the files consistent
 * with each other.
 *
 * Two files share clients when one imports from the other a value whose type
 * holds a client: the client itself, a function taking or returning one, a
 * class or object with one among its members (`export const redis = new
 * Redis()`, `export function connect(): Redis`, `export class Cache {
 * constructor(private redis: Redis) {} }`). Imports of types alone move no
 * value. The files are those of the run and the project files they import;
 * a file outside the paths given is never converted in the run, so sharing
 * clients with one leaves a file unchanged too. (Files outside the paths that
 * import the run's files are not seen: the program holds only the files given
 * and what they import.)
 */
import { ts } from './ts-morph.js';

/** Where the clients' declarations are: ioredis itself, @types/ioredis (or what src/codemod/untyped.ts lends under that name), node-redis. */
const CLIENT_PACKAGES = /[\\/]node_modules[\\/](?:@types[\\/])?(?:ioredis|redis|@redis[\\/]client)[\\/]/;

/** The clients' and their batches' type names there: ioredis' Redis, Cluster, ChainableCommander, Pipeline; node-redis' RedisClientType, RedisClusterType, RedisClient… */
const CLIENT_NAMES = /^(?:Redis|Cluster|ChainableCommander|Pipeline|Redis(?:Client|Cluster|Sentinel)\w*)$/;

/** How deep in a value's type a client is looked for (`{ cache: { redis: Redis } }` is 2 deep). */
const DEPTH = 5;

/**
 * For each of `files` (paths in `program`), the other project files it shares
 * clients with through its imports, re-exports, requires and dynamic imports.
 *
 *   // a.ts: import { redis } from './client.js'; import type { Options } from './options.js';
 *   sharedClients(program, ['/app/a.ts'])  → Map { '/app/a.ts' => Set { '/app/client.ts' } }
 */
export function sharedClients(program: ts.Program, files: readonly string[]): Map<string, Set<string>> {
  const checker = program.getTypeChecker();
  const own = (file: ts.SourceFile): boolean => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file) && !program.isSourceFileDefaultLibrary(file);
  const carriesClient = clientCarrier(checker, own);
  const shared = new Map<string, Set<string>>();
  for (const path of files) {
    const file = program.getSourceFile(path);
    if (file === undefined) continue;
    const partners = new Set<string>();
    // A value bound in another project file whose type holds a client.
    const value = (symbol: ts.Symbol | undefined): void => {
      if (symbol === undefined) return;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const homes = (target.declarations ?? []).map((d) => d.getSourceFile()).filter((f) => f !== file && own(f));
      if (homes.length > 0 && target.flags & ts.SymbolFlags.Value && carriesClient(target)) for (const home of homes) partners.add(home.fileName);
    };
    // Every value a module exports (`import * as m`, `export *`, `require`, `import()`).
    const module = (specifier: ts.Expression): void => {
      const symbol = checker.getSymbolAtLocation(specifier);
      if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.Module)) return;
      for (const exported of checker.getExportsOfModule(symbol)) value(exported);
      // `module.exports = redis`: the module's value itself.
      const exportEquals = symbol.exports?.get(ts.InternalSymbolName.ExportEquals);
      if (exportEquals !== undefined) value(exportEquals);
    };
    for (const statement of file.statements) {
      if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        if (clause === undefined || clause.isTypeOnly) continue;
        if (clause.name !== undefined) value(checker.getSymbolAtLocation(clause.name));
        const bindings = clause.namedBindings;
        if (bindings !== undefined && ts.isNamespaceImport(bindings)) module(statement.moduleSpecifier);
        else if (bindings !== undefined) for (const element of bindings.elements) if (!element.isTypeOnly) value(checker.getSymbolAtLocation(element.name));
      } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined && !statement.isTypeOnly) {
        const clause = statement.exportClause;
        if (clause === undefined || ts.isNamespaceExport(clause)) module(statement.moduleSpecifier);
        else for (const element of clause.elements) if (!element.isTypeOnly) value(checker.getExportSpecifierLocalTargetSymbol(element));
      } else if (ts.isImportEqualsDeclaration(statement) && !statement.isTypeOnly && ts.isExternalModuleReference(statement.moduleReference)) {
        module(statement.moduleReference.expression);
      }
    }
    // require('./client') and import('./client') wherever they are.
    if (/\b(?:require|import)\s*\(/.test(file.text)) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!)) {
          const callee = node.expression;
          if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) module(node.arguments[0]!);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    if (partners.size > 0) shared.set(file.fileName, partners);
  }
  return shared;
}

/**
 * Whether a value's type holds a client, a few levels deep: in a union or
 * intersection, a type argument (`Promise<Redis>`, `Map<string, Redis>`), and
 * for the types the project declares (or writes out: `{ redis: Redis }`,
 * `() => Redis`), their members and their signatures' parameters and results.
 * A library's own types hold none but through their type arguments. Once per
 * symbol in a run.
 */
function clientCarrier(checker: ts.TypeChecker, own: (file: ts.SourceFile) => boolean): (symbol: ts.Symbol) => boolean {
  const known = new Map<ts.Symbol, boolean>();
  const holds = (type: ts.Type, depth: number, seen: Set<ts.Type>): boolean => {
    if (seen.has(type)) return false;
    seen.add(type);
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const declarations = symbol?.declarations ?? [];
    if (symbol !== undefined && CLIENT_NAMES.test(symbol.name) && declarations.some((d) => CLIENT_PACKAGES.test(d.getSourceFile().fileName))) return true;
    if (depth >= DEPTH) return false;
    const next = (t: ts.Type): boolean => holds(t, depth + 1, seen);
    if (type.isUnionOrIntersection()) return type.types.some(next);
    const args = [...(type.aliasTypeArguments ?? []), ...(isReference(type) ? checker.getTypeArguments(type) : [])];
    if (args.some(next)) return true;
    if (declarations.length > 0 && !declarations.some((d) => own(d.getSourceFile()))) return false;
    for (const property of checker.getPropertiesOfType(type)) if (next(checker.getTypeOfSymbol(property))) return true;
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      if (next(signature.getReturnType())) return true;
      for (const parameter of signature.getParameters()) if (next(checker.getTypeOfSymbol(parameter))) return true;
    }
    return false;
  };
  return (symbol) => {
    let answer = known.get(symbol);
    if (answer === undefined) {
      answer = holds(checker.getTypeOfSymbol(symbol), 0, new Set());
      known.set(symbol, answer);
    }
    return answer;
  };
}

function isReference(type: ts.Type): type is ts.TypeReference {
  return (type.flags & ts.TypeFlags.Object) !== 0 && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) !== 0;
}

/**
 * The files that share clients, directly or through others, with one of
 * `blocked` (files that stay as they are): for each, the nearest such file,
 * and the file next to it on the way there when that is another one.
 *
 *   // a and b import the client from c; b also subscribes (reported, so b stays as it is)
 *   tiedTo(Map { 'a' => Set { 'c' }, 'b' => Set { 'c' } }, new Set(['b']))
 *   → Map { 'c' => { blocked: 'b' }, 'a' => { blocked: 'b', via: 'c' } }
 */
export function tiedTo(shared: ReadonlyMap<string, ReadonlySet<string>>, blocked: ReadonlySet<string>): Map<string, { readonly blocked: string; readonly via?: string }> {
  const next = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    const list = next.get(a) ?? new Set<string>();
    list.add(b);
    next.set(a, list);
  };
  for (const [file, partners] of shared) {
    for (const partner of partners) {
      link(file, partner);
      link(partner, file);
    }
  }
  // Breadth first from every blocked file at once: each file reached gets the nearest.
  const out = new Map<string, { readonly blocked: string; readonly via?: string }>();
  const nearest = new Map<string, string>();
  let frontier = [...blocked].filter((f) => next.has(f)).sort();
  for (const f of frontier) nearest.set(f, f);
  while (frontier.length > 0) {
    const reached: string[] = [];
    for (const from of frontier) {
      for (const to of [...(next.get(from) ?? [])].sort()) {
        if (nearest.has(to)) continue;
        const origin = nearest.get(from)!;
        nearest.set(to, origin);
        out.set(to, from === origin ? { blocked: origin } : { blocked: origin, via: from });
        reached.push(to);
      }
    }
    frontier = reached;
  }
  return out;
}
