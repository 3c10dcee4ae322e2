/**
 * ioredis `multi()`, `pipeline()` and `watch()` call sites → the batches of
 * the codemod runtime (src/codemod/transaction-runtime.ts).
 *
 * Each queued command is compiled exactly as a plain call would be (the
 * flavour's compiler is passed in) and becomes `.add(sql, params, shape)` in
 * place, so chains (`redis.multi().set(…).get(…).exec()`) and builder
 * variables (`const m = redis.multi(); m.set(…); await m.exec()`) keep their
 * form; `exec()` stays. A WATCH is converted when it is an awaited statement
 * of the same block as the `multi()` of the same client that follows it (the
 * pattern of optimistic locking, statements that only `unwatch()` in between): it becomes a read of the keys' versions
 * that the multi checks under lock, and `exec()` resolves to null when one
 * changed. A WATCH anywhere else (another function, a branch) depends on
 * which connection runs what, which a pool does not keep: it is reported.
 */
import { Node, SyntaxKind } from './ts-morph.js';
import type { CallExpression, PropertyAccessExpression, SourceFile, Type } from 'ts-morph';
import { callbackOf } from './ioredis-callbacks.js';

/** A replacement of the source text between two positions. */
export interface BatchEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface BatchRefusal {
  readonly rule: string;
  readonly message: string;
}

/**
 * Compiles one command call as the flavour does for a plain call: the
 * argument list after the client (`"SELECT …", [r2s.text(k)], { kind: … }`),
 * that of the runtime's `addTranslated` for a command whose statement depends
 * on values known only at run time (`"lpop", [key, n]`), or why it is not
 * converted.
 */
export type CompileArguments = (call: CallExpression, method: string, args?: readonly Node[]) => { readonly args: string } | { readonly translated: string } | BatchRefusal;

/** The queued command's method call in the converted chain. */
function added(compiled: { readonly args: string } | { readonly translated: string }): string {
  return 'args' in compiled ? `add(${compiled.args})` : `addTranslated(${compiled.translated})`;
}

/** Methods of a batch that are not commands. */
const NOT_COMMANDS: Readonly<Record<string, string>> = {
  exec: '',
  execBuffer: 'execBuffer() is not converted yet',
  length: '',
  discard: 'discard() of a queued transaction is not converted',
  addBatch: 'addBatch() is not converted',
};

/**
 * A method call on an ioredis batch (the object `multi()`/`pipeline()` returned).
 *
 *   // redis.multi().incr('n').exec()   (node: the `.incr` access)
 *   convertBatchMethod(node.getParent(), 'incr', compile)
 *   → { start, end, text: 'add("SELECT redis.incrby($1, $2) AS reply", ["n", "1"], { kind: \'scalar\', of: \'integer\' })' }
 */
export function convertBatchMethod(call: CallExpression, method: string, compile: CompileArguments): BatchEdit | BatchRefusal | null {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return { rule: 'ioredis/multi', message: 'a batch method called indirectly is not converted' };
  const special = NOT_COMMANDS[method];
  if (special === '') {
    if (method === 'exec' && call.getArguments().length > 0) return execWithCallback(call, callee);
    return null;
  }
  if (special !== undefined) return { rule: 'ioredis/multi', message: special };
  const compiled = compile(call, method);
  if ('rule' in compiled) return compiled;
  // Only the method and its arguments change: the receiver (maybe another queued call) is left to its own edit.
  return { start: callee.getNameNode().getStart(), end: call.getEnd(), text: added(compiled) };
}

/**
 * `batch.exec(callback)`: the converted batch's `exec()`, its promise and the
 * callback handed to the runtime function that calls it as ioredis does
 * (src/codemod/ioredis-callbacks.ts). The batch's own edits go inside it, in
 * the receiver's text. ioredis 4's callback type (@types/ioredis) declares
 * the entries' array where the converted batch declares it may be null: that
 * callback would not type-check, and is reported (in TypeScript).
 *
 *   // redis.multi().incr('n').exec((err, res) => done(res))
 *   → r2s.ioredisCallback(redis.multi().incr('n').exec(), (err, res) => done(res))   (the inner edits then made in it)
 */
function execWithCallback(call: CallExpression, callee: PropertyAccessExpression): BatchEdit | BatchRefusal {
  const [callback, ...rest] = call.getArguments();
  const found = callback === undefined || rest.length > 0 ? undefined : callbackOf(callback);
  if (found === undefined) return { rule: 'ioredis/callback', message: 'exec() with arguments other than a callback is not converted' };
  if ('rule' in found) return found;
  if (found.helper !== 'ioredisCallback' && !/\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath())) return { rule: 'ioredis/callback', message: "exec() with a callback typed by @types/ioredis (ioredis 4) is not converted: the converted batch's entries may be null where its type says not" };
  return { start: call.getStart(), end: call.getEnd(), text: `r2s.ioredisCallback(${callee.getExpression().getText()}.exec(), ${found.node.getText()})` };
}

/**
 * `client.multi()` / `client.pipeline()` → the runtime's batch on the pool.
 * Given the commands to queue (`pipeline([['set', 'k', 'v'], ['get', 'k']])`,
 * each a method name and its arguments, which ioredis queues by calling
 * that method), each is compiled as that method's call and added.
 *
 *   convertBatchStart(call, 'multi', 'redis', compile, 'r2sWatch1')  → { …, text: 'r2s.ioredisMulti(redis, r2sWatch1)' }
 *   // redis.pipeline([['incr', 'n']])
 *   convertBatchStart(call, 'pipeline', 'redis', compile)  → { …, text: 'r2s.ioredisPipeline(redis).add("WITH arg AS …", r2s.command(\'incr\', ["n"], …), …)' }
 */
export function convertBatchStart(call: CallExpression, method: 'multi' | 'pipeline', receiver: string, compile: CompileArguments, watch?: string): BatchEdit | BatchRefusal {
  const text = method === 'multi' ? `r2s.ioredisMulti(${receiver}${watch === undefined ? '' : `, ${watch}`})` : `r2s.ioredisPipeline(${receiver})`;
  const [commands, ...rest] = call.getArguments();
  if (commands === undefined) return { start: call.getStart(), end: call.getEnd(), text };
  const refuse = (why: string): BatchRefusal => ({ rule: `ioredis/${method}`, message: `${method}() with ${why} is not converted` });
  if (rest.length > 0 || !Node.isArrayLiteralExpression(commands)) return refuse('options, or commands other than an array literal');
  const queued: string[] = [];
  for (const command of commands.getElements()) {
    if (!Node.isArrayLiteralExpression(command)) return refuse('a queued command other than an array literal');
    const [name, ...args] = command.getElements();
    // ioredis queues it by calling the batch's method of that name: the commands' methods are in lower case.
    const named = name !== undefined && (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) ? name.getLiteralValue() : undefined;
    if (named === undefined || named !== named.toLowerCase() || Object.hasOwn(NOT_COMMANDS, named)) return refuse('a queued command not named by a lower-case literal');
    if (args.some((a) => Node.isSpreadElement(a))) return refuse('a spread among a queued command\'s arguments');
    const compiled = compile(call, named, args);
    if ('rule' in compiled) return compiled;
    queued.push(`.${added(compiled)}`);
  }
  return { start: call.getStart(), end: call.getEnd(), text: text + queued.join('') };
}

/** A WATCH paired with the multi() it guards. */
export interface WatchPair {
  /** The name the versions are kept under (`r2sWatch1`). */
  readonly name: string;
  readonly watch: CallExpression;
  readonly multi: CallExpression;
  /** `unwatch()` calls of the client between the two (an early exit that gives the WATCH up): they forget the versions. */
  readonly unwatches: readonly CallExpression[];
}

/**
 * Pair each `await client.watch(…);` statement with the next `client.multi()`
 * of the same client in the same block (none of the client's watch, unwatch
 * or multi calls in between).
 *
 *   // await redis.watch('k'); const v = await redis.get('k'); const r = await redis.multi().set('k', v).exec();
 *   pairWatches(file, isClient)  → [{ name: 'r2sWatch1', watch: <redis.watch('k')>, multi: <redis.multi()> }]
 */
export function pairWatches(file: SourceFile, isClient: (type: Type) => boolean): WatchPair[] {
  const pairs: WatchPair[] = [];
  // Most files have no WATCH: a text search spares them the walk.
  if (!file.getFullText().includes('watch')) return pairs;
  const taken = new Set(file.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText()));
  let n = 0;
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'watch') continue;
    const await_ = call.getParent();
    const statement = await_?.getParent();
    if (!Node.isAwaitExpression(await_) || !Node.isExpressionStatement(statement)) continue;
    if (!isClient(callee.getExpression().getType())) continue;
    const receiver = callee.getExpression().getText();
    const block = statement.getParent();
    if (block === undefined || !(Node.isBlock(block) || Node.isSourceFile(block))) continue;
    const statements = block.getStatements() as Node[];
    const after = statements.slice(statements.indexOf(statement) + 1);
    let multi: CallExpression | undefined;
    const unwatches: CallExpression[] = [];
    for (const s of after) {
      const calls = s.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
        const e = c.getExpression();
        return Node.isPropertyAccessExpression(e) && ['watch', 'unwatch', 'multi', 'exec'].includes(e.getName()) && e.getExpression().getText() === receiver;
      });
      const names = calls.map((c) => (c.getExpression() as import('ts-morph').PropertyAccessExpression).getName());
      // A statement that only gives the WATCH up (`if (low) { await redis.unwatch(); return; }`): the pair goes on past it.
      if (names.length > 0 && names.every((m) => m === 'unwatch')) {
        unwatches.push(...calls);
        continue;
      }
      const next = calls[0];
      if (next === undefined) continue;
      if (names[0] === 'multi' && isClient((next.getExpression() as import('ts-morph').PropertyAccessExpression).getExpression().getType())) multi = next;
      break;
    }
    if (multi === undefined) continue;
    let name: string;
    do name = `r2sWatch${++n}`;
    while (taken.has(name));
    pairs.push({ name, watch: call, multi, unwatches });
  }
  return pairs;
}

/**
 * An `unwatch()` between a paired WATCH and its multi(): the runtime forgets
 * the versions, so that multi() runs unchecked, as after Redis' UNWATCH.
 *
 *   // if (low) { await redis.unwatch(); return; }
 *   convertUnwatch(pair, call)  → { …, text: 'r2s.unwatch(r2sWatch1)' }
 */
export function convertUnwatch(pair: WatchPair, call: CallExpression): BatchEdit | BatchRefusal {
  if (call.getArguments().length > 0) return { rule: 'ioredis/callback', message: 'calls with a callback are not converted' };
  return { start: call.getStart(), end: call.getEnd(), text: `r2s.unwatch(${pair.name})` };
}

/**
 * The statement a paired WATCH becomes: the keys' versions read into the pair's name.
 *
 *   // await redis.watch('a', keys);
 *   convertWatch(pair, 'redis')  → { …, text: 'const r2sWatch1 = await r2s.ioredisWatch(redis, ["a", keys]);' }
 */
export function convertWatch(pair: WatchPair, receiver: string): BatchEdit | BatchRefusal {
  const args = pair.watch.getArguments();
  const last = args.at(-1);
  if (last !== undefined && last.getType().getCallSignatures().length > 0) return { rule: 'ioredis/callback', message: 'calls with a callback are not converted' };
  const statement = pair.watch.getParentOrThrow().getParentOrThrow();
  const keys = args.map((a) => a.getText()).join(', ');
  return { start: statement.getStart(), end: statement.getEnd(), text: `const ${pair.name} = await r2s.ioredisWatch(${receiver}, [${keys}]);` };
}
