/**
 * ioredis' callback style at the call site: a command's last argument that is
 * a function (`redis.get(key, (err, v) => …)`), and `exec(callback)` of a
 * batch. The converted call hands its promise and the callback to the
 * runtime function that calls it as ioredis did (src/codemod/callback-runtime.ts).
 */
import { Node } from './ts-morph.js';
import type { Expression, Type } from 'ts-morph';
import type { CallRefusal } from './compile-call.js';
import { literalForm } from './walk.js';

/** A call's callback, the runtime function that calls it, and the value type its parameter declares (when not optional). */
export interface Callback {
  readonly node: Node;
  readonly helper: 'ioredisCallback' | 'ioredis4Callback';
  readonly result?: Type;
}

/**
 * The callback `arg` is, when its type is a function's; undefined when it is
 * not one. The converted call evaluates it after the others, once the
 * statement is sent, so it must be an expression whose evaluation does
 * nothing else: a function written there, or a name (`cb`, `this.onReply`).
 * The helper is the one whose callback type is the client's (ioredis 5/6
 * declare its parameters optional, @types/ioredis for ioredis 4 does not), so
 * that the callback's parameters keep their types.
 *
 *   callbackOf(<(err, v) => done(v)>)  → { node, helper: 'ioredisCallback' }   (ioredis 5)
 *   callbackOf(<'k'>)                   → undefined
 *   callbackOf(<make()>)                → { rule: 'ioredis/callback', message: 'a callback given by an expression other than a function or a name is not converted' }
 */
export function callbackOf(arg: Node): Callback | CallRefusal | undefined {
  // A literal or a template is never a function: the checker need not be asked (most last arguments are one).
  if (literalForm(arg.compilerNode) || arg.getType().getCallSignatures().length === 0) return undefined;
  if (!sideEffectFree(arg)) return { rule: 'ioredis/callback', message: 'a callback given by an expression other than a function or a name is not converted' };
  // The client's callback type, `(err?, result?: T) => void` or `(err, res: T) => void` (of an optional parameter: without its undefined).
  const result = (arg as Expression).getContextualType()?.getNonNullableType().getCallSignatures()[0]?.getParameters()[1];
  const declared = result?.getValueDeclaration();
  const optional = declared === undefined || !Node.isParameterDeclaration(declared) || declared.isOptional();
  return { node: arg, helper: optional ? 'ioredisCallback' : 'ioredis4Callback', ...(result === undefined || optional ? {} : { result: result.getTypeAtLocation(arg) }) };
}

/** A function written in place, or a name read through names (`cb`, `this.handlers.reply`). */
function sideEffectFree(node: Node): boolean {
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isIdentifier(node) || Node.isThisExpression(node)) return true;
  return Node.isPropertyAccessExpression(node) && !node.hasQuestionDotToken() && sideEffectFree(node.getExpression());
}
