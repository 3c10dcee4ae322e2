/**
 * node-redis 4 / 5 (`redis`, `@redis/client`) call sites → calls of the
 * codemod runtime running compiled SQL.
 *
 * Clients are found by their type (the checker's `RedisClientType` declared
 * in the `redis` or `@redis/client` package). A method (`hSet`, `HSET`,
 * `zRangeWithScores`) is looked up in the command table of the @redis/client
 * the project's types come from, and the call's arguments go through that
 * command module's own argument transform (`transformArguments` in 4,
 * `parseCommand` in 5): option objects (`{ EX: 60, NX: true }`,
 * `{ score, value }`, ZRANGE's `{ BY, REV, LIMIT }`) become exactly the
 * argv node-redis would send, with stand-ins for the values known only at
 * run time (src/codemod/compile-call.ts). The module's reply transform
 * becomes a named transform of src/codemod/values.ts, or a report.
 *
 * A `multi()` builder's commands compile the same way into `.add(…)` of the
 * runtime's batch (src/codemod/transaction-runtime.ts), whose exec() rejects
 * as node-redis' does (MultiErrorReply, WatchError); `eval` of a script known
 * now calls its compiled function; a script the client was created with
 * (`createClient({ scripts })`) keeps its definition, whose transforms are
 * user code the runtime runs as node-redis does (src/codemod/script-runtime.ts).
 *
 * As with ioredis, a file is converted whole or left as it was.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Node, SyntaxKind, ts } from './ts-morph.js';
import type { CallExpression, SourceFile, Type } from 'ts-morph';
import { translationStatus } from '../translate.js';
import { REFUSED_COMMANDS } from '../grammar/table.js';
import { argvTemplate, compileCall, shapeText, type CallCache, type CallRefusal, type CompiledCall, type RuntimeExpr, type StandIn } from './compile-call.js';
import { isCommonJs, withRequires } from './commonjs.js';
import { applyEdits, leftUnchanged, nestEdits, overlapFinding, type Edit } from './edits.js';
import { addImports } from './imports.js';
import { nodeRedisTransform } from './node-redis-replies.js';
import type { Finding } from './report.js';
import { compileScript, emptyScriptContext, installScript, literal, property, scriptFunctionCall, type ScriptContext } from './scripts.js';
import { renderCall } from './snippet.js';
import { pairWatches, type WatchPair } from './transaction.js';
import type { Transform } from './values.js';
import { descendantsWhere, elementTypes, entryTypes, namesScanCursor, optionalReceiver, SCAN_CURSOR, shortText, somePart, someTypePart, writtenType } from './walk.js';
import { eventListener, type Shutdown } from './lifecycle.js';
import type { CompiledScript } from '../translators/lua/compile.js';

const POOL = 'new pg.Pool({ connectionString: process.env.DATABASE_URL })';

/** Client methods that are not commands: how each converts, or why it does not. */
const LIFECYCLE: Readonly<Record<string, 'connect' | Shutdown>> = {
  connect: 'connect',
  quit: 'quit',
  disconnect: 'end',
  close: 'end',
  destroy: 'now',
};

const REFUSED: Readonly<Record<string, readonly [string, string]>> = {
  WATCH: ['node-redis/watch', 'a WATCH is converted only as an awaited watch() statement followed, in the same block, by the multi() it guards'],
  unwatch: ['node-redis/watch', 'an UNWATCH is converted only between a converted WATCH and its multi(), in a statement of their block'],
  UNWATCH: ['node-redis/watch', 'an UNWATCH is converted only between a converted WATCH and its multi(), in a statement of their block'],
  subscribe: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  pSubscribe: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  sSubscribe: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  unsubscribe: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  pUnsubscribe: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  publish: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  PUBLISH: ['node-redis/pubsub', 'pub/sub has no request/response equivalent in pg calls'],
  duplicate: ['node-redis/duplicate', 'duplicate() opens a second Redis connection; a pg Pool already has several'],
  monitor: ['node-redis/monitor', 'MONITOR has no PostgreSQL equivalent'],
  MONITOR: ['node-redis/monitor', 'MONITOR has no PostgreSQL equivalent'],
  // A method of node-redis' client, not of its command table.
  select: ['node-redis/select', 'SELECT is not converted: only database 0 is modelled (one PostgreSQL schema holds one Redis database)'],
  SELECT: ['node-redis/select', 'SELECT is not converted: only database 0 is modelled (one PostgreSQL schema holds one Redis database)'],
  executeIsolated: ['node-redis/isolated', 'isolated clients are not converted'],
  isolated: ['node-redis/isolated', 'isolated clients are not converted'],
  withTypeMapping: ['node-redis/type-mapping', 'type mappings change every reply; not converted'],
};

/** Command modules that block a connection (not converted). */
const BLOCKING: ReadonlySet<string> = new Set(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP']);

/** Script commands: converted through eval()/evalSha() (the script compiled when the codemod runs), not as raw commands. */
const RAW_SCRIPTS: ReadonlySet<string> = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO', 'SCRIPT', 'FUNCTION']);

/**
 * node-redis' scan iterators: the command method each step calls, where its
 * cursor goes among that method's arguments, and what of each reply it
 * yields (node-redis 4, 5; src/codemod/scan-runtime.ts).
 */
const SCAN_ITERATORS: Readonly<Record<string, { readonly method: string; readonly at: number; readonly items: Readonly<Record<4 | 5, 'keys' | 'tuples' | 'entries' | 'members'>> }>> = {
  scanIterator: { method: 'scan', at: 0, items: { 4: 'keys', 5: 'keys' } },
  hScanIterator: { method: 'hScan', at: 1, items: { 4: 'tuples', 5: 'entries' } },
  sScanIterator: { method: 'sScan', at: 1, items: { 4: 'members', 5: 'members' } },
  zScanIterator: { method: 'zScan', at: 1, items: { 4: 'members', 5: 'members' } },
};

/** One command module of node-redis (its JS, loaded from the project's own copy). */
interface CommandModule {
  readonly transformArguments?: (...args: unknown[]) => unknown[];
  readonly parseCommand?: (parser: unknown, ...args: unknown[]) => void;
  readonly transformReply?: unknown;
}

/**
 * A command method's call compiled: its statement, or (`translated`) the
 * argv it is translated from when it runs, the statement depending on values
 * the codemod cannot see (src/codemod/compile-call.ts argvTemplate); and the
 * reply transform of its command module.
 */
type Compiled<R extends Transform | 'plain' = Transform | 'plain'> =
  | { readonly compiled: CompiledCall; readonly reply: R }
  | { readonly translated: string; readonly reply: R };

/** The installed @redis/client the project's types come from. */
interface ClientPackage {
  readonly root: string;
  readonly major: 4 | 5;
  readonly commands: Readonly<Record<string, CommandModule>>;
  /** Each module's name in the table's upper-case keys (the first, in the table's order). */
  readonly keys: ReadonlyMap<CommandModule, string>;
  readonly newParser?: () => { readonly redisArgs: readonly unknown[] };
}

export interface FileResult {
  readonly text: string | null;
  readonly findings: readonly Finding[];
  /** The replacements in the file's text that `text` was made with (the imports it adds or drops aside): where the formatter finds the statements that changed (src/codemod/format-units.ts). */
  readonly edits?: readonly Edit[];
}


/**
 * Convert one source file's node-redis call sites. `major` is the version the
 * project declares (package.json or --client-version); it must match the
 * @redis/client the project's types come from, which decides when undefined.
 *
 *   // const client = createClient(); await client.connect(); await client.sIsMember('s', m)
 *   convertNodeRedisFile(file, 4)
 *   // → const client = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 *   //   await client.query('SELECT 1').then(() => client);
 *   //   await r2s.nodeRedis<boolean>(client, 4, 'SELECT … AS reply', [r2s.text('s'), r2s.bytes(m)], …, 'boolean')
 */
export function convertNodeRedisFile(file: SourceFile, major: 4 | 5 | undefined, scripts: ScriptContext = emptyScriptContext(), calls: CallCache = new Map()): FileResult {
  const findings: Finding[] = [];
  const edits: Edit[] = [];
  const report = (node: Node, rule: string, message: string): void => {
    const { line, column } = file.getLineAndColumnAtPos(node.getStart());
    findings.push({ path: file.getFilePath(), line, column, rule, message });
  };
  const packages = new Map<string, ClientPackage | string>();
  /** node-redis' command table for a client or batch of the package at `root`, or why not (reported at `call`). */
  const packageFor = (root: string, call: CallExpression): ClientPackage | undefined => {
    let pkg = packages.get(root);
    if (pkg === undefined) {
      pkg = loadClientPackage(root);
      packages.set(root, pkg);
    }
    if (typeof pkg === 'string') {
      report(call, 'node-redis/not-installed', pkg);
      return undefined;
    }
    if (major !== undefined && pkg.major !== major) {
      report(call, 'node-redis/version', `the project declares node-redis ${major}, but its types come from @redis/client of node-redis ${pkg.major}`);
      return undefined;
    }
    return pkg;
  };
  // The package roots of the declaration files the file's client types come from, read from disk once per file.
  const roots = new Map<string, string | undefined>();
  const watches = pairWatches(file, (t) => clientRoot(t, roots) !== undefined);
  // createClient() calls converted: the defineScript() calls inside them are rewritten with them.
  const clientRanges: Edit[] = [];

  const checker = file.getProject().getTypeChecker().compilerObject;
  for (const node of descendantsWhere(file, (n) => mayBeNodeRedis(checker, n))) {
    if (Node.isCallExpression(node) && isCreateClient(node, roots)) {
      const created = convertCreateClient(node);
      if ('rule' in created) report(node, created.rule, created.message);
      else {
        edits.push(created);
        clientRanges.push(created);
      }
    } else if (Node.isIdentifier(node) && isDefineScript(node) && !clientRanges.some((r) => node.getStart() >= r.start && node.getEnd() <= r.end)) {
      edits.push({ start: node.getStart(), end: node.getEnd(), text: 'r2s.nodeRedisDefineScript' });
    } else if (Node.isCallExpression(node) && isCreateCluster(node)) {
      report(node, 'node-redis/cluster', 'cluster clients are not converted (PostgreSQL has no cluster topology to mirror)');
    } else if (Node.isTypeReference(node) && clientRoot(node.getType(), roots) !== undefined) {
      edits.push({ start: node.getStart(), end: node.getEnd(), text: 'pg.Pool' });
    } else if (Node.isTypeReference(node) && multiRoot(node.getType(), roots) !== undefined) {
      edits.push({ start: node.getStart(), end: node.getEnd(), text: 'r2s.NodeRedisBatch' });
    } else if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) {
      const optional = optionalReceiver(node.compilerNode);
      const type = optional ? node.getExpression().getType().getNonNullableType() : node.getExpression().getType();
      // A type parameter constrained to a client is the client where the call runs.
      const apparent = type.isTypeParameter() ? (type.getConstraint() ?? type) : type;
      const batchRoot = multiRoot(apparent, roots);
      const root = batchRoot ?? clientRoot(apparent, roots);
      if (root === undefined) {
        if (Node.isPropertyAccessExpression(node) && somePart(type, (t) => clientRoot(t, roots) !== undefined || multiRoot(t, roots) !== undefined)) {
          report(node, 'node-redis/client-type', `'${node.getName()}' of ${shortText(node.getExpression())} is not converted: a node-redis client or multi() is only a part of its type (a union, a mapped type…)`);
        } else if (Node.isElementAccessExpression(node) && somePart(type, (t) => clientRoot(t, roots) !== undefined || multiRoot(t, roots) !== undefined)) {
          report(node, 'node-redis/element-access', 'a member of a node-redis client read by element access (x[name]) is not converted');
        }
        continue;
      }
      if (!Node.isPropertyAccessExpression(node)) {
        report(node, 'node-redis/element-access', `a member of a node-redis ${batchRoot === undefined ? 'client' : 'multi()'} read by element access (x[name]) is not converted`);
        continue;
      }
      const call = node.getParent();
      const method = node.getName();
      if (optional) {
        report(node, 'node-redis/optional-chain', `'${method}' in an optional chain (?.) is not converted: the converted call would run where the chain yields undefined`);
        continue;
      }
      if (batchRoot === undefined && (method === 'isOpen' || method === 'isReady')) {
        // The client's state, as the converted connect() and shutdown calls keep it for the pool (src/codemod/lifecycle-runtime.ts).
        edits.push({ start: node.getStart(), end: node.getEnd(), text: `r2s.nodeRedis${method === 'isOpen' ? 'IsOpen' : 'IsReady'}(${node.getExpression().getText()})` });
        continue;
      }
      if (!Node.isCallExpression(call) || call.getExpression() !== node) {
        report(node, 'node-redis/property', `'${method}' of a node-redis ${batchRoot === undefined ? 'client' : 'multi()'} is not a command call`);
        continue;
      }
      const pkg = packageFor(root, call);
      if (pkg === undefined) continue;
      const receiver = node.getExpression().getText();
      let converted: Edit | CallRefusal | null;
      if (batchRoot !== undefined) converted = convertBatchCall(call, method, pkg, scripts, calls);
      else if (method === 'multi' || method === 'MULTI') {
        const watch = watches.find((w) => w.multi === call);
        converted =
          call.getArguments().length > 0
            ? { rule: 'node-redis/multi', message: `${method}() with arguments is not converted` }
            : { start: call.getStart(), end: call.getEnd(), text: `r2s.nodeRedisMulti(${receiver}, ${pkg.major}${watch === undefined ? '' : `, ${watch.name}`})` };
      } else if (method === 'watch') {
        const watch = watches.find((w) => w.watch === call);
        converted = watch === undefined ? { rule: 'node-redis/watch', message: REFUSED['WATCH']![1] } : convertWatch(watch, receiver);
      } else if ((method === 'unwatch' || method === 'UNWATCH') && watches.some((w) => w.unwatches.includes(call))) {
        const unwatched = watches.find((w) => w.unwatches.includes(call))!;
        converted = call.getArguments().length > 0 ? { rule: 'node-redis/watch', message: 'unwatch() with arguments is not converted' } : { start: call.getStart(), end: call.getEnd(), text: `r2s.unwatch(${unwatched.name})` };
      } else if (method === 'executeIsolated' && pkg.major === 4) {
        const isolated = convertIsolated(call, receiver);
        if ('rule' in isolated) converted = isolated;
        else {
          edits.push(...isolated);
          continue;
        }
      } else converted = convertCall(call, method, receiver, pkg, scripts, calls);
      if (converted === null) continue;
      if ('rule' in converted) report(call, converted.rule, converted.message);
      else edits.push(converted);
    }
  }
  if (edits.length === 0 && findings.length === 0) return { text: null, findings };
  if (leftUnchanged(file, findings, report, 'node-redis')) return { text: null, findings };
  // A call on a converted receiver (`createClient().on('error', f).connect()`) or in a converted call's arguments: converted in its copy there.
  const nested = nestEdits(file.getFullText(), edits);
  if (nested === undefined) {
    findings.push(overlapFinding(file, edits, 'node-redis')!);
    return { text: null, findings };
  }
  if (isCommonJs(file)) return { text: withRequires(file, nested, ['redis', '@redis/client']), findings, edits: nested };
  const text = applyEdits(file.getFullText(), nested);
  return { text: addImports(file, text, ['redis', '@redis/client']), findings, edits: nested };
}

/**
 * The type a node-redis call's promise (or iterator) yields, written where
 * the call is, for the converted call's type argument; undefined in
 * JavaScript, which has none, and where the type cannot be written there (a
 * script's recursive reply type the checker prints cut short): the converted
 * call's type is then inferred.
 */
function yieldedType(call: CallExpression): string | undefined {
  if (/\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath())) return undefined;
  const type = call.getType().getTypeArguments()[0];
  return type === undefined ? undefined : writtenType(type, call);
}

function convertCall(call: CallExpression, method: string, receiver: string, pkg: ClientPackage, scripts: ScriptContext, calls: CallCache): Edit | CallRefusal {
  const range = { start: call.getStart(), end: call.getEnd() };
  const lifecycle = LIFECYCLE[method];
  if (lifecycle !== undefined) {
    if (call.getArguments().length > 0) return { rule: 'node-redis/lifecycle', message: `${method}() with arguments is not converted` };
    // connect() resolves to the client once it can reach the server: the pool checks the database answers. Both keep the client's isOpen and isReady.
    return { ...range, text: lifecycle === 'connect' ? `r2s.nodeRedisConnect(${receiver})` : `r2s.nodeRedisShutdown(${receiver}, '${lifecycle}')` };
  }
  if (method === 'on' || method === 'once') return eventListener(call, 'node-redis');
  if (pkg.commands[method] === undefined && REFUSED[method] === undefined) {
    const script = scriptCall(call, method, scripts);
    if (script !== undefined) {
      if ('rule' in script) return script;
      const type = yieldedType(call);
      return { ...range, text: `r2s.nodeRedisScript${type === undefined ? '' : `<${type}>`}(${receiver}, ${pkg.major}, ${script.args})` };
    }
  }
  const iterator = SCAN_ITERATORS[method];
  if (iterator !== undefined) return convertScanIterator(call, method, iterator, receiver, pkg, scripts, calls);
  const typeArg = yieldedType(call);
  const render = (compiled: Compiled): string =>
    'translated' in compiled
      ? `r2s.nodeRedisTranslated${typeArg === undefined ? '' : `<${typeArg}>`}(${receiver}, ${pkg.major}, ${compiled.translated}${compiled.reply === 'plain' ? '' : `, '${compiled.reply}'`})`
      : renderCall({
          receiver,
          compiled: compiled.compiled,
          flavour: pkg.major === 4 ? 'node-redis4' : 'node-redis5',
          ...(compiled.reply === 'plain' ? {} : { transform: compiled.reply }),
          ...(typeArg === undefined ? {} : { typeArg }),
        });
  // sendCommand([name, …args]): the command as it is, its reply untransformed (as node-redis 4 and 5 resolve it).
  if (method === 'sendCommand') {
    const compiled = compileRawCommand(call, method, calls, 'node-redis/send-command');
    return 'rule' in compiled ? compiled : { ...range, text: render(compiled) };
  }
  const text = compileChosen((choices) => compileCommand(call, method, pkg, scripts, calls, undefined, choices), render);
  return typeof text === 'string' ? { ...range, text } : text;
}

/** At most this many statements for one call whose values known only at run time choose among them. */
const MAX_CASES = 4;

/**
 * A call compiled under every combination of the cases of the values that
 * decide its statement (Choices), as one expression that tests them when it
 * runs and makes the call with that combination's statement; a call without
 * such values is its one statement. The tests only read values (plain
 * references, pure conditions), so that reading them before the call's
 * arguments, and again in them, changes nothing.
 *
 *   // client.set(key, v, { EX: ttl })  with ttl: number | undefined
 *   → '(ttl === undefined ? r2s.nodeRedis(client, 4, "…", [r2s.text(key), …]) : r2s.nodeRedis(client, 4, "…expire_at…", [r2s.text(key), …, r2s.integer(ttl)]))'
 */
function compileChoices<T extends object>(
  chosen: ReadonlyMap<Node, number>,
  compile: (choices: Choices) => T | CallRefusal,
  render: (compiled: T) => string,
  count = { statements: 1 },
  path = '',
  numbers = false,
): string | CallRefusal {
  const choices: Choices = { chosen, numbers };
  const compiled = compile(choices);
  const found = choices.found;
  if (found === undefined) {
    if (!('rule' in compiled)) return render(compiled);
    if (chosen.size === 0) return compiled;
    // A case the client's transform or Redis refuses: the choice is reported, with why.
    return { rule: 'node-redis/runtime-options', message: `values known only at run time choose this call's statement, and one of their cases (${path}) is not converted: ${compiled.message}` };
  }
  count.statements += found.tests.length - 1;
  if (count.statements > MAX_CASES) return { rule: 'node-redis/runtime-options', message: `values known only at run time choose among more than ${MAX_CASES} statements for this call; not converted` };
  const branches: string[] = [];
  for (const [i, test] of found.tests.entries()) {
    const when = test ?? `not ${found.tests.slice(0, i).map((t) => `(${t})`).join(' or ')}`;
    const branch = compileChoices(new Map([...chosen, [found.node, i]]), compile, render, count, path === '' ? when : `${path}, ${when}`, numbers);
    if (typeof branch !== 'string') return branch;
    branches.push(branch);
  }
  // test0 ? call0 : test1 ? call1 : … : callN, in parentheses wherever it stands.
  return `(${found.tests.map((test, i) => (test === undefined ? branches[i] : `${test} ? ${branches[i]} : `)).join('')})`;
}

/**
 * compileChoices from no case chosen; where the values decide what the
 * statement's parameters hold (`{ COUNT: n }`, which node-redis leaves out
 * when n is 0), again with numbers as choices too: `!n ? … : …`.
 */
function compileChosen<T extends object>(compile: (choices: Choices) => T | CallRefusal, render: (compiled: T) => string): string | CallRefusal {
  const first = compileChoices(new Map(), compile, render);
  // Refused for its values (in one of its cases, `{ COUNT: n }` with `n?: number`): compiled again; any other refusal stands.
  if (typeof first === 'string' || (first.rule !== 'node-redis/runtime-arguments' && first.rule !== 'node-redis/runtime-options')) return first;
  const again = compileChoices(new Map(), compile, render, undefined, undefined, true);
  return typeof again === 'string' ? again : first;
}

/** Methods of a node-redis multi() that are not queued commands: kept as they are (the runtime's batch has them), or why not. */
const BATCH_METHODS: Readonly<Record<string, string>> = {
  exec: '',
  EXEC: '',
  execTyped: '',
  execAsPipeline: '',
  execAsPipelineTyped: '',
  select: 'SELECT inside a multi() is not converted (one schema holds one database)',
  SELECT: 'SELECT inside a multi() is not converted (one schema holds one database)',
};

/**
 * A method call on a node-redis `multi()` builder: a queued command becomes
 * `add(sql, params, shape, transform)` in place, compiled as the plain call
 * is (src/codemod/transaction-runtime.ts runs the batch); `exec()` and
 * `execAsPipeline()` stay (null).
 *
 *   // client.multi().sIsMember('s', m).exec()   (node-redis 4)
 *   convertBatchCall(<.sIsMember(…)>, 'sIsMember', pkg, scripts, calls)
 *   → { start, end, text: 'add("SELECT … AS reply", [r2s.text("s"), r2s.bytes(m)], { kind: \'scalar\', of: \'integer\' }, \'boolean\')' }
 */
function convertBatchCall(call: CallExpression, method: string, pkg: ClientPackage, scripts: ScriptContext, calls: CallCache): Edit | CallRefusal | null {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return { rule: 'node-redis/multi', message: 'a multi() method called indirectly is not converted' };
  const special = BATCH_METHODS[method];
  if (special === '') return null;
  if (special !== undefined) return { rule: 'node-redis/multi', message: special };
  if (pkg.commands[method] === undefined && method !== 'addCommand' && method !== 'sendCommand') {
    const script = scriptCall(call, method, scripts);
    if (script !== undefined) return 'rule' in script ? script : { start: callee.getNameNode().getStart(), end: call.getEnd(), text: `addScript(${script.args})` };
  }
  // A multi()'s commands take no commandOptions() (node-redis would send the object as an argument).
  const first = call.getArguments()[0];
  if (first !== undefined && commandOptionsOf(first) !== undefined) return { rule: 'node-redis/command-options', message: 'commandOptions() given to a command of a multi() is not converted' };
  const raw = method === 'addCommand' || method === 'sendCommand';
  const compiled = raw ? compileRawCommand(call, method, calls, 'node-redis/multi') : compileCommand(call, method, pkg, scripts, calls);
  // Only the method and its arguments change: the receiver (maybe another queued call) is left to its own edit.
  const range = { start: callee.getNameNode().getStart(), end: call.getEnd() };
  if (!('rule' in compiled)) {
    const transform = compiled.reply === 'plain' ? '' : `, '${compiled.reply}'`;
    if ('translated' in compiled) return { ...range, text: `addTranslated(${compiled.translated}${transform})` };
    return { ...range, text: `add(${JSON.stringify(compiled.compiled.sql)}, ${compiled.compiled.params}, ${shapeText(compiled.compiled.shape)}${transform})` };
  }
  if (raw) return compiled;
  // Options known only at run time that choose the statement: a conditional over the statements, queued as one (addStatement).
  const statement = (c: Compiled): string => {
    const transform = c.reply === 'plain' ? '' : `, transform: '${c.reply}'`;
    if ('translated' in c) return `{ ...r2s.nodeRedisTranslation(${pkg.major}, ${c.translated})${transform} }`;
    return `{ sql: ${JSON.stringify(c.compiled.sql)}, params: ${c.compiled.params}, shape: ${shapeText(c.compiled.shape)}${transform} }`;
  };
  const chosen = compileChosen((choices) => compileCommand(call, method, pkg, scripts, calls, undefined, choices), statement);
  return typeof chosen === 'string' ? { ...range, text: `addStatement(${chosen})` } : chosen;
}

/**
 * `client.sendCommand([...argv])`, `multi().addCommand([...argv])` (node-redis
 * 4) / `.sendCommand([...argv])` (5): the argv as it is, its reply
 * untransformed. The command's name must be a literal.
 */
function compileRawCommand(call: CallExpression, method: string, calls: CallCache, rule: 'node-redis/send-command' | 'node-redis/multi'): Compiled<'plain'> | CallRefusal {
  const [argv, ...rest] = call.getArguments();
  // node-redis 4's options (`{ returnBuffers: true }`, isolated pools) change what it resolves to.
  if (argv === undefined || rest.length > 0) return { rule, message: `${method}() is converted with one argument, an array of the command's arguments` };
  const exprs: RuntimeExpr[] = [];
  const v = argValue(argv, exprs);
  if ('rule' in v) return v;
  if (v.kind !== 'array' || v.items.some((i) => i.kind === 'array' || i.kind === 'object' || i.kind === 'pairs')) {
    return { rule, message: `${method}() is converted when its argument is an array literal of strings` };
  }
  const name = v.items[0];
  if (name === undefined || name.kind !== 'literal' || typeof name.value !== 'string') {
    return { rule, message: `${method}() with a command name known only at run time is not converted` };
  }
  // What the methods would refuse, the raw command refuses too: blocking, pub/sub, WATCH, SELECT; and scripts, whose Lua is compiled through eval().
  const upper = name.value.toUpperCase();
  if (BLOCKING.has(upper)) return { rule: 'node-redis/blocking', message: 'blocking commands are not converted' };
  const refused = REFUSED[upper];
  if (refused !== undefined) return { rule: refused[0], message: refused[1] };
  if (RAW_SCRIPTS.has(upper)) return { rule, message: `${upper} in ${method}() is not converted: eval() and evalSha() are` };
  const build = (standIn: StandIn): readonly string[] => (materialise(v, standIn) as readonly unknown[]).map(String);
  const compiled = compileCall(build, exprs, 'node-redis', calls);
  if (!('sql' in compiled)) {
    const translated = compiled.rule === 'node-redis/runtime-arguments' ? argvTemplate(build, exprs) : undefined;
    return translated === undefined ? compiled : { translated, reply: 'plain' };
  }
  const status = translationStatus(compiled.command.includes(' ') ? compiled.command : compiled.command.split(' ')[0]!);
  if (!status.translated) return { rule: 'node-redis/untranslated', message: `${compiled.command} is not translated: ${status.refusal.refused}` };
  return { compiled, reply: 'plain' };
}

/**
 * A command method's call compiled with its node-redis argument transform,
 * and the reply transform of its command module, or why it is not converted.
 */
function compileCommand(
  call: CallExpression,
  method: string,
  pkg: ClientPackage,
  scripts: ScriptContext,
  calls: CallCache,
  cursor?: { readonly at: number },
  choices?: Choices,
): Compiled | CallRefusal {
  const refused = REFUSED[method];
  if (refused !== undefined) return { rule: refused[0], message: refused[1] };
  const module = pkg.commands[method];
  if (module === undefined) return { rule: 'node-redis/unsupported-method', message: `${method}() is not a node-redis command` };
  const key = moduleKey(pkg, module);
  if (key === undefined) return { rule: 'node-redis/unsupported-method', message: `${method}() is not a node-redis command` };
  if (BLOCKING.has(key)) {
    return { rule: 'node-redis/blocking', message: 'blocking commands are not converted' };
  }
  // A Redis command redis2sql does not translate (GEOADD, PFADD…): the matrix's reason, before any about its reply.
  const untranslated = REFUSED_COMMANDS[key.split(' ')[0]!];
  if (untranslated !== undefined) return { rule: 'node-redis/untranslated', message: `${key} is not translated: ${untranslated}` };
  const flavour = pkg.major === 4 ? 'node-redis4' : 'node-redis5';
  const reply = nodeRedisTransform(key, flavour) ?? (hasTransform(module, pkg.major) ? 'unknown' : 'plain');
  if (reply === 'unknown') return { rule: 'node-redis/reply-transform', message: `node-redis' reply transform of ${key} is not reproduced; not converted` };

  const exprs: RuntimeExpr[] = [];
  const shapes: ArgValue[] = [];
  // EVAL's script is compiled into a function when the codemod runs: it must be known then.
  let script: CompiledScript | undefined;
  // A scan iterator's step: the cursor, a run-time value, among the call's own arguments (a number in node-redis 4, a string of digits in 5).
  const args: (Node | typeof SCAN_CURSOR)[] = [...call.getArguments()];
  // node-redis 4's `commandOptions({ … })` before the arguments: not sent; returnBuffers decodes the reply's strings as Buffers.
  const options = args[0] instanceof Node ? commandOptionsOf(args[0]) : undefined;
  let buffers = false;
  if (options !== undefined) {
    if ('rule' in options) return options;
    if (cursor !== undefined) return { rule: 'node-redis/command-options', message: 'commandOptions() given to a scan iterator is not converted' };
    args.shift();
    buffers = options.returnBuffers;
    if (buffers && reply !== 'plain') return { rule: 'node-redis/command-options', message: `commandOptions({ returnBuffers: true }) is converted for commands whose reply node-redis does not transform; ${key}'s is` };
  }
  if (cursor !== undefined) args.splice(cursor.at, 0, SCAN_CURSOR);
  for (const [i, arg] of args.entries()) {
    if (arg === SCAN_CURSOR) {
      exprs.push({ expr: SCAN_CURSOR, numeric: true, plain: true, unread: true });
      shapes.push(pkg.major === 4 ? { kind: 'expr', index: exprs.length - 1 } : { kind: 'expr', index: exprs.length - 1, asText: true });
      continue;
    }
    if (key === 'EVAL' && i === 0) {
      const source = literal(arg);
      if (source === undefined) return { rule: 'node-redis/script', message: 'eval() is converted when its script is known when the codemod runs (a literal or a const)' };
      const compiled = compileScript(source);
      if ('message' in compiled) return { rule: 'node-redis/script', message: `the script is not compiled: ${compiled.message}` };
      script = compiled;
      shapes.push({ kind: 'literal', value: source });
      continue;
    }
    const v = argValue(arg, exprs, choices);
    if ('rule' in v) {
      if (v.rule === 'node-redis/callback' && i < args.length - 1) return { rule: 'node-redis/function-arg', message: 'a function argument is not converted' };
      return v;
    }
    shapes.push(v);
  }
  const build = (standIn: StandIn): readonly string[] => {
    const args = shapes.map((s) => materialise(s, standIn));
    const argv = runTransform(pkg, module, args).map((a, i) => {
      // node-redis' encoder throws on anything else (a number where the command module did not convert one).
      if (typeof a !== 'string' && !Buffer.isBuffer(a)) throw new TypeError(`argument ${i} would be a ${typeof a}, which node-redis refuses to send`);
      return Buffer.isBuffer(a) ? a.toString('utf8') : a;
    });
    // The script runs by its sha, as EVALSHA would, and is created again after SCRIPT FLUSH as EVAL would (scriptFunctionCall; the schema gets its DDL).
    return script === undefined ? argv : ['EVALSHA', script.sha, ...argv.slice(2)];
  };
  const compiled = compileCall(build, exprs, 'node-redis', calls);
  if (!('sql' in compiled)) {
    // Translated when it runs: one statement's argv (in each case of the values that choose among them; no scan step, no script compiled ahead).
    const fixed = script === undefined && cursor === undefined;
    const translated = fixed && compiled.rule === 'node-redis/runtime-arguments' ? argvTemplate(build, exprs) : undefined;
    return translated === undefined ? compiled : { translated, reply: buffers ? 'buffers' : reply };
  }
  if (script !== undefined) {
    const direct = scriptFunctionCall(compiled, script, scripts);
    return 'rule' in direct ? { rule: 'node-redis/script', message: direct.message } : { compiled: direct, reply };
  }
  const command = compiled.command.split(' ')[0]!;
  const status = translationStatus(compiled.command.includes(' ') ? compiled.command : command);
  if (!status.translated) return { rule: 'node-redis/untranslated', message: `${compiled.command} is not translated: ${status.refusal.refused}` };
  return { compiled, reply: buffers ? 'buffers' : reply };
}

/**
 * `commandOptions({ returnBuffers: true })` (node-redis 4, from `redis` or
 * `@redis/client`) as a call's first argument: what it asks for, or why it
 * is not converted; undefined for any other argument. `isolated` runs the
 * command on a connection of its own, which a pooled statement already has.
 *
 *   commandOptionsOf(<commandOptions({ returnBuffers: true })>)  → { returnBuffers: true }
 */
function commandOptionsOf(arg: Node): { readonly returnBuffers: boolean } | CallRefusal | undefined {
  if (!Node.isCallExpression(arg)) return undefined;
  const symbol = arg.getExpression().getSymbol();
  const target = symbol?.getAliasedSymbol() ?? symbol;
  if (target?.getName() !== 'commandOptions' || !target.getDeclarations().some((d) => /[\\/]@redis[\\/]client[\\/]/.test(d.getSourceFile().getFilePath()))) return undefined;
  const [options, ...rest] = arg.getArguments();
  const refuse: CallRefusal = { rule: 'node-redis/command-options', message: 'commandOptions() is converted when given an object literal whose returnBuffers and isolated are true or false' };
  if (options === undefined || rest.length > 0 || !Node.isObjectLiteralExpression(options)) return refuse;
  let returnBuffers = false;
  for (const p of options.getProperties()) {
    const value = Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
    const name = Node.isPropertyAssignment(p) ? p.getName() : undefined;
    if (value === undefined || (name !== 'returnBuffers' && name !== 'isolated') || !(Node.isTrueLiteral(value) || Node.isFalseLiteral(value))) return refuse;
    if (name === 'returnBuffers') returnBuffers = Node.isTrueLiteral(value);
  }
  return { returnBuffers };
}

/**
 * `client.scanIterator(options)` (`hScanIterator(key, options)`…): the
 * runtime's iterator, each step the converted SCAN call from the cursor the
 * last one gave (node-redis' own loop, src/codemod/scan-runtime.ts). The
 * type of what it yields stays the client's.
 *
 *   // for await (const key of client.scanIterator({ MATCH: 'user:*' }))   (node-redis 4)
 *   → r2s.nodeRedisScanIterator<string>(4, (r2sCursor) => r2s.nodeRedis(client, 4, "SELECT …", [r2s.integer(r2sCursor), …], …, 'scan'), 'keys')
 */
function convertScanIterator(
  call: CallExpression,
  method: string,
  iterator: (typeof SCAN_ITERATORS)[string],
  receiver: string,
  pkg: ClientPackage,
  scripts: ScriptContext,
  calls: CallCache,
): Edit | CallRefusal {
  const options = call.getArguments()[iterator.at];
  // node-redis 5 starts from `options.cursor`; the step's own name must not hide one of the call's.
  if (options !== undefined && Node.isObjectLiteralExpression(options) && options.getProperty('cursor') !== undefined) {
    return { rule: 'node-redis/iterator', message: `${method}() from a cursor other than 0 is not converted` };
  }
  if (namesScanCursor(call.getArguments())) {
    return { rule: 'node-redis/iterator', message: `${method}() whose arguments name '${SCAN_CURSOR}' is not converted` };
  }
  // Each step the converted SCAN call, or a conditional over its statements where the options' values choose among them (`{ COUNT: n }`).
  let plain = false;
  const render = (c: Compiled): string => {
    // A scan step always compiles ahead (a statement translated when it runs has no cursor to carry).
    if ('translated' in c || c.reply === 'plain') {
      plain = true;
      return '';
    }
    return renderCall({ receiver, compiled: c.compiled, flavour: pkg.major === 4 ? 'node-redis4' : 'node-redis5', transform: c.reply });
  };
  const step = compileChosen((choices) => compileCommand(call, iterator.method, pkg, scripts, calls, { at: iterator.at }, choices), render);
  if (typeof step !== 'string') return step;
  if (plain) return { rule: 'node-redis/iterator', message: `${method}()'s steps have no reply transform to read their cursor from` };
  const yielded = yieldedType(call);
  return { start: call.getStart(), end: call.getEnd(), text: `r2s.nodeRedisScanIterator${yielded === undefined ? '' : `<${yielded}>`}(${pkg.major}, (${SCAN_CURSOR}) => ${step}, '${iterator.items[pkg.major]}')` };
}

/**
 * `createClient(…)` → the pool; with `scripts`, the pool carrying their
 * definitions (`r2s.nodeRedisScripts`), whose transforms run at run time as
 * node-redis runs them; `defineScript` becomes the runtime's.
 *
 *   // createClient({ scripts: { add: defineScript({ SCRIPT, NUMBER_OF_KEYS: 1, transformArguments }) } })
 *   → r2s.nodeRedisScripts(new pg.Pool(…), { add: r2s.nodeRedisDefineScript({ SCRIPT, NUMBER_OF_KEYS: 1, transformArguments }) })
 */
function convertCreateClient(call: CallExpression): Edit | CallRefusal {
  const range = { start: call.getStart(), end: call.getEnd() };
  const [options] = call.getArguments();
  const scripts = options !== undefined && Node.isObjectLiteralExpression(options) ? options.getProperty('scripts') : undefined;
  if (scripts === undefined) return { ...range, text: POOL };
  if (!Node.isPropertyAssignment(scripts) && !Node.isShorthandPropertyAssignment(scripts)) {
    return { rule: 'node-redis/script', message: "createClient()'s scripts are converted when given as a property" };
  }
  const value = Node.isPropertyAssignment(scripts) ? scripts.getInitializerOrThrow() : scripts.getNameNode();
  let text = value.getText();
  const at = value.getStart();
  for (const id of value.getDescendantsOfKind(SyntaxKind.Identifier).filter(isDefineScript).reverse()) {
    text = text.slice(0, id.getStart() - at) + 'r2s.nodeRedisDefineScript' + text.slice(id.getEnd() - at);
  }
  return { ...range, text: `r2s.nodeRedisScripts(${POOL}, ${text})` };
}

/** Whether `id` is a call of node-redis' `defineScript` (imported from `redis` or `@redis/client`). */
function isDefineScript(id: Node): boolean {
  if (!Node.isIdentifier(id) || id.getText() !== 'defineScript') return false;
  const parent = id.getParent();
  if (!Node.isCallExpression(parent) || parent.getExpression() !== id) return false;
  return (id.getSymbol()?.getDeclarations() ?? []).some((d) => {
    const decl = Node.isImportSpecifier(d) ? d.getImportDeclaration() : undefined;
    if (decl !== undefined) return ['redis', '@redis/client'].includes(decl.getModuleSpecifierValue());
    // CommonJS: `const { defineScript } = require('redis')`.
    const init = Node.isBindingElement(d) ? d.getFirstAncestorByKind(SyntaxKind.VariableDeclaration)?.getInitializer() : undefined;
    return init !== undefined && /^require\(\s*['"](redis|@redis\/client)['"]\s*\)$/.test(init.getText());
  });
}

/**
 * A call of a script the client was created with (`client.add(k, 5)`,
 * found through the type: the property's declaration is the `defineScript`
 * call): the runtime call's arguments after the client, the script compiled
 * into its function (its DDL collected); undefined when `method` is no script.
 *
 *   scriptCall(<client.add(k, 5)>, 'add', scripts)  → { args: "'add', [k, 5]" }
 */
function scriptCall(call: CallExpression, method: string, scripts: ScriptContext): { readonly args: string } | CallRefusal | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const declarations = callee.getNameNode().getSymbol()?.getDeclarations() ?? [];
  const definition = declarations.find((d) => Node.isPropertyAssignment(d) || Node.isShorthandPropertyAssignment(d));
  if (definition === undefined) return undefined;
  const refuse = (why: string): CallRefusal => ({ rule: 'node-redis/script', message: `the script '${method}' is converted when ${why}` });
  let init: Node | undefined = Node.isPropertyAssignment(definition) ? definition.getInitializer() : definition.getNameNode();
  if (init !== undefined && Node.isIdentifier(init)) {
    const decl = init.getSymbol()?.getValueDeclaration();
    init = Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getDeclarationKind() === 'const' ? decl.getInitializer() : undefined;
  }
  if (init === undefined || !Node.isCallExpression(init) || !isDefineScript(init.getExpression())) return refuse('it is defined by defineScript({ … }) where the client is created');
  const [def] = init.getArguments();
  if (def === undefined || !Node.isObjectLiteralExpression(def)) return refuse('defineScript() is given an object literal');
  const source = property(def, 'SCRIPT');
  if (source === undefined) return refuse('its SCRIPT is known when the codemod runs (a literal or a const)');
  const keys = def.getProperty('NUMBER_OF_KEYS');
  if (keys !== undefined && (property(def, 'NUMBER_OF_KEYS') === undefined || !Number.isInteger(Number(property(def, 'NUMBER_OF_KEYS'))))) {
    return refuse('its NUMBER_OF_KEYS is a literal');
  }
  const script = compileScript(source);
  if ('message' in script) return { rule: 'node-redis/script', message: `the script '${method}' is not compiled: ${script.message}` };
  installScript(scripts, script);
  const args = call.getArguments().map((a) => a.getText());
  return { args: `${JSON.stringify(method)}, [${args.join(', ')}]` };
}

/**
 * node-redis 4's `client.executeIsolated(fn)`: `fn` called with the pool
 * itself. The isolated connection exists for WATCH, whose converted form (a
 * version check, src/codemod/transaction.ts) needs no connection of its own;
 * the callback's uses of its client convert as any client's do.
 *
 *   // await client.executeIsolated(async (isolated) => { … })
 *   convertIsolated(call, 'client')  → { …, text: '(async (isolated) => { … })(client)' }
 */
function convertIsolated(call: CallExpression, receiver: string): readonly Edit[] | CallRefusal {
  const args = call.getArguments();
  const fn = args[0];
  if (args.length !== 1 || fn === undefined || !(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isIdentifier(fn))) {
    return { rule: 'node-redis/isolated', message: 'executeIsolated() is converted with one argument, a function (no isolation options)' };
  }
  // Two edits around the function, whose body is left to its own edits.
  const paren = Node.isIdentifier(fn) ? '' : '(';
  return [
    { start: call.getStart(), end: fn.getStart(), text: paren },
    { start: fn.getEnd(), end: call.getEnd(), text: `${paren === '' ? '' : ')'}(${receiver})` },
  ];
}

/**
 * The statement a paired `await client.watch(keys);` becomes: the keys' versions read into the pair's name.
 *
 *   convertWatch(pair, 'client')  → { …, text: 'const r2sWatch1 = await r2s.nodeRedisWatch(client, ["a", "b"]);' }
 */
function convertWatch(pair: WatchPair, receiver: string): Edit | CallRefusal {
  const args = pair.watch.getArguments();
  if (args.length !== 1) return { rule: 'node-redis/watch', message: 'watch() is converted with one argument (a key or an array of keys)' };
  const statement = pair.watch.getParentOrThrow().getParentOrThrow();
  return { start: statement.getStart(), end: statement.getEnd(), text: `const ${pair.name} = await r2s.nodeRedisWatch(${receiver}, ${args[0]!.getText()});` };
}

/** An argument's value as the codemod sees it: literal data with holes for run-time expressions. */
type ArgValue =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null | undefined }
  /** `asText`: given to the client as a string of its digits (node-redis 5's scan cursor), a number to the statement. */
  | { readonly kind: 'expr'; readonly index: number; readonly asText?: true }
  | { readonly kind: 'array'; readonly items: readonly ArgValue[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, ArgValue])[] }
  /** An object or Map known only at run time, whose fields and values the command's transform sends as arguments. */
  | { readonly kind: 'pairs'; readonly index: number; readonly map: boolean }
  /** An array known only at run time spread into an array literal (`[key, ...others]`): its elements, in place. */
  | { readonly kind: 'spread'; readonly index: number };

function argValue(node: Node, exprs: RuntimeExpr[], choices?: Choices): ArgValue | CallRefusal {
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return { kind: 'literal', value: node.getLiteralValue() };
  if (Node.isNumericLiteral(node)) return { kind: 'literal', value: node.getLiteralValue() };
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken) {
    // Looked at for a literal only: its expressions are not the call's (the negation is one, below).
    const inner = argValue(node.getOperand(), []);
    if ('kind' in inner && inner.kind === 'literal' && typeof inner.value === 'number') return { kind: 'literal', value: -inner.value };
  }
  if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node)) return { kind: 'literal', value: Node.isTrueLiteral(node) };
  if (Node.isNullLiteral(node)) return { kind: 'literal', value: null };
  // The globals, unless the file declares its own of those names.
  if (Node.isIdentifier(node) && (node.getText() === 'undefined' || node.getText() === 'Infinity')) {
    const own = node.getSymbol()?.getDeclarations().some((d) => !d.getSourceFile().isDeclarationFile()) === true;
    if (!own) return { kind: 'literal', value: node.getText() === 'Infinity' ? Infinity : undefined };
  }
  if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node)) return argValue(node.getExpression(), exprs, choices);
  // `ttl ? { EX: ttl } : undefined`: each branch its own statement, the condition choosing one when the call runs
  // (one whose branches are strings or numbers is a value like any other, below).
  if (Node.isConditionalExpression(node) && choices !== undefined && scalarKind(members(node.getType())) === undefined) {
    if (!pure(node.getCondition())) return { rule: 'node-redis/runtime-options', message: `the condition '${shortText(node.getCondition())}' is not a plain reading of values; not converted` };
    const branches = [node.getWhenTrue(), node.getWhenFalse()];
    return choose(choices, node, [node.getCondition().getText(), undefined], (i) => argValue(branches[i]!, exprs, choices));
  }
  if (Node.isArrayLiteralExpression(node)) {
    const items: ArgValue[] = [];
    for (const e of node.getElements()) {
      if (Node.isSpreadElement(e)) {
        // Its elements among the others of one list: one list parameter where the statement takes them so (compileCall checks).
        const spread = e.getExpression();
        const type = spread.getType();
        if (!((type.isArray() || type.isTuple()) && stringElements(type))) {
          return { rule: 'node-redis/spread', message: 'a spread element other than an array of strings or Buffers (an iterable, a string) is not converted' };
        }
        exprs.push({ expr: spread.getText(), numeric: false, plain: isPlainReference(spread), spread: true });
        items.push({ kind: 'spread', index: exprs.length - 1 });
        continue;
      }
      const v = argValue(e, exprs, choices);
      if ('rule' in v) return v;
      items.push(v);
    }
    return { kind: 'array', items };
  }
  if (Node.isObjectLiteralExpression(node)) {
    const entries: [string, ArgValue][] = [];
    for (const p of node.getProperties()) {
      if (Node.isPropertyAssignment(p) && (Node.isIdentifier(p.getNameNode()) || Node.isStringLiteral(p.getNameNode()))) {
        const v = argValue(p.getInitializerOrThrow(), exprs, choices);
        if ('rule' in v) return v;
        entries.push([p.getName().replace(/^['"]|['"]$/g, ''), v]);
      } else if (Node.isShorthandPropertyAssignment(p)) {
        const v = argValue(p.getNameNode(), exprs, choices);
        if ('rule' in v) return v;
        entries.push([p.getName(), v]);
      } else return { rule: 'node-redis/object-arg', message: 'an option object with computed, spread or method members is not converted' };
    }
    return { kind: 'object', entries };
  }
  const type = node.getType();
  if (type.getCallSignatures().length > 0) return { rule: 'node-redis/callback', message: 'a function argument is not converted' };
  const scalar = scalarKind(members(type));
  if (scalar === 'number' && choices?.numbers === true && isPlainReference(node)) {
    const text = node.getText();
    return choose(choices, node, [`!${text}`, undefined], (i) => {
      exprs.push(i === 0 ? { expr: text, numeric: false, plain: true, unread: true, falsy: true } : { expr: text, numeric: true, plain: true, nonzero: true });
      return { kind: 'expr', index: exprs.length - 1 };
    });
  }
  if (scalar !== undefined) {
    exprs.push({ expr: node.getText(), numeric: scalar === 'number', plain: isPlainReference(node) });
    return { kind: 'expr', index: exprs.length - 1 };
  }
  // An array of strings and Buffers known only at run time (node-redis sends each as an argument): one list parameter where the statement takes one (compileCall checks).
  if ((type.isArray() || type.isTuple()) && stringElements(type)) {
    exprs.push({ expr: node.getText(), numeric: false, plain: isPlainReference(node), spread: true });
    return { kind: 'expr', index: exprs.length - 1 };
  }
  // An object or Map of strings, numbers and Buffers known only at run time (hSet's, mSet's fields and values): two list parameters where the statement takes them so (compileCall checks).
  // Its stand-in is an object or a Map as it is: the command's own transform reads it (mSet's would send nothing of a Map, and Redis' arity error refuses it).
  if (type.isObject() && !isBuffer(type) && entryTypes(type, node, true)?.every((e) => e.isString() || e.isStringLiteral() || e.isTemplateLiteral() || e.isNumber() || e.isNumberLiteral() || isBuffer(e)) === true) {
    exprs.push({ expr: node.getText(), numeric: false, plain: isPlainReference(node), spread: 'pairs' });
    const name = type.getSymbol()?.getName();
    return { kind: 'pairs', index: exprs.length - 1, map: name === 'Map' || name === 'ReadonlyMap' };
  }
  if (type.isBoolean() || type.isBooleanLiteral() || type.isUnion() || type.isUndefined()) {
    const cases = choices === undefined ? undefined : valueCases(node, type, choices.numbers === true);
    if (choices === undefined || cases === undefined) {
      const why = choices === undefined ? '' : ' (the converted call chooses among statements by a plain reference whose type is undefined, true, false and one kind of string or number)';
      return { rule: 'node-redis/runtime-options', message: `'${node.getText()}' (${type.getText(node)}) chooses the command's options at run time; not converted${why}` };
    }
    const only = cases.length === 1 ? cases[0]!.value : 'choice';
    if (only !== 'choice' && only !== 'value') return { kind: 'literal', value: only };
    return choose(
      choices,
      node,
      cases.map((c) => c.test),
      (i) => {
        const c = cases[i]!;
        if (c.value === 'falsy') exprs.push({ expr: node.getText(), numeric: false, plain: true, unread: true, falsy: true });
        else if (c.value !== 'value') return { kind: 'literal', value: c.value };
        else exprs.push({ expr: node.getText(), numeric: c.numeric, plain: true, ...(c.numeric && choices.numbers === true ? { nonzero: true as const } : {}) });
        return { kind: 'expr', index: exprs.length - 1 };
      },
    );
  }
  return { rule: 'node-redis/object-arg', message: `'${node.getText()}' is an array or object known only at run time; not converted` };
}

/**
 * The values known only at run time that decide a call's statement (an
 * option `{ EX: ttl }` whose `ttl` may be undefined, a flag `{ NX: onlyNew }`,
 * a conditional `ttl ? { EX: ttl } : {}`), each a choice among its cases:
 * `chosen` says which case each takes in the compile under way; a choice met
 * that it does not name is kept in `found` and compiled with its first case.
 * The converted call runs the statement of the cases its values are in
 * (compileChoices).
 */
interface Choices {
  readonly chosen: ReadonlyMap<Node, number>;
  /** A number is a choice too, between its falsy values (0, NaN), which node-redis leaves out of `{ COUNT }`, and the others. */
  readonly numbers?: boolean;
  found?: { readonly node: Node; readonly tests: readonly (string | undefined)[] };
}

/** The case `choices` takes at `node`, whose case i is `pick(i)` and is taken when `tests[i]` holds (the last, undefined: otherwise). */
function choose(choices: Choices, node: Node, tests: readonly (string | undefined)[], pick: (i: number) => ArgValue | CallRefusal): ArgValue | CallRefusal {
  const chosen = choices.chosen.get(node);
  if (chosen !== undefined) return pick(chosen);
  choices.found ??= { node, tests };
  return pick(0);
}

/**
 * A value's cases by its type, each with the test that tells it when the
 * call runs: `undefined`, `true` and `false` are literals the client's
 * transform reads as they are; a string, number or Buffer is the value
 * itself (the last case). One case (a value typed `true`) is no choice.
 * Undefined for a type with other members (null, objects, several kinds of
 * scalar) or for a value that is not a plain reference (it is read by the
 * test and again by the call).
 *
 *   valueCases(<ttl>, number | undefined)  → [{ test: 'ttl === undefined', value: undefined }, { test: undefined, value: 'value', numeric: true }]
 *   valueCases(<nx>, boolean)  → [{ test: 'nx === false', value: false }, { test: undefined, value: true }]
 */
function valueCases(node: Node, type: Type, numbers = false): readonly { readonly test: string | undefined; readonly value: undefined | boolean | 'value' | 'falsy'; readonly numeric: boolean }[] | undefined {
  if (!isPlainReference(node)) return undefined;
  const text = node.getText();
  const literals: { test: string | undefined; value: undefined | boolean | 'value' | 'falsy'; numeric: boolean }[] = [];
  const values: Type[] = [];
  for (const t of members(type)) {
    if (t.isUndefined()) literals.push({ test: `${text} === undefined`, value: undefined, numeric: false });
    else if (t.isBooleanLiteral()) literals.push({ test: `${text} === ${t.getText()}`, value: t.getText() === 'true', numeric: false });
    else values.push(t);
  }
  const scalar = values.length === 0 ? undefined : scalarKind(values);
  if (values.length > 0 && scalar === undefined) return undefined;
  // With numbers as choices (compileChosen), a number's falsy values (0, NaN) are a case of their own.
  if (scalar === 'number' && numbers) literals.push({ test: `!${text}`, value: 'falsy', numeric: false });
  const cases = [...literals, ...(scalar === undefined ? [] : [{ test: undefined, value: 'value' as const, numeric: scalar === 'number' }])];
  if (cases.length === 0) return undefined;
  return cases.map((c, i) => (i === cases.length - 1 ? { ...c, test: undefined } : c));
}

/**
 * What node-redis sends a value of these types (a type's union members) as:
 * a string (strings, string literals and templates, Buffers) or a number,
 * every one the same; undefined for anything else.
 */
function scalarKind(types: readonly Type[]): 'string' | 'number' | undefined {
  let kind: 'string' | 'number' | undefined;
  for (const t of types) {
    const k = t.isNumber() || t.isNumberLiteral() ? 'number' : t.isString() || t.isStringLiteral() || t.isTemplateLiteral() || isBuffer(t) ? 'string' : undefined;
    if (k === undefined || (kind !== undefined && kind !== k)) return undefined;
    kind = k;
  }
  return kind;
}

/** A type's members: a union's, or the type itself. */
function members(type: Type): readonly Type[] {
  return type.isUnion() ? type.getUnionTypes() : [type];
}

/** An expression that only reads values (no calls, assignments or `new`): evaluated earlier, or once more, it gives the same. */
function pure(node: Node): boolean {
  if (isPlainReference(node) || Node.isLiteralExpression(node) || Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node)) return true;
  if (Node.isParenthesizedExpression(node)) return pure(node.getExpression());
  if (Node.isPrefixUnaryExpression(node)) return (node.getOperatorToken() === SyntaxKind.ExclamationToken || node.getOperatorToken() === SyntaxKind.MinusToken) && pure(node.getOperand());
  if (Node.isTypeOfExpression(node)) return pure(node.getExpression());
  if (Node.isBinaryExpression(node)) return READING_OPERATORS.has(node.getOperatorToken().getKind()) && pure(node.getLeft()) && pure(node.getRight());
  return false;
}

const READING_OPERATORS: ReadonlySet<SyntaxKind> = new Set([
  SyntaxKind.EqualsEqualsEqualsToken,
  SyntaxKind.ExclamationEqualsEqualsToken,
  SyntaxKind.EqualsEqualsToken,
  SyntaxKind.ExclamationEqualsToken,
  SyntaxKind.LessThanToken,
  SyntaxKind.LessThanEqualsToken,
  SyntaxKind.GreaterThanToken,
  SyntaxKind.GreaterThanEqualsToken,
  SyntaxKind.AmpersandAmpersandToken,
  SyntaxKind.BarBarToken,
  SyntaxKind.QuestionQuestionToken,
]);

/** Whether every element of an array or tuple type is a string or a Buffer (node-redis' argument types). */
function stringElements(type: Type): boolean {
  return elementTypes(type).every((e) => e.isString() || e.isStringLiteral() || e.isTemplateLiteral() || isBuffer(e));
}

/** The JS value handed to node-redis' argument transform: literals, stand-ins for expressions. */
function materialise(v: ArgValue, standIn: StandIn): unknown {
  switch (v.kind) {
    case 'literal':
      return v.value;
    case 'expr':
      return v.asText === true ? String(standIn(v.index)) : standIn(v.index);
    case 'array':
      return v.items.flatMap((i): unknown[] => (i.kind === 'spread' ? [...(standIn(i.index) as readonly string[])] : [materialise(i, standIn)]));
    case 'spread':
      return standIn(v.index);
    case 'object':
      return Object.fromEntries(v.entries.map(([k, i]) => [k, materialise(i, standIn)]));
    case 'pairs': {
      // Its stand-in is field, value, field, value…: the object or Map that holds them.
      const flat = standIn(v.index) as readonly string[];
      const entries = Array.from({ length: flat.length / 2 }, (_, j): [string, string] => [flat[2 * j]!, flat[2 * j + 1]!]);
      return v.map ? new Map(entries) : Object.fromEntries(entries);
    }
  }
}

function runTransform(pkg: ClientPackage, module: CommandModule, args: readonly unknown[]): readonly unknown[] {
  if (pkg.major === 4) {
    if (module.transformArguments === undefined) throw new TypeError('the command module has no argument transform');
    return module.transformArguments(...args);
  }
  if (module.parseCommand === undefined || pkg.newParser === undefined) throw new TypeError('the command module has no parseCommand');
  const parser = pkg.newParser();
  module.parseCommand(parser, ...args);
  return parser.redisArgs;
}

function hasTransform(module: CommandModule, major: 4 | 5): boolean {
  const t = module.transformReply as unknown;
  if (typeof t === 'function') return true;
  if (major === 5 && typeof t === 'object' && t !== null) return (t as Record<number, unknown>)[2] !== undefined;
  return false;
}

/** The module's upper-case name in the command table (`ZRANGE_WITHSCORES`). */
function moduleKey(pkg: ClientPackage, module: CommandModule): string | undefined {
  return pkg.keys.get(module);
}

/** The upper-case name of each command module of `commands`: the first such key in the table's order. */
function moduleKeys(commands: Readonly<Record<string, CommandModule>>): ReadonlyMap<CommandModule, string> {
  const keys = new Map<CommandModule, string>();
  for (const [k, module] of Object.entries(commands)) if (k === k.toUpperCase() && !keys.has(module)) keys.set(module, k);
  return keys;
}

/**
 * The package root of the node-redis client class `type` is an instance of
 * (`RedisClientType` declared in `redis` or `@redis/client`), or undefined.
 */
function clientRoot(type: Type, roots: Map<string, string | undefined>): string | undefined {
  if (type.getConstructSignatures().length > 0) return undefined;
  const symbol = type.getAliasSymbol() ?? type.getSymbol();
  if (symbol === undefined || symbol.getName() !== 'RedisClientType') return undefined;
  for (const d of symbol.getDeclarations()) {
    const root = packageRoot(d.getSourceFile().getFilePath(), roots);
    if (root !== undefined) return root;
  }
  return undefined;
}

/**
 * The package root of the node-redis `multi()` builder `type` is (the
 * `RedisClientMultiCommandType` of @redis/client: an intersection holding
 * its RedisClientMultiCommand class), or undefined.
 */
function multiRoot(type: Type, roots: Map<string, string | undefined>): string | undefined {
  if (type.getConstructSignatures().length > 0) return undefined;
  const alias = type.getAliasSymbol();
  const declarations =
    alias !== undefined && /^(Internal)?RedisClientMultiCommandType$/.test(alias.getName())
      ? alias.getDeclarations()
      : (type.isIntersection() ? type.getIntersectionTypes() : [type]).flatMap((part) => part.getSymbol()?.getDeclarations() ?? []);
  for (const d of declarations) {
    const path = d.getSourceFile().getFilePath();
    if (!MULTI_COMMAND.test(path)) continue;
    const root = packageRoot(path, roots);
    if (root !== undefined) return root;
  }
  return undefined;
}

/**
 * Whether the walk of convertNodeRedisFile has to look at a node: a
 * necessary condition of its branches, checked on the compiler's node and
 * type without wrapping either (what clientRoot, multiRoot and
 * isCreateCluster test of the type or a part of it, bar the package it is
 * declared in).
 */
function mayBeNodeRedis(checker: ts.TypeChecker, node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === 'defineScript';
  const typed = ts.isCallExpression(node) || ts.isTypeReferenceNode(node) ? node : ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) ? node.expression : undefined;
  if (typed === undefined) return false;
  // x[0] is no member of a client.
  if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression)) return false;
  const type = optionalReceiver(node) ? checker.getNonNullableType(checker.getTypeAtLocation(typed)) : checker.getTypeAtLocation(typed);
  if (ts.isCallExpression(node)) {
    const name = (type.aliasSymbol ?? type.getSymbol())?.name;
    return name === 'RedisClientType' || name === 'RedisClusterType';
  }
  return someTypePart(checker, type, nodeRedisTyped);
}

/** Whether `type` is a node-redis client or multi(), by its name and, for multi(), where it is declared (clientRoot's and multiRoot's tests, bar the package). */
function nodeRedisTyped(type: ts.Type): boolean {
  const alias = type.aliasSymbol;
  if ((alias ?? type.getSymbol())?.name === 'RedisClientType') return true;
  if (alias !== undefined && /^(Internal)?RedisClientMultiCommandType$/.test(alias.name)) return true;
  return type.getSymbol()?.declarations?.some((d) => MULTI_COMMAND.test(d.getSourceFile().fileName)) === true;
}

/** Where @redis/client declares its multi() builder. */
const MULTI_COMMAND = /[\\/]client[\\/]multi-command\.d\.ts$/;

/** The directory of the `redis` or `@redis/client` package holding `file`, remembered in `roots`. */
function packageRoot(file: string, roots: Map<string, string | undefined>): string | undefined {
  if (roots.has(file)) return roots.get(file);
  let root: string | undefined;
  for (let d = dirname(file); dirname(d) !== d; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (!existsSync(pkg)) continue;
    const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name;
    root = name === 'redis' || name === '@redis/client' ? d : undefined;
    break;
  }
  roots.set(file, root);
  return root;
}

function isCreateClient(call: CallExpression, roots: Map<string, string | undefined>): boolean {
  return clientRoot(call.getType(), roots) !== undefined && /^(createClient|\w+\.createClient|require\(\s*['"](redis|@redis\/client)['"]\s*\)\.createClient)$/.test(call.getExpression().getText());
}

function isCreateCluster(call: CallExpression): boolean {
  const symbol = call.getType().getAliasSymbol() ?? call.getType().getSymbol();
  return symbol?.getName() === 'RedisClusterType';
}

/**
 * node-redis' command table and argument machinery, from the @redis/client
 * the project resolved (the `redis` package's own dependency when the types
 * came from `redis`), or why it cannot be loaded.
 */
function loadClientPackage(root: string): ClientPackage | string {
  try {
    const fromRoot = createRequire(join(root, 'package.json'));
    const clientPkgJson = root.endsWith(join('@redis', 'client')) ? join(root, 'package.json') : fromRoot.resolve('@redis/client/package.json');
    const client = dirname(clientPkgJson);
    const version = (JSON.parse(readFileSync(clientPkgJson, 'utf8')) as { version: string }).version;
    const load = createRequire(clientPkgJson);
    const major = Number(version.split('.')[0]);
    if (major === 1) {
      const cluster = (load(join(client, 'dist/lib/cluster/commands.js')) as { default: Record<string, CommandModule> }).default;
      const server = (load(join(client, 'dist/lib/client/commands.js')) as { default: Record<string, CommandModule> }).default;
      const commands = { ...cluster, ...server };
      return { root: client, major: 4, commands, keys: moduleKeys(commands) };
    }
    if (major === 5) {
      const commands = (load(join(client, 'dist/lib/commands/index.js')) as { default: Record<string, CommandModule> }).default;
      const { BasicCommandParser } = load(join(client, 'dist/lib/client/parser.js')) as { BasicCommandParser: new () => { redisArgs: unknown[] } };
      return { root: client, major: 5, commands, keys: moduleKeys(commands), newParser: () => new BasicCommandParser() };
    }
    return `@redis/client ${version} is not supported (node-redis 4 and 5 are)`;
  } catch (error) {
    return `node-redis' command table could not be loaded from ${root}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function isBuffer(type: Type): boolean {
  return type.getSymbol()?.getName() === 'Buffer';
}

function isPlainReference(node: Node): boolean {
  return Node.isIdentifier(node) || (Node.isPropertyAccessExpression(node) && isPlainReference(node.getExpression())) || Node.isThisExpression(node);
}
