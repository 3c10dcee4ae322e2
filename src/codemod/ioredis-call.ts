/**
 * One ioredis command call → its compiled statement, for every command that
 * has a translator: the method name is the command (`hincrby`, `zrangebyscore`,
 * `xgroup('CREATE', …)`), its `…Buffer` twin the same command with Buffer
 * replies. Arguments are flattened as ioredis flattens them: arrays one level,
 * and the object (field → value) of mset/msetnx/hset/hmset.
 */
import { Node, SyntaxKind, TypeFormatFlags, ts as typescript } from './ts-morph.js';
import type { CallExpression, Type, ts } from 'ts-morph';
import { COMMAND_SPECS, REFUSED_COMMANDS, specOf } from '../grammar/table.js';
import { elementTypes, entryTypes, nameless, namesInScope } from './walk.js';
import { translationStatus } from '../translate.js';
import { commandParams, compileCall, type CallCache, type CallRefusal, type CompiledCall, type RuntimeExpr } from './compile-call.js';

/** ioredis' argument transformers: an object or Map of fields and values in place of the pairs. */
const OBJECT_ARGUMENT: Readonly<Record<string, number>> = { MSET: 0, MSETNX: 0, HSET: 1, HMSET: 1 };

const CONTAINERS: ReadonlySet<string> = new Set(COMMAND_SPECS.map((s) => s.name).filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]!));

export interface IoredisCompiled {
  readonly compiled: CompiledCall;
  /** The argument list after the client: `"SELECT …", [r2s.text(k)], { kind: … }[, 'object']`. */
  readonly args: string;
  /** `<T>` keeping the static type ioredis declared for the value, or ''. */
  readonly typeArg: string;
  readonly as?: 'object' | 'buffer' | 'object-buffer';
}

/**
 * The Redis command an ioredis method runs, and whether its replies are Buffers.
 *
 *   ioredisCommand('zrangebyscore')  → { command: 'ZRANGEBYSCORE', buffers: false }
 *   ioredisCommand('getBuffer')      → { command: 'GET', buffers: true }
 *   ioredisCommand('lrangeWithScores')  → undefined
 */
export function ioredisCommand(method: string): { readonly command: string; readonly buffers: boolean } | undefined {
  const buffers = method.endsWith('Buffer') && method.length > 'Buffer'.length;
  const base = buffers ? method.slice(0, -'Buffer'.length) : method;
  if (base !== base.toLowerCase()) return undefined;
  const command = base.toUpperCase();
  return specOf(command) !== undefined || CONTAINERS.has(command) ? { command, buffers } : undefined;
}

/**
 * Why a call is not compiled, and for one whose statement depends on values
 * known only when it runs, what the runtime translates then, as `exec` does
 * (`r2s.ioredisTranslated(pool, 'lpop', [key, n])`, a batch's
 * `.addTranslated('lpop', [key, n])`).
 */
export type IoredisRefusal = CallRefusal & { readonly atRunTime?: AtRunTime };

/** A command translated when it runs, as JS source: its name (`"lpop"`), its arguments (`[key, n]`), and whether a `…Buffer` method gives Buffers. */
export interface AtRunTime {
  readonly name: string;
  readonly argv: string;
  readonly buffers: boolean;
}

/** The arguments of `r2s.ioredisTranslated` after the client, or of a batch's `addTranslated`: `"lpop", [key, n]` (`, 'buffer'`). */
export function atRunTimeArgs(at: AtRunTime): string {
  return `${at.name}, ${at.argv}${at.buffers ? ", 'buffer'" : ''}`;
}

/** `call(name, …args)` / `callBuffer(name, …args)`: the command's arguments, its name as written, and whether ioredis' transforms by name skip it (a name not in lower case). */
export interface NamedCall {
  /** The arguments: the call's own, tokens the converted code sends, and a scan stream's cursor (a value the converted code makes). */
  readonly args: readonly (Node | { readonly literal: string } | { readonly cursor: string })[];
  readonly name: string;
  readonly raw: boolean;
}

/**
 * Compile an ioredis command call: its arguments, or `own` (the call's
 * without the callback a caller took off), or `named`'s; `untypedCallback`,
 * an untyped last argument compiled as the callback it may be (the runtime
 * decides when the call runs, src/codemod/runtime.ts `command`).
 *
 *   // redis.hincrby(key, 'visits', 1)
 *   compileIoredisMethod(call, 'hincrby')
 *   → { args: '"SELECT … AS reply", [r2s.text(key), Buffer.from("visits"), "1"], { kind: \'scalar\', of: \'integer\' }', typeArg: '<number>', … }
 */
export function compileIoredisMethod(
  call: CallExpression,
  method: string,
  cache?: CallCache,
  types?: TypeTexts,
  named?: NamedCall,
  own: readonly Node[] = call.getArguments(),
  untypedCallback?: Node,
): IoredisCompiled | IoredisRefusal {
  const found = ioredisCommand(method);
  if (found === undefined) {
    // A Redis command redis2sql has no grammar for, since it does not translate it (GEOADD, SETBIT, PFADD…): the reason the matrix gives.
    const base = method.endsWith('Buffer') ? method.slice(0, -'Buffer'.length) : method;
    const refused = base === base.toLowerCase() ? REFUSED_COMMANDS[base.toUpperCase()] : undefined;
    if (refused !== undefined) return { rule: 'ioredis/untranslated', message: `${base.toUpperCase()} is not translated: ${refused}` };
    return { rule: 'ioredis/unsupported-method', message: `${method}() is not a Redis command redis2sql knows` };
  }
  const { command, buffers } = found;
  if (!CONTAINERS.has(command)) {
    const status = translationStatus(command);
    if (!status.translated) return { rule: 'ioredis/untranslated', message: `${command} is not translated: ${status.refusal.refused}` };
  }

  const flat: (Node | { readonly literal: string } | { readonly cursor: string })[] = [];
  // The argument ioredis' HSET/HMSET/MSET/MSETNX transform would send as field, value… pairs were it an object (the last, at its place).
  let pairsAt: Node | undefined;
  const args = named?.args ?? own;
  // ioredis keys its argument and reply transforms by the lower-case name: `call('HSET', …)` sends an object as it is, `call('HGETALL', …)` resolves to the array.
  const objectArgument = named?.raw === true ? undefined : OBJECT_ARGUMENT[command];
  for (const [i, arg] of args.entries()) {
    if (!(arg instanceof Node)) {
      flat.push(arg);
      continue;
    }
    // `del(...keys)` sends what `del(keys)` does (ioredis flattens an array argument one level): the array, as one run-time argument below.
    if (Node.isSpreadElement(arg)) flat.push(arg.getExpression());
    else if (Node.isArrayLiteralExpression(arg)) {
      // `del([key, ...others])` sends what `del(key, ...others)` does: a spread array is one run-time argument among the others.
      for (const element of arg.getElements()) flat.push(Node.isSpreadElement(element) ? element.getExpression() : element);
    } else if (objectArgument === i && args.length === i + 1 && Node.isObjectLiteralExpression(arg)) {
      const pairs = objectPairs(arg);
      if (pairs === undefined) return { rule: 'ioredis/object-arg', message: 'an object argument with computed, spread or method members is not converted' };
      flat.push(...pairs);
    } else {
      if (objectArgument === i && args.length === i + 1) pairsAt = arg;
      flat.push(arg);
    }
  }

  const tokens: ({ readonly literal: string } | { readonly expr: number })[] = [];
  const exprs: RuntimeExpr[] = [];
  // The call's arguments as the generated code evaluates them, once and in order (r2s.command): the parameters read them as a[i].
  const argv: string[] = [];
  for (const [i, arg] of flat.entries()) {
    if ('cursor' in arg) {
      // A number to the statement, which may ignore it (one that answers in one step always gives cursor 0).
      tokens.push({ expr: exprs.length });
      exprs.push({ expr: `a[${argv.length}]`, numeric: true, plain: true, unread: true });
      argv.push(arg.cursor);
      continue;
    }
    const literal = 'literal' in arg ? arg.literal : literalText(arg);
    if (literal !== undefined) {
      tokens.push({ literal });
      argv.push(JSON.stringify(literal));
      continue;
    }
    const node = arg as Node;
    if (Node.isTemplateExpression(node) && !Node.isSpreadElement(node.getParent())) {
      // A string, whatever its parts: no need to ask the checker (keys are mostly templates).
      tokens.push({ expr: exprs.length });
      exprs.push({ expr: `a[${argv.length}]`, numeric: false, plain: true });
      argv.push(node.getText());
      continue;
    }
    const type = node.getType();
    if (Node.isSpreadElement(node.getParent()) && !(type.isArray() || type.isTuple())) {
      return { rule: 'ioredis/spread', message: 'a spread argument other than an array (an iterable, a string) is not converted' };
    }
    if (type.getCallSignatures().length > 0) {
      return i === flat.length - 1
        ? { rule: 'ioredis/callback', message: 'calls with a callback are not converted' }
        : { rule: 'ioredis/function-arg', message: 'a function argument is not converted' };
    }
    if (type.isArray() || type.isTuple()) {
      // ioredis sends its elements as separate arguments: converted when the statement takes them as one list, whatever their number (compileCall checks).
      if (!scalarElements(type)) return { rule: 'ioredis/array-arg', message: 'an array argument whose elements are not strings, numbers or Buffers is not converted' };
      if (exprs.some((e) => e.spread !== undefined)) return { rule: 'ioredis/array-arg', message: 'a call with more than one array argument known only at run time is not converted' };
      tokens.push({ expr: exprs.length });
      exprs.push({ expr: `a[${argv.length}]`, numeric: false, plain: true, spread: true });
      argv.push(node.getText());
      continue;
    }
    if (node === pairsAt && isObjectLike(type)) {
      // Its entries, known only at run time, go as two lists (fields, values) when the statement takes them so (compileCall checks).
      if (!scalarEntries(type, node)) return { rule: 'ioredis/object-arg', message: 'an object or Map argument whose fields and values are not typed as strings, numbers or Buffers is not converted' };
      if (exprs.some((e) => e.spread !== undefined)) return { rule: 'ioredis/array-arg', message: 'a call with more than one array argument known only at run time is not converted' };
      tokens.push({ expr: exprs.length });
      exprs.push({ expr: `a[${argv.length}]`, numeric: false, plain: true, spread: 'pairs' });
      argv.push(node.getText());
      continue;
    }
    if (isObjectLike(type)) return { rule: 'ioredis/object-arg', message: 'an object argument (field/value map or options) known only at run time is not converted' };
    tokens.push({ expr: exprs.length });
    // An untyped JavaScript value may be a number: its stand-in is one, which compiles wherever a text would (src/codemod/compile-call.ts).
    const untyped = type.isAny() && /\.[cm]?jsx?$/.test(call.getSourceFile().getFilePath());
    exprs.push({ expr: `a[${argv.length}]`, numeric: type.isNumber() || type.isNumberLiteral() || untyped, plain: true });
    argv.push(node.getText());
  }

  const compiled = compileCall((standIn) => [command, ...tokens.flatMap((t) => ('literal' in t ? [t.literal] : [standIn(t.expr)].flat().map(String)))], exprs, 'ioredis', cache);
  if (!('sql' in compiled)) {
    // The statement depends on values known only when the call runs (`lpop(key, n)`, `set(k, v, mode, ttl)`, an array's elements
    // that are not one list of its values, `mset(...pairs)`, `zadd(k, ...scoresAndMembers)`): it can be translated then.
    const atRunTime = compiled.rule === 'ioredis/runtime-arguments' || compiled.rule === 'ioredis/array-arg';
    if (!atRunTime || untypedCallback !== undefined || flat.some((a) => 'cursor' in a)) return compiled;
    const name = JSON.stringify(named === undefined ? command.toLowerCase() : named.name);
    return { ...compiled, atRunTime: { name, argv: `[${argv.join(', ')}]`, buffers } };
  }
  const object = compiled.command === 'HGETALL' && named?.raw !== true;
  const as = object ? (buffers ? 'object-buffer' : 'object') : buffers ? 'buffer' : undefined;
  const shape = JSON.stringify(compiled.shape).replace(/"([a-zA-Z_]\w*)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ');
  // The value's static type stays what ioredis declared, so the code around the call still type-checks.
  const typeArg = declaredTypeArg(call, types);
  // The command as ioredis would have sent it rides on the parameters, for a Redis error's `err.command`.
  const params = commandParams(named?.name ?? command, argv, compiled.params, exprs.length > 0, named !== undefined, untypedCallback?.getText());
  return {
    compiled,
    args: `${JSON.stringify(compiled.sql)}, ${params}, ${shape}${as === undefined ? '' : `, '${as}'`}`,
    typeArg,
    ...(as === undefined ? {} : { as }),
  };
}

/**
 * The type arguments declaredTypeArg wrote during one run, by type (the
 * checker's own objects: it gives one object to the same type wherever it
 * is). Printing a type took a third of declaredTypeArg's time (profile of the
 * bench project), and a project's calls declare a handful of types. Only
 * texts that name nothing are kept (keywords, literals, punctuation:
 * `string | null`, `[string, number][]`): how a named type is written depends
 * on the file it is written in. One per run, created by its caller.
 */
export type TypeTexts = Map<ts.Type, string>;

/**
 * `<T>` with the type ioredis declared for the call's value, written so that
 * it names nothing from ioredis (the converted file should not need the
 * client's types): an alias of @types/ioredis 4 (`IORedis.BooleanResponse`) is
 * spelled out (`0 | 1`); a type that still names ioredis gives ''.
 *
 *   // const n = redis.setnx(k, v)   (ioredis 4 typed by @types/ioredis)
 *   declaredTypeArg(call)  → '<0 | 1>'
 */
export function declaredTypeArg(call: CallExpression, types?: TypeTexts): string {
  const type = valueType(call).getTypeArguments()[0];
  return type === undefined ? '' : typeArgText(type, call, types);
}

/**
 * `<T>` for `type` as seen at `call`, as declaredTypeArg writes it. Also for
 * a call with a callback, whose value @types/ioredis declares `void`: the type
 * its callback's result parameter declares.
 *
 *   // redis.get(key, (err, v) => …)   (@types/ioredis 4: get(key, callback: Callback<string | null>): void)
 *   typeArgText(<string | null>, call)  → '<string | null>'
 */
export function typeArgText(type: Type, call: CallExpression, types?: TypeTexts): string {
  const known = types?.get(type.compilerType);
  if (known !== undefined) return known;
  const names = call
    .getSourceFile()
    .getImportDeclarations()
    .filter((d) => d.getModuleSpecifierValue() === 'ioredis')
    .flatMap((d) => [d.getDefaultImport(), d.getNamespaceImport(), ...d.getNamedImports().map((n) => n.getAliasNode() ?? n.getNameNode())])
    .filter((n) => n !== undefined)
    .map((n) => n.getText());
  // The printer cuts long types short ('... 3 more ...'), which is no type at all.
  const free = (text: string): boolean =>
    !text.includes('import(') && !text.includes('...') && !names.some((n) => new RegExp(`\\b${n}\\b`).test(text)) && namesInScope(text, call);
  const resolved = type.getText(call, TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
  if (free(resolved)) {
    if (types !== undefined && nameless(resolved)) types.set(type.compilerType, `<${resolved}>`);
    return `<${resolved}>`;
  }
  const expanded = type.getText(call, TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | TypeFormatFlags.InTypeAlias);
  return free(expanded) ? `<${expanded}>` : '';
}

/**
 * The type of the call's value (ioredis' `Promise<T>`): when every signature
 * of the method is not generic and returns one type, that type, without
 * resolving the call's overloads; the call's own type otherwise.
 *
 * It is the type the checker gives the call: a call resolved to one of those
 * signatures returns its return type, and one that matches none is given
 * the candidates' return types too (TypeScript's resolveCall on failure: the
 * best candidate, or a signature whose return type is the union of theirs).
 * An optional chain (`redis?.get(k)`) adds `undefined`, so it is asked of
 * the checker. Resolving the overloads checks every argument against each
 * signature in turn: ~0.9 s of the bench project's 4 800 calls, most of
 * which have one return type (a command's overloads differ by callback or
 * by token).
 *
 *   // redis.hget(key, 'name'): hget(key, field, callback?) → Result<string | null, Context>
 *   valueType(call).getText()  → 'Promise<string | null>'
 */
function valueType(call: CallExpression): Type {
  if (!typescript.isOptionalChain(call.compilerNode)) {
    const signatures = call.getExpression().getType().getCallSignatures();
    const returned = signatures[0]?.getReturnType().compilerType;
    if (returned !== undefined && signatures.every((s) => s.getTypeParameters().length === 0 && s.getReturnType().compilerType === returned)) return signatures[0]!.getReturnType();
  }
  return call.getType();
}

/** The text a literal argument sends (ioredis: `String(x)`, null/undefined as ""), or undefined for an expression. */
function literalText(arg: Node): string | undefined {
  if (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) return arg.getLiteralValue();
  if (Node.isNumericLiteral(arg)) return String(arg.getLiteralValue());
  if (Node.isPrefixUnaryExpression(arg) && arg.getOperatorToken() === SyntaxKind.MinusToken && Node.isNumericLiteral(arg.getOperand())) {
    return String(-Number(arg.getOperand().getText()));
  }
  if (Node.isTrueLiteral(arg) || Node.isFalseLiteral(arg)) return arg.getText();
  if (Node.isNullLiteral(arg)) return '';
  return undefined;
}

/** `{ a: x, 'b': y, c }` as key, value… in Object.keys order, or undefined when that order or a key is not known. */
function objectPairs(obj: Node): (Node | { readonly literal: string })[] | undefined {
  if (!Node.isObjectLiteralExpression(obj)) return undefined;
  const out: (Node | { readonly literal: string })[] = [];
  for (const p of obj.getProperties()) {
    if (Node.isPropertyAssignment(p)) {
      const name = p.getNameNode();
      // Object.keys puts integer-like keys first: such objects are left to a report.
      if (!(Node.isIdentifier(name) || Node.isStringLiteral(name)) || /^\d+$/.test(p.getName())) return undefined;
      out.push({ literal: Node.isStringLiteral(name) ? name.getLiteralValue() : name.getText() }, p.getInitializerOrThrow());
    } else if (Node.isShorthandPropertyAssignment(p)) {
      out.push({ literal: p.getName() }, p.getNameNode());
    } else return undefined;
  }
  return out;
}

/** Whether every element of an array or tuple type is a string, a number or a Buffer (what ioredis sends as one argument each). */
function scalarElements(type: Type): boolean {
  return elementTypes(type).every((e) => isScalar(e));
}

/**
 * Whether an object's or a Map's fields and values are all strings, numbers
 * or Buffers (or undefined or null: ioredis sends them as '').
 */
function scalarEntries(type: Type, at: Node): boolean {
  return entryTypes(type, at, true)?.every((e) => isScalar(e) || e.isUndefined() || e.isNull()) === true;
}

/** A string, a number or a Buffer: what ioredis sends as one argument. */
function isScalar(e: Type): boolean {
  return e.isString() || e.isStringLiteral() || e.isTemplateLiteral() || e.isNumber() || e.isNumberLiteral() || (e.isObject() && e.getSymbol()?.getName() === 'Buffer');
}

function isObjectLike(type: Type): boolean {
  // `object` (TypeScript's non-primitive type) too: ioredis would flatten it at run time, whatever it holds.
  return (type.isObject() && type.getSymbol()?.getName() !== 'Buffer') || (type.getFlags() & typescript.TypeFlags.NonPrimitive) !== 0;
}
