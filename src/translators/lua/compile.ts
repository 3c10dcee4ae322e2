import { createHash } from 'node:crypto';
import luaparse from 'luaparse';
import type * as ast from 'luaparse';
import { LuaCompileError, Redis2SqlError, RedisError } from '../../errors.js';
import { DEFAULT_SCHEMA, quoteSchema } from '../../emit/schema/index.js';
import type { ReplyShape } from '../../emit/reply.js';
import { translate } from '../../translate.js';
import type { SqlParam } from '../sql.js';
import type { CompiledCommand } from '../types.js';
import { specOf } from '../../grammar/table.js';
import { LIBRARY } from './library.js';

/**
 * A Redis Lua script compiled to one PL/pgSQL function
 * `S.lua_<sha1>(keys text[], argv bytea[]) RETURNS jsonb` whose result is the
 * script's Redis reply as the `lua` reply shape reads it.
 *
 *   compileLua("return redis.call('GET', KEYS[1])").ddl
 *   → CREATE OR REPLACE FUNCTION redis.lua_d3c21d0c…(keys text[], argv bytea[]) RETURNS jsonb …
 *
 * Lua values are jsonb (see src/emit/schema/scripting.ts). `redis.call` with a
 * literal command name is compiled by the same translators as commands
 * themselves: its statement is inlined, its placeholders replaced by the
 * script's values. What is not compiled is refused with `LuaCompileError`.
 *
 * Known differences: tables are values, not references (an aliased table
 * mutated through one name is not changed through the other); an error raised
 * by Lua itself (not by redis.call) undoes the script's earlier writes, where
 * Redis keeps them (PL/pgSQL's exception block is a subtransaction); run-time
 * arguments redis.call reads as integers or doubles are checked as such only
 * (command-specific range errors are not given), and an argument in a place
 * where its value changes the SQL (an option word) is refused; numbers are
 * jsonb numerics, so -0, inf and nan are not Lua values here (an operation
 * producing inf or nan is a script error); a text column of a reply (a key
 * name) that reads `\x` followed by hex digits is taken for bytes.
 */
export interface CompiledScript {
  readonly sha: string;
  readonly name: string;
  readonly ddl: string;
}

export interface LuaOptions {
  readonly schema?: string;
  /** Function name (default `lua_<sha1>`). */
  readonly name?: string;
}

export function scriptSha(source: string | Buffer): string {
  return createHash('sha1').update(source).digest('hex');
}

export function compileLua(source: string | Buffer, options: LuaOptions = {}): CompiledScript {
  const S = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
  const sha = scriptSha(source);
  const name = options.name ?? `lua_${sha}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new LuaCompileError(`invalid function name ${JSON.stringify(name)}`, 1, 0);
  const text = Buffer.isBuffer(source) ? source.toString('latin1') : Buffer.from(source, 'utf8').toString('latin1');
  let chunk: ast.Chunk;
  try {
    chunk = luaparse.parse(text, { encodingMode: 'pseudo-latin1', ranges: true, locations: true, luaVersion: '5.1' } as never) as unknown as ast.Chunk;
  } catch (e) {
    const err = e as { line?: number; column?: number; message?: string };
    throw new LuaCompileError(`syntax error: ${err.message ?? String(e)}`, err.line ?? 1, err.column ?? 0);
  }
  const c = new Compiler(S, sha);
  const body = c.block(chunk.body, 1);
  const decls = c.declarations();
  const ddl = `CREATE OR REPLACE FUNCTION ${S}.${name}(keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE plpgsql AS $lua$
DECLARE
  _line int := 0;
  _rows jsonb;
  _r record;
  -- Keys as their UTF-8 bytes (a cast to bytea would read backslashes as escapes).
  v_keys jsonb := ${S}.lua_strings(ARRAY(SELECT convert_to(k, 'UTF8') FROM unnest(keys) WITH ORDINALITY AS u(k, n) ORDER BY n));
  v_argv jsonb := ${S}.lua_strings(argv);
${decls}
BEGIN
${body}
  RETURN 'null'::jsonb;
EXCEPTION WHEN SQLSTATE 'RL000' THEN
  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to('ERR user_script:' || _line || ': ' || SQLERRM
    || ' script: ${sha}, on @user_script:' || _line || '.', 'UTF8')));
END
$lua$;`;
  return Object.freeze({ sha, name, ddl });
}

type Node = ast.Node;

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const hexLit = (b: Buffer): string => `'"${b.toString('hex')}"'::jsonb`;

class Compiler {
  private readonly vars: string[] = [];
  private readonly scopes: Map<string, string>[] = [new Map()];
  private counter = 0;

  constructor(
    private readonly S: string,
    private readonly sha: string,
  ) {}

  declarations(): string {
    return this.vars.map((v) => `  ${v} jsonb;`).join('\n');
  }

  private fresh(hint: string): string {
    const v = `v${++this.counter}_${hint.replace(/[^a-zA-Z0-9_]/g, '').slice(0, 20).toLowerCase()}`;
    this.vars.push(v);
    return v;
  }

  private refuse(node: Node, reason: string): never {
    const loc = node.loc?.start;
    throw new LuaCompileError(reason, loc?.line ?? 1, loc?.column ?? 0);
  }

  private lookup(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private declare(name: string): string {
    const v = this.fresh(name);
    this.scopes[this.scopes.length - 1]?.set(name, v);
    return v;
  }

  block(body: readonly ast.Statement[], depth: number): string {
    this.scopes.push(new Map());
    const out = body.map((s) => this.statement(s, depth)).join('');
    this.scopes.pop();
    return out;
  }

  private ind(depth: number): string {
    return '  '.repeat(depth);
  }

  private statement(s: ast.Statement, d: number): string {
    const I = this.ind(d);
    const line = `${I}_line := ${s.loc?.start.line ?? 0};\n`;
    switch (s.type) {
      case 'LocalStatement': {
        const values = this.exprList(s.init, s.variables.length, d);
        const targets = s.variables.map((v) => this.declare(v.name));
        return line + values.pre + targets.map((t, i) => `${I}${t} := ${values.exprs[i] ?? 'NULL'};\n`).join('');
      }
      case 'AssignmentStatement': {
        const values = this.exprList(s.init, s.variables.length, d);
        let out = line + values.pre;
        // Lua evaluates every right-hand side before assigning.
        const temps = values.exprs.map((e) => {
          const t = this.fresh('tmp');
          out += `${I}${t} := ${e};\n`;
          return t;
        });
        s.variables.forEach((v, i) => {
          const value = temps[i] ?? 'NULL';
          if (v.type === 'Identifier') {
            const target = this.lookup(v.name);
            if (target === undefined) this.refuse(v, `assignment to global '${v.name}' (Redis forbids creating globals)`);
            out += `${I}${target} := ${value};\n`;
          } else if (v.type === 'IndexExpression' && v.base.type === 'Identifier' && this.lookup(v.base.name) !== undefined) {
            const target = this.lookup(v.base.name) as string;
            const k = this.expr(v.index, d);
            out += k.pre + `${I}${target} := ${this.S}.lua_setindex(${target}, ${k.expr}, ${value});\n`;
          } else {
            this.refuse(v, 'assignment target not compiled (only locals and t[i] of a local table)');
          }
        });
        return out;
      }
      case 'CallStatement': {
        const call = s.expression;
        if (call.type === 'CallExpression' && this.isName(call.base, 'table', 'insert')) {
          const [t, v, extra] = call.arguments;
          if (extra !== undefined || t === undefined || v === undefined) this.refuse(call, 'table.insert with a position is not compiled');
          if (t.type !== 'Identifier' || this.lookup(t.name) === undefined) this.refuse(t, 'table.insert on something other than a local table');
          const target = this.lookup(t.name) as string;
          const val = this.expr(v, d);
          return line + val.pre + `${I}${target} := ${this.S}.lua_append(${target}, ${val.expr});\n`;
        }
        const e = this.expr(call, d);
        return line + e.pre + `${I}PERFORM ${e.expr};\n`;
      }
      case 'IfStatement': {
        let out = line;
        let closing = '';
        let first = true;
        for (const clause of s.clauses) {
          if (clause.type === 'ElseClause') {
            out += `${I}ELSE\n` + this.block(clause.body, d + 1);
            continue;
          }
          const cond = this.expr(clause.condition, d + (first ? 0 : 1));
          if (first) {
            out += cond.pre + `${I}IF ${this.S}.lua_truthy(${cond.expr}) THEN\n` + this.block(clause.body, d + 1);
            first = false;
          } else if (cond.pre === '') {
            out += `${I}ELSIF ${this.S}.lua_truthy(${cond.expr}) THEN\n` + this.block(clause.body, d + 1);
          } else {
            // The condition needs statements first: nest it in the ELSE.
            out += `${I}ELSE\n` + cond.pre + `${I}  IF ${this.S}.lua_truthy(${cond.expr}) THEN\n` + this.block(clause.body, d + 2);
            closing += `${I}  END IF;\n`;
          }
        }
        // Nested IFs opened for elseif conditions close before the outer one.
        return out + this.closeNested(closing, I);
      }
      case 'WhileStatement': {
        const cond = this.expr(s.condition, d + 1);
        return line + `${I}LOOP\n` + cond.pre + `${I}  EXIT WHEN NOT ${this.S}.lua_truthy(${cond.expr});\n` + this.block(s.body, d + 1) + `${I}END LOOP;\n`;
      }
      case 'RepeatStatement': {
        this.scopes.push(new Map());
        const body = s.body.map((st) => this.statement(st, d + 1)).join('');
        const cond = this.expr(s.condition, d + 1);
        this.scopes.pop();
        return line + `${I}LOOP\n` + body + cond.pre + `${I}  EXIT WHEN ${this.S}.lua_truthy(${cond.expr});\n${I}END LOOP;\n`;
      }
      case 'ForNumericStatement': {
        const start = this.expr(s.start, d);
        const end = this.expr(s.end, d);
        const step = s.step ? this.expr(s.step, d) : { pre: '', expr: "'1'::jsonb" };
        const [i, lim, st] = [this.fresh('for_i'), this.fresh('for_limit'), this.fresh('for_step')];
        let out = line + start.pre + end.pre + step.pre;
        out += `${I}${i} := ${this.forNum(start.expr, 'initial value')};\n${I}${lim} := ${this.forNum(end.expr, 'limit')};\n${I}${st} := ${this.forNum(step.expr, 'step')};\n`;
        this.scopes.push(new Map());
        const v = this.declare(s.variable.name);
        const body = this.block(s.body, d + 1);
        this.scopes.pop();
        const n = (x: string): string => `(${x} #>> '{}')::float8`;
        out += `${I}LOOP\n${I}  EXIT WHEN (${n(st)} > 0 AND ${n(i)} > ${n(lim)}) OR (${n(st)} <= 0 AND ${n(i)} < ${n(lim)});\n`;
        out += `${I}  ${v} := ${i};\n` + body + `${I}  ${i} := to_jsonb(${n(i)} + ${n(st)});\n${I}END LOOP;\n`;
        return out;
      }
      case 'ForGenericStatement': {
        const it = s.iterators[0];
        if (s.iterators.length !== 1 || it === undefined || it.type !== 'CallExpression' || !this.isGlobal(it.base, 'ipairs') || it.arguments.length !== 1) {
          this.refuse(s, 'only `for i, v in ipairs(t)` is compiled among generic for loops');
        }
        const t = this.expr(it.arguments[0] as ast.Expression, d);
        const [tv, iv, vv] = [this.fresh('ipairs_t'), this.fresh('ipairs_i'), this.fresh('ipairs_v')];
        let out = line + t.pre + `${I}${tv} := ${t.expr};\n${I}${iv} := '1'::jsonb;\n`;
        this.scopes.push(new Map());
        const names = s.variables.map((v) => this.declare(v.name));
        const body = this.block(s.body, d + 1);
        this.scopes.pop();
        out += `${I}LOOP\n${I}  ${vv} := ${this.S}.lua_index(${tv}, ${iv});\n${I}  EXIT WHEN ${vv} IS NULL;\n`;
        if (names[0] !== undefined) out += `${I}  ${names[0]} := ${iv};\n`;
        if (names[1] !== undefined) out += `${I}  ${names[1]} := ${vv};\n`;
        for (const extra of names.slice(2)) out += `${I}  ${extra} := NULL;\n`;
        out += body + `${I}  ${iv} := to_jsonb((${iv} #>> '{}')::int + 1);\n${I}END LOOP;\n`;
        return out;
      }
      case 'ReturnStatement': {
        const first = s.arguments[0];
        if (first === undefined) return line + `${I}RETURN 'null'::jsonb;\n`;
        const e = this.expr(first, d);
        return line + e.pre + `${I}RETURN ${this.S}.lua_reply(${e.expr});\n`;
      }
      case 'BreakStatement':
        return `${I}EXIT;\n`;
      case 'DoStatement':
        return this.block(s.body, d);
      default:
        return this.refuse(s, `${s.type} is not compiled`);
    }
  }

  private closeNested(closing: string, I: string): string {
    return closing.split('\n').filter(Boolean).reverse().map((l) => `${l}\n`).join('') + `${I}END IF;\n`;
  }

  private forNum(e: string, what: string): string {
    return `CASE WHEN jsonb_typeof(${this.S}.lua_tonumber(${e})) = 'number' THEN ${this.S}.lua_tonumber(${e}) ELSE ${this.S}.lua_error('''for'' ${what} must be a number') END`;
  }

  private exprList(list: readonly ast.Expression[], n: number, d: number): { pre: string; exprs: string[] } {
    let pre = '';
    const exprs: string[] = [];
    for (const e of list) {
      const c = this.expr(e, d);
      pre += c.pre;
      exprs.push(c.expr);
    }
    while (exprs.length < n) exprs.push('NULL');
    return { pre, exprs };
  }

  private isGlobal(e: ast.Expression, name: string): boolean {
    return e.type === 'Identifier' && e.name === name && this.lookup(name) === undefined;
  }

  private isName(e: ast.Expression, base: string, member: string): boolean {
    return e.type === 'MemberExpression' && e.indexer === '.' && this.isGlobal(e.base, base) && e.identifier.name === member;
  }

  /** An expression: statements to run first (redis.call), then a jsonb SQL expression. */
  private expr(e: ast.Expression, d: number): { pre: string; expr: string } {
    const S = this.S;
    const I = this.ind(d);
    switch (e.type) {
      case 'NilLiteral':
        return { pre: '', expr: 'NULL::jsonb' };
      case 'BooleanLiteral':
        return { pre: '', expr: `'${e.value}'::jsonb` };
      case 'NumericLiteral':
        return { pre: '', expr: `'${Number.isFinite(e.value) ? String(e.value) : this.refuse(e, 'infinite number literal')}'::jsonb` };
      case 'StringLiteral':
        return { pre: '', expr: hexLit(Buffer.from(this.stringValue(e), 'latin1')) };
      case 'Identifier': {
        const v = this.lookup(e.name);
        if (v !== undefined) return { pre: '', expr: v };
        if (e.name === 'KEYS') return { pre: '', expr: 'v_keys' };
        if (e.name === 'ARGV') return { pre: '', expr: 'v_argv' };
        if (['redis', 'string', 'table', 'math', 'tonumber', 'tostring', 'type', 'ipairs', 'pairs', 'unpack', 'pcall', 'error', 'cjson', 'cmsgpack', 'bit', 'struct', 'select', 'next', 'assert', 'os', 'loadstring', 'setmetatable', 'getmetatable', 'rawget', 'rawset'].includes(e.name)) {
          this.refuse(e, `'${e.name}' used as a value is not compiled`);
        }
        // Redis' globals protection: reading an undefined global is a runtime error.
        return { pre: '', expr: `${S}.lua_error(${lit(`Script attempted to access nonexistent global variable '${e.name}'`)})` };
      }
      case 'BinaryExpression': {
        const l = this.expr(e.left, d);
        const r = this.expr(e.right, d);
        const pre = l.pre + r.pre;
        const fn: Record<string, string> = { '+': 'lua_add', '-': 'lua_sub', '*': 'lua_mul', '/': 'lua_div', '%': 'lua_mod', '^': 'lua_pow', '..': 'lua_concat' };
        const f = fn[e.operator];
        if (f !== undefined) return { pre, expr: `${S}.${f}(${l.expr}, ${r.expr}, ${this.describe(e.left)}, ${this.describe(e.right)})` };
        const b = (x: string): string => `to_jsonb(${x})`;
        switch (e.operator) {
          case '==':
            return { pre, expr: b(`${S}.lua_eq(${l.expr}, ${r.expr})`) };
          case '~=':
            return { pre, expr: b(`NOT ${S}.lua_eq(${l.expr}, ${r.expr})`) };
          case '<':
            return { pre, expr: b(`${S}.lua_lt(${l.expr}, ${r.expr}, false)`) };
          case '<=':
            return { pre, expr: b(`${S}.lua_lt(${l.expr}, ${r.expr}, true)`) };
          case '>':
            return { pre, expr: b(`${S}.lua_lt(${r.expr}, ${l.expr}, false)`) };
          case '>=':
            return { pre, expr: b(`${S}.lua_lt(${r.expr}, ${l.expr}, true)`) };
          default:
            return this.refuse(e, `operator ${e.operator} is not compiled`);
        }
      }
      case 'LogicalExpression': {
        const l = this.expr(e.left, d);
        const r = this.expr(e.right, d + 1);
        const t = this.fresh('logic');
        const test = e.operator === 'and' ? `${S}.lua_truthy(${t})` : `NOT ${S}.lua_truthy(${t})`;
        // Short-circuit: the right side (and its redis.calls) runs only when needed.
        const pre = l.pre + `${I}${t} := ${l.expr};\n${I}IF ${test} THEN\n` + r.pre + `${I}  ${t} := ${r.expr};\n${I}END IF;\n`;
        return { pre, expr: t };
      }
      case 'UnaryExpression': {
        const a = this.expr(e.argument, d);
        if (e.operator === 'not') return { pre: a.pre, expr: `to_jsonb(NOT ${S}.lua_truthy(${a.expr}))` };
        if (e.operator === '-') return { pre: a.pre, expr: `${S}.lua_unm(${a.expr}, ${this.describe(e.argument)})` };
        if (e.operator === '#') return { pre: a.pre, expr: `${S}.lua_len(${a.expr}, ${this.describe(e.argument)})` };
        return this.refuse(e, `operator ${String(e.operator)} is not compiled`);
      }
      case 'IndexExpression': {
        const b = this.expr(e.base, d);
        const k = this.expr(e.index, d);
        return { pre: b.pre + k.pre, expr: `${S}.lua_index(${b.expr}, ${k.expr}, ${this.describe(e.base)})` };
      }
      case 'TableConstructorExpression':
        return this.table(e, d);
      case 'CallExpression':
        return this.call(e, d);
      case 'StringCallExpression':
      case 'TableCallExpression':
        return this.refuse(e, 'calls without parentheses are not compiled');
      default:
        return this.refuse(e, `${e.type} is not compiled`);
    }
  }

  /** How Lua 5.1 names an operand in a type error (getobjname): locals, globals, fields with a string key. */
  private describe(e: ast.Expression): string {
    if (e.type === 'Identifier') return lit(this.lookup(e.name) !== undefined ? `local '${e.name}'` : `global '${e.name}'`);
    if (e.type === 'IndexExpression') return lit(e.index.type === 'StringLiteral' && e.index.value !== null ? `field '${e.index.value}'` : "field '?'");
    return "''";
  }

  private stringValue(e: ast.StringLiteral): string {
    if (e.value === null) this.refuse(e, 'string literal not decoded');
    return e.value;
  }

  private table(e: ast.TableConstructorExpression, d: number): { pre: string; expr: string } {
    const S = this.S;
    const [f0] = e.fields;
    if (e.fields.length === 1 && f0 !== undefined && f0.type === 'TableKeyString' && (f0.key.name === 'err' || f0.key.name === 'ok')) {
      const v = this.expr(f0.value, d);
      return { pre: v.pre, expr: `jsonb_strip_nulls(jsonb_build_object('${f0.key.name}', ${v.expr}))` };
    }
    let pre = '';
    const items: string[] = [];
    for (const f of e.fields) {
      if (f.type !== 'TableValue') this.refuse(f, 'tables with keys are not compiled (only arrays, {err=…} and {ok=…})');
      const v = this.expr(f.value, d);
      pre += v.pre;
      items.push(`coalesce(${v.expr}, 'null'::jsonb)`);
    }
    return { pre, expr: items.length === 0 ? `'[]'::jsonb` : `${S}.lua_trim(jsonb_build_array(${items.join(', ')}))` };
  }

  private call(e: ast.CallExpression, d: number): { pre: string; expr: string } {
    const S = this.S;
    const base = e.base;
    const args = e.arguments;
    const one = (i: number): { pre: string; expr: string } => {
      const a = args[i];
      return a === undefined ? { pre: '', expr: 'NULL::jsonb' } : this.expr(a, d);
    };
    if (this.isName(base, 'redis', 'call') || this.isName(base, 'redis', 'pcall')) {
      return this.redisCall(e, (base as ast.MemberExpression).identifier.name === 'pcall', d);
    }
    if (this.isName(base, 'redis', 'error_reply') || this.isName(base, 'redis', 'status_reply')) {
      const a = one(0);
      const key = (base as ast.MemberExpression).identifier.name === 'error_reply' ? 'err' : 'ok';
      return { pre: a.pre, expr: `jsonb_build_object('${key}', ${S}.lua_str(${S}.lua_concat_part(${a.expr})))` };
    }
    const fname = this.libraryName(base);
    const fn = fname === undefined ? undefined : LIBRARY[fname];
    if (fname !== undefined && fn !== undefined) {
      if (args.length < fn.minArgs || args.length > fn.maxArgs) this.refuse(e, `${fname} with ${args.length} arguments is not compiled`);
      if (fn.results === 'iterator') this.refuse(e, `${fname} is an iterator: use it in a generic for`);
      const parts = args.map((a) => this.expr(a, d));
      const literal = (i: number): Buffer | number | undefined => {
        const a = args[i];
        if (a?.type === 'StringLiteral') return Buffer.from(this.stringValue(a), 'latin1');
        if (a?.type === 'NumericLiteral') return a.value;
        return undefined;
      };
      const sql = fn.sql({ S, args: parts.map((p) => p.expr), literal, refuse: (reason) => this.refuse(e, reason) });
      return { pre: parts.map((p) => p.pre).join(''), expr: fn.results === 'multi' ? `${S}.lua_first(${sql})` : sql };
    }
    return this.refuse(e, `call not compiled${fname === undefined ? '' : ` (${fname} is not in the library)`}`);
  }

  /** `tonumber`, `string.len`…: the library name a call's function is, when it is a global or a field of one. */
  private libraryName(base: ast.Expression): string | undefined {
    if (base.type === 'Identifier' && this.lookup(base.name) === undefined) return base.name;
    if (base.type === 'MemberExpression' && base.indexer === '.' && base.base.type === 'Identifier' && this.lookup(base.base.name) === undefined) {
      return `${base.base.name}.${base.identifier.name}`;
    }
    return undefined;
  }

  /** redis.call / redis.pcall with a literal command name: the command's own translation, inlined. */
  private redisCall(e: ast.CallExpression, protectedCall: boolean, d: number): { pre: string; expr: string } {
    const S = this.S;
    const I = this.ind(d);
    const [nameArg, ...rest] = e.arguments;
    if (nameArg === undefined || nameArg.type !== 'StringLiteral') return this.refuse(e, 'redis.call needs a literal command name');
    let pre = '';
    // Each argument: a literal (known now) or a value known when the script runs.
    const dynamic = new Map<number, string>();
    const literal: (Buffer | null)[] = [Buffer.from(this.stringValue(nameArg), 'latin1')];
    rest.forEach((a, i) => {
      if (a.type === 'StringLiteral') literal.push(Buffer.from(this.stringValue(a), 'latin1'));
      else if (a.type === 'NumericLiteral' && Number.isInteger(a.value)) literal.push(Buffer.from(String(a.value)));
      else {
        const v = this.expr(a, d);
        pre += v.pre;
        const t = this.fresh('arg');
        pre += `${I}${t} := ${v.expr};\n`;
        dynamic.set(i + 1, t);
        literal.push(null);
      }
    });
    const line = e.loc?.start.line ?? 0;
    const translated = this.translateWithSentinels(e, literal, dynamic);
    if ('error' in translated) {
      // Redis checks the command when the call runs: the call fails, pcall returns the error.
      const msg = lit(translated.error);
      return protectedCall
        ? { pre, expr: `jsonb_build_object('err', ${S}.lua_str(convert_to(${msg}, 'UTF8')))` }
        : { pre: pre + `${I}RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(${lit(`${translated.error} script: ${this.sha}, on @user_script:${line}.`)}, 'UTF8')));\n`, expr: 'NULL::jsonb' };
    }
    const { compiled, ints } = translated;
    const sentinelOf = (i: number): string => (ints.has(i) ? String(SENTINEL_INT + BigInt(i)) : `${SENTINEL}${i}\u0001`);
    const lookupParam = (value: unknown, asText: boolean): string | undefined => {
      for (const [i, v] of dynamic) {
        const s = sentinelOf(i);
        const matches = Buffer.isBuffer(value) ? value.equals(Buffer.from(s)) : typeof value === 'number' ? String(value) === s : value === s;
        if (matches) {
          used.add(v);
          if (typeof value === 'number') return `${S}.lua_arg_float(${v})`;
          if (ints.has(i)) return `${S}.lua_arg_int(${v})`;
          return asText ? `${S}.lua_arg_text(${v})` : `${S}.lua_arg(${v})`;
        }
      }
      return undefined;
    };
    const used = new Set<string>();
    const render = (p: SqlParam): string => {
      if (p === null) return 'NULL';
      if (Buffer.isBuffer(p)) {
        const dyn = lookupParam(p, false);
        if (dyn !== undefined) return dyn;
        return `'\\x${p.toString('hex')}'::bytea`;
      }
      if (typeof p === 'string') {
        const dyn = lookupParam(p, true);
        if (dyn !== undefined) return dyn;
        if (p.includes(SENTINEL)) this.refuse(e, 'an argument computed at run time is used in a way the compiler cannot follow: make it a literal');
        return `${lit(p)}::text`;
      }
      if (typeof p === 'number') return lookupParam(p, false) ?? (Number.isFinite(p) ? String(p) : `'${String(p)}'::float8`);
      if (typeof p === 'boolean') return p ? 'true' : 'false';
      const items = p.map((x) => render(x as SqlParam));
      const isBytes = p.some((x) => Buffer.isBuffer(x));
      const isNum = p.some((x) => typeof x === 'number');
      return `ARRAY[${items.join(', ')}]::${isBytes ? 'bytea' : isNum ? 'float8' : 'text'}[]`;
    };
    const values = compiled.params.map(render);
    for (const [i, v] of dynamic) {
      if (!used.has(v)) {
        this.refuse(e, `argument ${i} of ${compiled.command} is used in a way the compiler cannot follow: make it a literal`);
      }
    }
    if (compiled.reply.kind === 'json') {
      this.refuse(e, `${compiled.command}'s reply (${compiled.reply.kind}) is not converted to Lua yet`);
    }
    const stmt = compiled.sql.replace(/\$(\d+)/g, (_, n: string) => `(${values[Number(n) - 1] ?? 'NULL'})`);
    const result = this.fresh('call');
    const shape = JSON.stringify(compiled.reply).replace(/'/g, "''");
    const onError = protectedCall
      ? `${I}  ${result} := jsonb_build_object('err', ${S}.lua_str(convert_to(SQLERRM, 'UTF8')));\n`
      : `${I}  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(SQLERRM || ' script: ${this.sha}, on @user_script:${line}.', 'UTF8')));\n`;
    pre +=
      `${I}BEGIN\n${I}  _rows := '[]'::jsonb;\n${I}  FOR _r IN ${stmt.replace(/\n/g, `\n${I}    `)}\n${I}  LOOP\n` +
      `${I}    _rows := _rows || jsonb_build_array(to_jsonb(_r));\n${I}  END LOOP;\n` +
      `${I}  ${result} := ${S}.lua_from_rows('${shape}'::jsonb, _rows);\n` +
      `${I}EXCEPTION WHEN SQLSTATE 'RD000' OR SQLSTATE 'RS000' THEN\n${onError}${I}END;\n`;
    return { pre, expr: result };
  }

  private translateWithSentinels(
    e: Node,
    literal: readonly (Buffer | null)[],
    dynamic: ReadonlyMap<number, string>,
  ): { compiled: CompiledCommand; ints: ReadonlySet<number> } | { error: string } {
    const ints = new Set<number>();
    const spec = specOf((literal[0] ?? Buffer.alloc(0)).toString('latin1').toUpperCase());
    if (spec?.flags.includes('noscript')) return { error: 'ERR This Redis command is not allowed from script' };
    for (let attempt = 0; attempt <= dynamic.size; attempt++) {
      const argv = literal.map((b, i) => b ?? Buffer.from(ints.has(i) ? String(SENTINEL_INT + BigInt(i)) : `${SENTINEL}${i}\u0001`));
      try {
        return { compiled: translate(argv, { schema: this.S.replace(/^"|"$/g, '') }), ints };
      } catch (err) {
        if (err instanceof RedisError && err.argIndex !== undefined && dynamic.has(err.argIndex) && !ints.has(err.argIndex)) {
          ints.add(err.argIndex);
          continue;
        }
        if (err instanceof RedisError && /^ERR unknown command /.test(err.message)) return { error: 'ERR Unknown Redis command called from script' };
        if (err instanceof RedisError && /^ERR wrong number of arguments /.test(err.message)) {
          return { error: 'ERR Wrong number of args calling Redis command from script' };
        }
        if (err instanceof RedisError && dynamic.size === 0) return { error: err.message };
        if (err instanceof Redis2SqlError) {
          if (dynamic.size > 0 && err instanceof RedisError) this.refuse(e, `${err.message} (with run-time arguments as placeholders: make them literals)`);
          // Redis would raise this when the call runs: compile it as that error.
          this.refuse(e, err.message);
        }
        throw err;
      }
    }
    return this.refuse(e, 'the command could not be compiled with run-time arguments');
  }
}

const SENTINEL = '\u0001redis2sql-lua-arg-';
const SENTINEL_INT = 7_340_000_000_000_000n;

function hasKind(shape: ReplyShape, kinds: readonly string[]): boolean {
  switch (shape.kind) {
    case 'scalar':
    case 'array-column':
      return kinds.includes(shape.of);
    case 'rows':
      return hasKind(shape.row, kinds);
    case 'tuple':
      return shape.items.some((s) => hasKind(s, kinds));
    case 'zip':
      return shape.columns.some((c) => kinds.includes(c.of));
    default:
      return false;
  }
}
