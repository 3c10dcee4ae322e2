/**
 * ioredis scripts → calls of the PL/pgSQL function compiled from the Lua
 * (src/translators/lua/compile.ts): `eval(<literal script>, numkeys, …)` and
 * the commands `defineCommand(name, { numberOfKeys, lua })` adds. The
 * function's DDL is collected for `--schema-out` (the user applies it with
 * the schema), and the call becomes one statement:
 *
 *   await redis.eval("return redis.call('GET', KEYS[1])", 1, key)
 *   → await r2s.ioredis<unknown>(redis, "SELECT redis.lua_d3c2…($1::text[], $2::bytea[]) AS reply", [[r2s.text(key)], []], { kind: 'lua' })
 *
 * The script must be known when the codemod runs (a literal, or a `const`
 * initialised with one); its number of keys too. Anything else is reported.
 * `evalsha(sha, …)` and `script('LOAD', …)` are plain commands (EVALSHA runs
 * the function whose name carries the sha, if the schema has it).
 */
import { Node, SyntaxKind } from './ts-morph.js';
import type { CallExpression, SourceFile, Type } from 'ts-morph';
import { LuaCompileError } from '../errors.js';
import { DEFAULT_SCHEMA, quoteSchema } from '../emit/schema/index.js';
import { compileLua, type CompiledScript } from '../translators/lua/compile.js';
import { scriptRunSql } from './script-runtime.js';
import { commandParams, compileCall, shapeText, type CallCache, type CallRefusal, type CompiledCall, type RuntimeExpr, type StandIn } from './compile-call.js';

/** A command added by `defineCommand`, usable wherever the client is. */
export interface DefinedScript {
  readonly script: CompiledScript;
  readonly numberOfKeys: number;
  /** The defineCommand call itself. */
  readonly at: CallExpression;
}

/** What the scripts of a run need to share: the defined commands, and the functions the converted code calls. */
export interface ScriptContext {
  readonly defined: ReadonlyMap<string, DefinedScript>;
  /** defineCommand calls that are not converted, and why. */
  readonly refused: ReadonlyMap<CallExpression, string>;
  /** sha → the function's DDL, for `--schema-out`. */
  readonly functions: Map<string, string>;
}

const S = quoteSchema(DEFAULT_SCHEMA);

/**
 * Find the `defineCommand` calls of ioredis clients across the files, so
 * that their commands convert in any file. A definition that cannot be
 * compiled, or a name defined twice with different scripts, is refused (its
 * call is reported where it is) and its commands are left to the generic report.
 *
 *   findDefinitions(files, isClient)  → { defined: Map { 'getx' → { script: { sha, ddl… }, numberOfKeys: 1 } }, refused: Map {}, functions: Map {} }
 */
export function findDefinitions(files: readonly SourceFile[], isClient: (type: Type) => boolean): ScriptContext {
  const defined = new Map<string, DefinedScript>();
  const refusedCalls = new Map<CallExpression, string>();
  const refused = new Set<string>();
  for (const file of files) {
    if (!file.getFullText().includes('defineCommand')) continue;
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'defineCommand' || !isClient(callee.getExpression().getType())) continue;
      const report = (message: string): void => void refusedCalls.set(call, message);
      const [nameArg, defArg] = call.getArguments();
      const name = nameArg === undefined ? undefined : literal(nameArg);
      if (name === undefined || defArg === undefined || !Node.isObjectLiteralExpression(defArg)) {
        report('defineCommand() is converted when its name and definition are literals');
        continue;
      }
      const lua = property(defArg, 'lua');
      const keys = property(defArg, 'numberOfKeys');
      const numberOfKeys = keys === undefined ? undefined : Number(keys);
      if (lua === undefined || numberOfKeys === undefined || !Number.isInteger(numberOfKeys) || numberOfKeys < 0) {
        report(`defineCommand('${name}') is converted when its lua and numberOfKeys are known when the codemod runs`);
        refused.add(name);
        continue;
      }
      const script = compileScript(lua);
      if ('message' in script) {
        report(`the script of '${name}' is not compiled: ${script.message}`);
        refused.add(name);
        continue;
      }
      const before = defined.get(name);
      if (before !== undefined && (before.script.sha !== script.sha || before.numberOfKeys !== numberOfKeys)) {
        report(`'${name}' is defined twice with different scripts`);
        refused.add(name);
        continue;
      }
      defined.set(name, { script, numberOfKeys, at: call });
    }
  }
  for (const name of refused) {
    const d = defined.get(name);
    if (d !== undefined) refusedCalls.set(d.at, `'${name}' is defined elsewhere with a script that is not converted`);
    defined.delete(name);
  }
  return { defined, refused: refusedCalls, functions: new Map() };
}

/**
 * The statement's arguments (`"SELECT …", [[keys], [args]], { kind: 'lua' }`) for
 * `eval(script, numkeys, …)` or a defined command's call, or why not; null
 * when the call is neither.
 *
 *   compileScriptCall(<redis.getx(k, 'a')>, 'getx', context)
 *   → { args: '"SELECT redis.lua_run($1, $2::text[], $3::bytea[]) AS reply", ["3f1c…", [r2s.text(k)], [Buffer.from("a")]], { kind: \'lua\' }' }
 */
export function compileScriptCall(
  call: CallExpression,
  method: string,
  context: ScriptContext,
  cache?: CallCache,
  args: readonly Node[] = call.getArguments(),
): { readonly args: string } | CallRefusal | null {
  let script: CompiledScript;
  let rest: readonly Node[];
  let numberOfKeys: string | undefined;
  if (method === 'eval') {
    const source = args[0] === undefined ? undefined : literal(args[0]);
    if (source === undefined) return { rule: 'ioredis/script', message: 'eval() is converted when its script is known when the codemod runs (a literal or a const)' };
    const compiled = compileScript(source);
    if ('message' in compiled) return { rule: 'ioredis/script', message: `the script is not compiled: ${compiled.message}` };
    script = compiled;
    rest = args.slice(1);
  } else {
    const defined = context.defined.get(method);
    if (defined === undefined) return null;
    script = defined.script;
    rest = args;
    numberOfKeys = String(defined.numberOfKeys);
  }
  const tokens: ({ readonly literal: string } | { readonly expr: number })[] = [];
  const exprs: RuntimeExpr[] = [];
  // eval()'s arguments as the generated code evaluates them, once and in order (r2s.command, for err.command): the script, then the rest.
  const sent: string[] = method === 'eval' ? [args[0]!.getText()] : [];
  for (const [i, arg] of rest.flatMap((a) => (Node.isArrayLiteralExpression(a) ? a.getElements() : [a])).entries()) {
    if (Node.isSpreadElement(arg)) return { rule: 'ioredis/spread', message: 'spread arguments of unknown length are not converted' };
    const text = literal(arg);
    if (text !== undefined) {
      tokens.push({ literal: text });
      sent.push(Node.isStringLiteral(arg) || Node.isNumericLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg) ? JSON.stringify(text) : arg.getText());
      continue;
    }
    const type = arg.getType();
    if (type.getCallSignatures().length > 0) return { rule: 'ioredis/callback', message: 'calls with a callback are not converted' };
    if (type.isArray() || type.isTuple()) return { rule: 'ioredis/array-arg', message: 'an array argument of unknown length is not converted' };
    if (i === 0 && numberOfKeys === undefined) return { rule: 'ioredis/script', message: "eval()'s number of keys is converted when it is a literal" };
    tokens.push({ expr: exprs.length });
    if (method === 'eval') {
      exprs.push({ expr: `a[${sent.length}]`, numeric: type.isNumber() || type.isNumberLiteral(), plain: true });
      sent.push(arg.getText());
    } else exprs.push({ expr: arg.getText(), numeric: type.isNumber() || type.isNumberLiteral(), plain: Node.isIdentifier(arg) });
  }
  const argv = (standIn: StandIn): string[] => [
    'EVALSHA',
    script.sha,
    ...(numberOfKeys === undefined ? [] : [numberOfKeys]),
    ...tokens.map((t) => ('literal' in t ? t.literal : String(standIn(t.expr)))),
  ];
  const compiled = compileCall(argv, exprs, 'ioredis', cache);
  if (!('sql' in compiled)) return compiled;
  const direct = scriptFunctionCall(compiled, script, context);
  if ('rule' in direct) return direct;
  // A defined command's error carries no command: ioredis' would be its EVALSHA, or the EVAL it falls back to, as the server had the script or not.
  const params = method === 'eval' ? commandParams('eval', sent, direct.params, exprs.length > 0) : direct.params;
  return { args: `${JSON.stringify(direct.sql)}, ${params}, ${shapeText(direct.shape)}` };
}

/**
 * An EVALSHA of `script` compiled by compileCall → the statement that runs
 * the script as the client's call did, an EVAL (or EVALSHA and then EVAL on
 * NOSCRIPT): `lua_run`, which creates the function again after SCRIPT FLUSH
 * (scriptRunSql); its DDL collected for `--schema-out`.
 *
 *   scriptFunctionCall({ sql: 'SELECT redis.lua_evalsha($1, $2::text[], $3::bytea[]) AS reply', params: '["d3c2…", [r2s.text(k)], []]', … }, script, context)
 *   → { sql: 'SELECT redis.lua_run($1, $2::text[], $3::bytea[]) AS reply', params: '["d3c2…", [r2s.text(k)], []]', … }
 */
export function scriptFunctionCall(compiled: CompiledCall, script: CompiledScript, context: ScriptContext): CompiledCall | CallRefusal {
  const sql = scriptRunSql(compiled.sql);
  if (sql === undefined || !compiled.params.startsWith(`[${JSON.stringify(script.sha)}, `)) {
    return { rule: 'ioredis/script', message: 'the script call did not compile to the expected EVALSHA statement' };
  }
  installScript(context, script);
  return { ...compiled, sql };
}

/**
 * What `--schema-out` installs for a script the converted code runs: its
 * function, and its row of `lua_sources`, from which `lua_run` creates the
 * function again after SCRIPT FLUSH (src/codemod/script-runtime.ts). The DDL
 * goes in dollar quotes whose tag it does not hold.
 *
 *   installScript(context, compileLua('return 1'))  // context.functions: sha → 'CREATE OR REPLACE FUNCTION …;\n\nINSERT INTO redis.lua_sources …;'
 */
export function installScript(context: ScriptContext, script: CompiledScript): void {
  let tag = '$src$';
  while (script.ddl.includes(tag)) tag = `${tag.slice(0, -1)}_$`;
  context.functions.set(
    script.sha,
    `${script.ddl}\n\nINSERT INTO ${S}.lua_sources (sha, ddl) VALUES ('${script.sha}', ${tag}${script.ddl}${tag})\n  ON CONFLICT (sha) DO UPDATE SET ddl = EXCLUDED.ddl;`,
  );
}

/**
 * A context with no defined commands (node-redis clients, or a file converted alone).
 *
 *   emptyScriptContext()  → { defined: Map {}, refused: Map {}, functions: Map {} }
 */
export function emptyScriptContext(): ScriptContext {
  return { defined: new Map(), refused: new Map(), functions: new Map() };
}

/**
 * A `defineCommand` call whose command was compiled: the statement goes (the
 * function is in the schema), or the call becomes `undefined` where its value is used.
 *
 *   convertDefinition(<redis.defineCommand('getx', …)>, context)  → { start, end, text: '' }
 */
export function convertDefinition(call: CallExpression, context: ScriptContext): { start: number; end: number; text: string } | CallRefusal {
  const found = [...context.defined.values()].find((d) => d.at === call);
  if (found === undefined) return { rule: 'ioredis/script', message: context.refused.get(call) ?? 'defineCommand() is not converted here' };
  installScript(context, found.script);
  const statement = call.getParent();
  if (Node.isExpressionStatement(statement)) return { start: statement.getStart(), end: statement.getEnd(), text: '' };
  return { start: call.getStart(), end: call.getEnd(), text: 'undefined' };
}

/**
 * A Lua script compiled into its function, or why it cannot be.
 *
 *   compileScript("return redis.call('GET', KEYS[1])")  → { sha: 'd3c2…', name: 'lua_d3c2…', ddl: 'CREATE OR REPLACE FUNCTION …' }
 */
export function compileScript(source: string): CompiledScript | { readonly message: string } {
  try {
    return compileLua(source);
  } catch (error) {
    if (error instanceof LuaCompileError) return { message: `${error.reason} (script line ${error.line}, column ${error.column})` };
    throw error;
  }
}

/**
 * A string or number known when the codemod runs: a literal, or a `const` initialised with one.
 *
 *   literal(<"return 1">)  → 'return 1'
 */
export function literal(node: Node): string | undefined {
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  if (Node.isNumericLiteral(node)) return String(node.getLiteralValue());
  if (Node.isIdentifier(node)) {
    const decl = node.getSymbol()?.getValueDeclaration();
    if (Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getDeclarationKind() === 'const') {
      const init = decl.getInitializer();
      if (init !== undefined && !Node.isIdentifier(init)) return literal(init);
    }
  }
  return undefined;
}

/** The literal text of an object literal's property `name` (`{ lua: '…' }`), or undefined. */
export function property(obj: Node, name: string): string | undefined {
  if (!Node.isObjectLiteralExpression(obj)) return undefined;
  const p = obj.getProperty(name);
  if (Node.isPropertyAssignment(p)) return literal(p.getInitializerOrThrow());
  if (Node.isShorthandPropertyAssignment(p)) return literal(p.getNameNode());
  return undefined;
}
