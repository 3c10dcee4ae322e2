/**
 * ioredis 5 call sites → calls of the codemod runtime running compiled SQL.
 *
 * Clients are found by their type (the checker resolves the `Redis` class
 * declared in the ioredis package), never by variable names. A file is
 * converted only when every use of a client in it converts: a client that
 * stayed an ioredis object beside one that became a pg Pool would no longer
 * type-check, so one unconvertible use leaves the whole file as it was and
 * each such use is reported.
 */
import { Node, ts } from './ts-morph.js';
import type { CallExpression, NewExpression, PropertyAssignment, ShorthandPropertyAssignment, SourceFile, Type } from 'ts-morph';
import type { CallCache, CallRefusal } from './compile-call.js';
import { atRunTimeArgs, compileIoredisMethod, declaredTypeArg, typeArgText, type IoredisRefusal, type TypeTexts } from './ioredis-call.js';
import { isCommonJs, withRequires } from './commonjs.js';
import { callbackOf, type Callback } from './ioredis-callbacks.js';
import { applyEdits, leftUnchanged, nestEdits, overlapFinding, type Edit } from './edits.js';
import type { Finding } from './report.js';
import { compileScriptCall, convertDefinition, type ScriptContext } from './scripts.js';
import { convertBatchMethod, convertBatchStart, convertUnwatch, convertWatch, pairWatches } from './transaction.js';
import { clientArgumentType } from './untyped.js';
import { descendantsWhere, literalForm, namesScanCursor, optionalReceiver, SCAN_CURSOR, shortText, somePart, someTypePart } from './walk.js';
import { eventListener, shutdownText, type Shutdown } from './lifecycle.js';

const SHUTDOWN: Readonly<Record<string, Shutdown>> = { quit: 'quit', disconnect: 'now' };

/** Methods that are not plain commands, with the rule id and reason they are reported under. */
const REFUSED: Readonly<Record<string, readonly [string, string]>> = {
  exec: ['ioredis/multi', 'exec() on the client itself is not converted (exec() of the multi() batch is)'],
  unwatch: ['ioredis/watch', 'an UNWATCH is converted only between a converted WATCH and its multi(), in a statement of their block'],
  subscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  psubscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  ssubscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  unsubscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  punsubscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  publish: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  spublish: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  sunsubscribe: ['ioredis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  blpop: ['ioredis/blocking', 'blocking commands are not converted'],
  brpop: ['ioredis/blocking', 'blocking commands are not converted'],
  blmove: ['ioredis/blocking', 'blocking commands are not converted'],
  brpoplpush: ['ioredis/blocking', 'blocking commands are not converted'],
  blmpop: ['ioredis/blocking', 'blocking commands are not converted'],
  bzpopmin: ['ioredis/blocking', 'blocking commands are not converted'],
  bzpopmax: ['ioredis/blocking', 'blocking commands are not converted'],
  bzmpop: ['ioredis/blocking', 'blocking commands are not converted'],
  duplicate: ['ioredis/duplicate', 'duplicate() opens a second Redis connection; a pg Pool already has several'],
  monitor: ['ioredis/monitor', 'MONITOR has no PostgreSQL equivalent'],
};

const IMPORT = "import * as r2s from 'redis2sql/codemod-runtime';";
const PG_IMPORT = "import pg from 'pg';";
const POOL = 'new pg.Pool({ connectionString: process.env.DATABASE_URL })';

export interface FileResult {
  /** The new text, or null when the file is left as it was. */
  readonly text: string | null;
  readonly findings: readonly Finding[];
  /** The replacements in the file's text that `text` was made with (the imports it adds or drops aside): where the formatter finds the statements that changed (src/codemod/format-units.ts). */
  readonly edits?: readonly Edit[];
}

/**
 * Convert one source file's ioredis 5 call sites.
 *
 *   // const redis = new Redis(); const v = await redis.get(k);
 *   convertIoredisFile(file)
 *   // → const redis = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 *   //   const v = await r2s.ioredis(redis, 'SELECT … AS reply', [r2s.text(k)], { kind: 'scalar', of: 'bulk' });
 */
export function convertIoredisFile(
  file: SourceFile,
  scripts: ScriptContext = { defined: new Map(), refused: new Map(), functions: new Map() },
  calls: CallCache = new Map(),
  types: TypeTexts = new Map(),
  members: IoredisMembers = ioredisMembers(file.getProject().getProgram().compilerObject),
): FileResult {
  const findings: Finding[] = [];
  const edits: Edit[] = [];
  const report = (node: Node, rule: string, message: string): void => {
    const { line, column } = file.getLineAndColumnAtPos(node.getStart());
    findings.push({ path: file.getFilePath(), line, column, rule, message });
  };

  const watches = pairWatches(file, isClient);
  // A command queued on a batch, by a method (`.incr(k)`) or in the commands given to it (`pipeline([['incr', k]])`): compiled as a plain call.
  const queued = (c: CallExpression, m: string, args?: readonly Node[]): { readonly args: string } | { readonly translated: string } | CallRefusal => {
    const r = compileIoredisCall(c, m, scripts, calls, types, args);
    // A statement that depends on values known only at run time: translated when the command is queued.
    if ('rule' in r) return r.atRunTime === undefined ? r : { translated: atRunTimeArgs(r.atRunTime) };
    return { args: r.args };
  };
  const checker = file.getProject().getTypeChecker().compilerObject;
  // Where the checker does not vouch for names (JavaScript, suppressed errors), a client may be called by any name.
  const names = unchecked(file) ? undefined : members;
  for (const node of descendantsWhere(file, (n) => mayBeIoredis(checker, n, names))) {
    if (Node.isNewExpression(node) && isIoredis(node.getType(), 'Cluster')) {
      report(node, 'ioredis/cluster', 'cluster clients are not converted (PostgreSQL has no cluster topology to mirror)');
    } else if (Node.isNewExpression(node) && isClient(node.getType())) {
      const option = valueOption(node);
      if (option === undefined) edits.push({ start: node.getStart(), end: node.getEnd(), text: POOL });
      else report(node, 'ioredis/client-options', `the client option ${option} changes its keys or replies, which the converted calls do not reproduce`);
    } else if (Node.isTypeReference(node) && isClient(node.getType())) {
      edits.push({ start: node.getStart(), end: node.getEnd(), text: 'pg.Pool' });
    } else if (Node.isTypeReference(node) && isBatch(node.getType())) {
      edits.push({ start: node.getStart(), end: node.getEnd(), text: 'r2s.IoredisBatch' });
    } else if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) {
      const optional = optionalReceiver(node.compilerNode);
      const role = roleOf(optional ? node.getExpression().getType().getNonNullableType() : receiverType(node.getExpression()));
      if (role === undefined) continue;
      if (optional && Node.isPropertyAccessExpression(node)) {
        report(node, 'ioredis/optional-chain', `'${node.getName()}' in an optional chain (?.) is not converted: the converted call would run where the chain yields undefined`);
        continue;
      }
      if (!Node.isPropertyAccessExpression(node)) {
        report(node, 'ioredis/element-access', `a member of an ioredis ${role === 'batch' ? 'batch' : 'client'} read by element access (x[name]) is not converted`);
        continue;
      }
      const call = node.getParent();
      const method = node.getName();
      if (role === 'partly') {
        report(node, 'ioredis/client-type', `'${method}' of ${shortText(node.getExpression())} is not converted: an ioredis client or batch is only a part of its type (a union, a mapped type…)`);
        continue;
      }
      if (role === 'batch') {
        // A method of multi()/pipeline()'s batch: queued commands compile as plain calls do (src/codemod/transaction.ts).
        if (!Node.isCallExpression(call) || call.getExpression() !== node) {
          if (!KEPT_BATCH_MEMBERS.has(method)) report(node, 'ioredis/property', `'${method}' of an ioredis batch is not a command call`);
          continue;
        }
        const converted = convertBatchMethod(call, method, queued);
        if (converted === null) continue;
        if ('rule' in converted) report(call, converted.rule, converted.message);
        else edits.push(converted);
        continue;
      }
      if (!Node.isCallExpression(call) || call.getExpression() !== node) {
        report(node, 'ioredis/property', `'${method}' of an ioredis client is not a command call`);
        continue;
      }
      const receiver = node.getExpression().getText();
      const watch = watches.find((w) => w.watch === call || w.multi === call);
      const unwatched = method === 'unwatch' ? watches.find((w) => w.unwatches.includes(call)) : undefined;
      const converted =
        unwatched !== undefined
          ? convertUnwatch(unwatched, call)
          : method === 'multi' || method === 'pipeline'
            ? convertBatchStart(call, method, receiver, queued, method === 'multi' ? watch?.name : undefined)
            : method === 'watch'
              ? watch === undefined
                ? { rule: 'ioredis/watch', message: 'a WATCH is converted only as an awaited statement followed, in the same block, by the multi() it guards' }
                : convertWatch(watch, receiver)
              : method === 'defineCommand'
                ? convertDefinition(call, scripts)
                : convertCall(call, method, receiver, scripts, calls, types);
      if ('rule' in converted) report(call, converted.rule, converted.message);
      else edits.push(converted);
    }
  }
  if (edits.length === 0 && findings.length === 0) return { text: null, findings };
  // The output names the runtime `r2s` and node-postgres `pg`: a file that already uses those names for something else is not rewritten.
  if (leftUnchanged(file, findings, report, 'ioredis')) return { text: null, findings };
  // A call on a converted receiver (`new Redis().on('error', f)`…) or in a converted call's arguments: converted in its copy there.
  const nested = nestEdits(file.getFullText(), edits);
  if (nested === undefined) {
    findings.push(overlapFinding(file, edits, 'ioredis')!);
    return { text: null, findings };
  }
  return { text: isCommonJs(file) ? withRequires(file, nested, ['ioredis']) : withImports(file, applyEdits(file.getFullText(), nested)), findings, edits: nested };
}

/**
 * The first option of a client construction that changes what its calls send
 * or resolve with (a prefix on every key, numbers as strings, ioredis 6's
 * RESP3 reply mapping), as written, or undefined.
 *
 *   valueOption(new Redis({ keyPrefix: 'app:' }))  → "keyPrefix: 'app:'"
 */
function valueOption(construction: NewExpression): string | undefined {
  for (const arg of construction.getArguments()) {
    if (!Node.isObjectLiteralExpression(arg)) continue;
    for (const p of arg.getProperties()) {
      if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) continue;
      const name = p.getName();
      const value = Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
      const legacy = value !== undefined && Node.isStringLiteral(value) && value.getLiteralValue() === 'legacy';
      if (name === 'keyPrefix' || name === 'stringNumbers' || (name === 'replyMapping' && !legacy)) return p.getText();
    }
  }
  return undefined;
}

function isClient(type: Type): boolean {
  return isIoredis(type, 'Redis');
}

/** Whether `type` is an ioredis client (an instance of its Redis class). */
export const isIoredisClient = isClient;

/** multi()/pipeline()'s batch: ioredis 5 and 6 declare it ChainableCommander, @types/ioredis (ioredis 4) Pipeline. */
function isBatch(type: Type): boolean {
  return isIoredis(type, 'ChainableCommander') || isIoredis(type, 'Pipeline');
}

/**
 * Whether `type` is an instance of the class `name` declared by ioredis:
 * the package itself (5 and 6 ship their types) or @types/ioredis (ioredis 4,
 * whose interfaces carry the same names: Redis, Cluster, Pipeline).
 */
function isIoredis(type: Type, name: string): boolean {
  // The class itself (`Redis.Cluster`, `typeof Redis`) carries the same symbol: only instances are clients.
  if (type.getConstructSignatures().length > 0) return false;
  const symbol = type.getSymbol() ?? type.getAliasSymbol();
  if (symbol === undefined || symbol.getName() !== name) return false;
  return symbol.getDeclarations().some((d) => IOREDIS_TYPES.test(d.getSourceFile().getFilePath()));
}

/** Where ioredis' declarations are: the package itself, or @types/ioredis. */
const IOREDIS_TYPES = /[\\/]node_modules[\\/](@types[\\/])?ioredis[\\/]/;

/**
 * Whether the walk of convertIoredisFile has to look at a node: a necessary
 * condition of its branches (the type they test, or a part of it, is
 * declared by ioredis),
 * checked on the compiler's node and type without wrapping either. A
 * property access is looked at only when its name is one of `names` (when
 * given): the receiver's type, asked of the checker for every `item.tags`
 * and `seen.has` otherwise, was most of the walk's time.
 */
function mayBeIoredis(checker: ts.TypeChecker, node: ts.Node, names: IoredisMembers): boolean {
  const typed = ts.isNewExpression(node) || ts.isTypeReferenceNode(node) ? node : ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) ? node.expression : undefined;
  if (typed === undefined) return false;
  if (names !== undefined && ts.isPropertyAccessExpression(node) && !names.has(node.name.text)) return false;
  // x[0] is no member of a client; x['get'] is one only by a member's name.
  if (ts.isElementAccessExpression(node) && (ts.isNumericLiteral(node.argumentExpression) || (names !== undefined && ts.isStringLiteralLike(node.argumentExpression) && !names.has(node.argumentExpression.text)))) return false;
  // A literal's type is made from its own text (an array, an anonymous object, a string…), never an ioredis class: `[...item.tags].sort()`.
  if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && literalForm(typed)) return false;
  const type = optionalReceiver(node) ? checker.getNonNullableType(checker.getTypeAtLocation(typed)) : checker.getTypeAtLocation(typed);
  // A JavaScript parameter without a type may be passed clients (receiverType).
  if (type.flags & ts.TypeFlags.Any) return (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && ts.isIdentifier(typed);
  return someTypePart(checker, type, (t) => (t.getSymbol() ?? t.aliasSymbol)?.declarations?.some((d) => IOREDIS_TYPES.test(d.getSourceFile().fileName)) === true);
}

/**
 * What a receiver's type makes its property accesses: a client's or a
 * batch's (the type itself, a type parameter constrained to it, an
 * intersection with it: all of them the client where the converted code
 * runs), 'partly' when a client or batch is only a part of it
 * (`Redis | Cluster`, `Pick<Redis, 'get'>`), or undefined.
 *
 *   roleOf(<Redis>)  → 'client'      roleOf(<T extends Redis>)  → 'client'
 *   roleOf(<Redis & { tag: string }>)  → 'client'
 *   roleOf(<Redis | Cluster>)  → 'partly'      roleOf(<Cluster>)  → undefined
 */
function roleOf(type: Type): 'client' | 'batch' | 'partly' | undefined {
  const apparent = type.isTypeParameter() ? (type.getConstraint() ?? type) : type;
  for (const part of apparent.isIntersection() ? apparent.getIntersectionTypes() : [apparent]) {
    if (isClient(part)) return 'client';
    if (isBatch(part)) return 'batch';
  }
  return somePart(type, (t) => isClient(t) || isBatch(t)) ? 'partly' : undefined;
}


/**
 * The names of the properties an ioredis client or batch has in a program
 * (the members of the types isClient and isBatch accept, as the checker sees
 * them), or undefined when any name may be one. One per run, created by its
 * caller; convertIoredisFile looks at a property access with another name
 * only where the checker does not vouch for names (unchecked).
 */
export type IoredisMembers = ReadonlySet<string> | undefined;

/** The names of the ioredis types the walk's branches test: isClient's and isBatch's. */
const WALKED_TYPES: ReadonlySet<string> = new Set(['Redis', 'ChainableCommander', 'Pipeline']);

/** isBatch's types. */
const BATCH_TYPES: ReadonlySet<string> = new Set(['ChainableCommander', 'Pipeline']);

/**
 * The properties of an ioredis batch that the runtime's batch (r2s.IoredisBatch)
 * has with the same value, so that reading one is left as written: `length`,
 * the commands queued (src/codemod/transaction-runtime.ts).
 */
const KEPT_BATCH_MEMBERS: ReadonlySet<string> = new Set(['length']);

/**
 * The members of every type named as isClient and isBatch want it that ioredis
 * declares in `program` (ioredis 5/6 itself, @types/ioredis 4, the
 * declarations lent by src/codemod/untyped.ts), with their base types and
 * the module augmentations merged into them (a command the project declared
 * for defineCommand: `interface RedisCommander<Context> { incrCapped(…) }`);
 * undefined when one has an index signature (any name is a member).
 *
 * A batch's members the converted batch keeps (KEPT_BATCH_MEMBERS) are left
 * out: a read of one is left as written.
 *
 *   ioredisMembers(program)  → Set { 'get', 'getBuffer', …, 'multi', 'exec', 'on', 'status', 'incrCapped', … }
 */
export function ioredisMembers(program: ts.Program): IoredisMembers {
  const checker = program.getTypeChecker();
  const names = new Set<string>();
  const visit = (statements: readonly ts.Statement[]): boolean => {
    for (const statement of statements) {
      if (ts.isModuleDeclaration(statement)) {
        let body = statement.body;
        while (body !== undefined && ts.isModuleDeclaration(body)) body = body.body;
        if (body !== undefined && ts.isModuleBlock(body) && !visit(body.statements)) return false;
        continue;
      }
      if (!(ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement))) continue;
      if (statement.name === undefined || !WALKED_TYPES.has(statement.name.text)) continue;
      const symbol = checker.getSymbolAtLocation(statement.name);
      if (symbol === undefined) continue;
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      for (const t of type.isUnion() ? type.types : [type]) {
        if (checker.getIndexInfosOfType(t).length > 0) return false;
        for (const property of checker.getPropertiesOfType(t)) {
          const name = ts.symbolName(property);
          // A batch's property the converted batch keeps needs no look (a client's of the same name still does).
          if (!(BATCH_TYPES.has(statement.name.text) && KEPT_BATCH_MEMBERS.has(name))) names.add(name);
        }
      }
    }
    return true;
  };
  for (const file of program.getSourceFiles()) {
    if (IOREDIS_TYPES.test(file.fileName) && !visit(file.statements)) return undefined;
  }
  return names;
}

/**
 * Whether a property of a client may be used in `file` by a name its type
 * does not declare without the checker refusing it: JavaScript (which calls
 * commands added at run time, by `defineCommand` or the `scripts` option, as
 * it calls any other), or a file that silences the checker's errors.
 */
function unchecked(file: SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(file.getFilePath()) || /@ts-(?:ignore|expect-error|nocheck)\b/.test(file.getFullText());
}

/** The type of a method call's receiver: its own, or for an untyped JavaScript parameter, that of the clients its calls pass (src/codemod/untyped.ts). */
function receiverType(receiver: Node): Type {
  const type = receiver.getType();
  return type.isAny() ? (clientArgumentType(receiver, isClient) ?? type) : type;
}

type Converted = Edit | { readonly rule: string; readonly message: string };

function convertCall(call: CallExpression, method: string, receiver: string, scripts: ScriptContext, calls: CallCache, types: TypeTexts): Converted {
  const range = { start: call.getStart(), end: call.getEnd() };
  const shutdown = SHUTDOWN[method];
  if (shutdown !== undefined) {
    if (call.getArguments().length > 0) return { rule: 'ioredis/callback', message: `${method}() with arguments is not converted` };
    return { ...range, text: shutdownText(shutdown, receiver, /\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath())) };
  }
  if (method === 'on' || method === 'once') return eventListener(call, 'ioredis');
  const stream = SCAN_STREAMS[method];
  if (stream !== undefined) return convertScanStream(call, method, stream, receiver, calls, types);
  if (method === 'connect') {
    if (call.getArguments().length > 0) return { rule: 'ioredis/callback', message: 'connect() with a callback is not converted' };
    // A lazyConnect client's connect() resolves (to undefined) once the server answers: the pool checks that the database answers.
    return { ...range, text: `${receiver}.query('SELECT 1').then(() => undefined)` };
  }
  const split = withoutCallback(call);
  if ('rule' in split) return split;
  let compiled = compileIoredisCall(call, method, scripts, calls, types, split.args);
  const last = split.args.at(-1);
  if ('rule' in compiled && split.callback === undefined && last !== undefined && untyped(last)) {
    // Untyped (JavaScript), a last argument that does not compile as a value (`redis.get(key, cb)`) may be the callback ioredis
    // takes it for when it is a function: compiled without it, the runtime sends the whole call, translated then, if it is not.
    const asCallback = compileIoredisCall(call, method, scripts, calls, types, split.args.slice(0, -1), last);
    if (!('rule' in asCallback)) compiled = asCallback;
  }
  if ('rule' in compiled && compiled.atRunTime !== undefined) {
    // Values known only when the call runs decide its statement: translated then (an untyped last argument that is a function, the callback).
    const typeArg = /\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath()) ? '' : declaredTypeArg(call, types) || (split.callback?.result === undefined ? '' : typeArgText(split.callback.result, call, types));
    const translated = `r2s.ioredisTranslated${typeArg}(${receiver}, ${atRunTimeArgs(compiled.atRunTime)})`;
    return { ...range, text: split.callback === undefined ? translated : `r2s.${split.callback.helper}(${translated}, ${split.callback.node.getText()})` };
  }
  if ('rule' in compiled) return compiled;
  // JavaScript has no type arguments: the same call without one.
  const typeArg = /\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath()) ? '' : compiled.typeArg || (split.callback?.result === undefined ? '' : typeArgText(split.callback.result, call, types));
  const converted = `r2s.ioredis${typeArg}(${receiver}, ${compiled.args})`;
  return { ...range, text: split.callback === undefined ? converted : `r2s.${split.callback.helper}(${converted}, ${split.callback.node.getText()})` };
}

/**
 * A command call's arguments without its callback (src/codemod/ioredis-callbacks.ts).
 *
 *   withoutCallback(<redis.get(key, (err, v) => done(v))>)  → { args: [key], callback: { node: <(err, v) => done(v)>, helper: 'ioredisCallback' } }
 *   withoutCallback(<redis.get(key)>)  → { args: [key] }
 */
function withoutCallback(call: CallExpression): { readonly args: readonly Node[]; readonly callback?: Callback } | CallRefusal {
  const args = call.getArguments();
  const last = args.at(-1);
  const callback = last === undefined ? undefined : callbackOf(last);
  if (callback === undefined) return { args };
  return 'rule' in callback ? callback : { args: args.slice(0, -1), callback };
}

/** An argument whose type says nothing (JavaScript without JSDoc, `any`): it may be a function when the call runs. */
function untyped(arg: Node): boolean {
  return !Node.isSpreadElement(arg) && arg.getType().isAny();
}

/** ioredis' scan streams: the method each read calls, and whether it takes a key before its options. */
const SCAN_STREAMS: Readonly<Record<string, { readonly method: string; readonly key: boolean }>> = {
  scanStream: { method: 'scan', key: false },
  scanBufferStream: { method: 'scanBuffer', key: false },
  sscanStream: { method: 'sscan', key: true },
  sscanBufferStream: { method: 'sscanBuffer', key: true },
  hscanStream: { method: 'hscan', key: true },
  hscanBufferStream: { method: 'hscanBuffer', key: true },
  zscanStream: { method: 'zscan', key: true },
  zscanBufferStream: { method: 'zscanBuffer', key: true },
};

/** The tokens ioredis' ScanStream adds after the cursor, by option, in its order; `noValues` is a flag. */
const SCAN_OPTIONS: readonly (readonly [string, string])[] = [
  ['match', 'MATCH'],
  ['type', 'TYPE'],
  ['count', 'COUNT'],
  ['noValues', 'NOVALUES'],
];

/**
 * `redis.scanStream({ match, count })` (`hscanStream(key, …)`…): the
 * runtime's stream, each read the converted SCAN call from the cursor the
 * last one gave (ioredis' ScanStream, src/codemod/scan-runtime.ts). ioredis
 * leaves an option out when its value is falsy: each must be a literal, or a
 * template whose text is never empty, so that the statement is the one every
 * read sends.
 *
 *   // redis.scanStream({ match: 'user:*', count: 100 })
 *   → r2s.ioredisScanStream((r2sCursor) => r2s.ioredis(redis, "SELECT …", r2s.command('scan', [r2sCursor, 'MATCH', 'user:*', 'COUNT', '100'], …), …))
 */
function convertScanStream(
  call: CallExpression,
  method: string,
  stream: (typeof SCAN_STREAMS)[string],
  receiver: string,
  calls: CallCache,
  types: TypeTexts,
): Converted {
  const args = call.getArguments();
  const [key, options, ...rest] = stream.key ? args : [undefined, ...args];
  if (rest.length > 0 || (stream.key && key === undefined)) return { rule: 'ioredis/scan-stream', message: `${method}() is converted with ${stream.key ? 'a key and ' : ''}an options object` };
  if (namesScanCursor(args)) return { rule: 'ioredis/scan-stream', message: `${method}() whose arguments name '${SCAN_CURSOR}' is not converted` };
  const tokens: (Node | { readonly literal: string } | { readonly cursor: string })[] = [...(key === undefined ? [] : [key]), { cursor: SCAN_CURSOR }];
  if (options !== undefined) {
    if (!Node.isObjectLiteralExpression(options)) return { rule: 'ioredis/scan-stream', message: `${method}()'s options are converted when written as an object literal` };
    const given = new Map<string, Node>();
    for (const p of options.getProperties()) {
      const value = Node.isPropertyAssignment(p) ? p.getInitializerOrThrow() : Node.isShorthandPropertyAssignment(p) ? p.getNameNode() : undefined;
      const name = value === undefined ? undefined : (p as PropertyAssignment | ShorthandPropertyAssignment).getName();
      if (value === undefined || name === undefined || !SCAN_OPTIONS.some(([o]) => o === name)) return { rule: 'ioredis/scan-stream', message: `${method}()'s option ${name ?? p.getText()} is not converted` };
      given.set(name, value);
    }
    for (const [option, token] of SCAN_OPTIONS) {
      const value = given.get(option);
      if (value === undefined) continue;
      const sent = alwaysSent(value);
      if (sent === undefined) return { rule: 'ioredis/scan-stream', message: `${method}()'s ${option} is known only at run time, and ioredis leaves it out when it is empty or 0; not converted` };
      if (!sent) continue;
      if (option === 'noValues') tokens.push({ literal: token });
      else tokens.push({ literal: token }, value);
    }
  }
  const compiled = compileIoredisMethod(call, stream.method, calls, types, { args: tokens, name: stream.method.replace(/Buffer$/, ''), raw: false });
  if ('rule' in compiled) return compiled;
  return { start: call.getStart(), end: call.getEnd(), text: `r2s.ioredisScanStream((${SCAN_CURSOR}) => r2s.ioredis(${receiver}, ${compiled.args}))` };
}

/** Whether ioredis' ScanStream sends an option of this value (it tests it for truth): known when the codemod runs, or undefined. */
function alwaysSent(value: Node): boolean | undefined {
  if (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value)) return value.getLiteralValue() !== '';
  if (Node.isNumericLiteral(value)) return value.getLiteralValue() !== 0;
  if (Node.isTrueLiteral(value)) return true;
  if (Node.isFalseLiteral(value)) return false;
  // `${prefix}*`: never empty when its own text is not.
  if (Node.isTemplateExpression(value)) return value.getHead().getLiteralText() !== '' || value.getTemplateSpans().some((s) => s.getLiteral().getLiteralText() !== '') ? true : undefined;
  return undefined;
}

/**
 * A command call's compiled form as the argument list after the client
 * (`"SELECT …", [r2s.text(k)], { kind: … }`), shared by plain calls and the
 * commands queued on a multi()/pipeline() batch.
 */
function compileIoredisCall(
  call: CallExpression,
  method: string,
  scripts: ScriptContext,
  calls: CallCache,
  types: TypeTexts,
  args: readonly Node[] = call.getArguments(),
  untypedCallback?: Node,
): { readonly args: string; readonly typeArg: string } | IoredisRefusal {
  // eval() of a known script and the commands defineCommand() added call the script's function (src/codemod/scripts.ts).
  const script = compileScriptCall(call, method, scripts, calls, args);
  if (script !== null) {
    if ('rule' in script) return script;
    if (untypedCallback !== undefined) return { rule: 'ioredis/callback', message: 'a script call with an untyped last argument is not converted' };
    // The value's static type stays what the client declared (defined commands declare theirs).
    return { args: script.args, typeArg: declaredTypeArg(call, types) };
  }
  if (method === 'call' || method === 'callBuffer') return compileNamedCall(call, method, calls, types, args, untypedCallback);
  const refused = REFUSED[method];
  if (refused !== undefined) return { rule: refused[0], message: refused[1] };
  // Every command with a translator converts, by its method name (src/codemod/ioredis-call.ts).
  const compiled = compileIoredisMethod(call, method, calls, types, undefined, args, untypedCallback);
  return 'rule' in compiled ? compiled : { args: compiled.args, typeArg: compiled.typeArg };
}

/** Commands a `call()` may name that the codemod converts only through their own methods (scripts) or not at all (transactions). */
const NOT_BY_CALL: ReadonlySet<string> = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'script', 'multi', 'exec', 'discard', 'watch', 'unwatch']);

/**
 * `redis.call('hgetall', key)` / `callBuffer(…)`: the command named by a
 * literal, converted as its method is (recorded from ioredis 5 and 6: the
 * client's argument and reply transforms are keyed by the lower-case name,
 * so `call('hgetall', …)` resolves to hgetall()'s object and `call('HGETALL',
 * …)` to the plain array; `err.command` names it as written).
 *
 *   compileNamedCall(<redis.call('HGETALL', k)>, 'call', …)  → the HGETALL statement, its reply as an array, r2s.command('HGETALL', …)
 */
function compileNamedCall(
  call: CallExpression,
  method: 'call' | 'callBuffer',
  calls: CallCache,
  types: TypeTexts,
  own: readonly Node[],
  untypedCallback?: Node,
): { readonly args: string; readonly typeArg: string } | IoredisRefusal {
  const [first, ...args] = own;
  const name = first !== undefined && (Node.isStringLiteral(first) || Node.isNoSubstitutionTemplateLiteral(first)) ? first.getLiteralValue() : undefined;
  if (name === undefined) return { rule: 'ioredis/call', message: `${method}() with a command name known only at run time is not converted` };
  const lower = name.toLowerCase();
  const refused = REFUSED[lower];
  if (refused !== undefined) return { rule: refused[0], message: refused[1] };
  if (NOT_BY_CALL.has(lower)) return { rule: 'ioredis/call', message: `${method}('${name}') is not converted: ${lower}() is` };
  const compiled = compileIoredisMethod(call, method === 'callBuffer' ? `${lower}Buffer` : lower, calls, types, { args, name, raw: name !== lower }, undefined, untypedCallback);
  return 'rule' in compiled ? compiled : { args: compiled.args, typeArg: compiled.typeArg };
}

/** Add our imports after the last import, and drop the ioredis import once nothing in the file uses it. */
function withImports(file: SourceFile, text: string): string {
  const imports = file.getImportDeclarations();
  // Edits never touch import declarations, which come before the code they
  // change, so the declarations' positions are still valid in `text`.
  const add = [
    text.includes('pg.Pool') && !/import pg from ['"]pg['"]/.test(text) ? PG_IMPORT : undefined,
    text.includes(IMPORT) ? undefined : IMPORT,
  ].filter((l): l is string => l !== undefined);
  const at = imports.at(-1)?.getEnd() ?? 0;
  let out = add.length === 0 ? text : `${text.slice(0, at)}${at === 0 ? '' : '\n'}${add.join('\n')}${at === 0 ? '\n' : ''}${text.slice(at)}`;
  for (const decl of [...imports].reverse()) {
    if (decl.getModuleSpecifierValue() !== 'ioredis') continue;
    const names = [decl.getDefaultImport(), ...decl.getNamedImports().map((n) => n.getAliasNode() ?? n.getNameNode())]
      .filter((n) => n !== undefined)
      .map((n) => n.getText());
    const rest = out.slice(0, decl.getStart()) + out.slice(decl.getEnd());
    if (names.some((n) => new RegExp(`\\b${n}\\b`).test(rest))) continue;
    const end = out[decl.getEnd()] === '\n' ? decl.getEnd() + 1 : decl.getEnd();
    out = out.slice(0, decl.getStart()) + out.slice(end);
  }
  return out;
}
