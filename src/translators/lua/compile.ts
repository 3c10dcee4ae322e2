import { createHash } from 'node:crypto';
import luaparse from 'luaparse';
import type * as ast from 'luaparse';
import { LuaCompileError, Redis2SqlError, RedisError } from '../../errors.js';
import { DEFAULT_SCHEMA, quoteSchema, schemaSql } from '../../emit/schema/index.js';
import type { ReplyShape } from '../../emit/reply.js';
import { translate } from '../../translate.js';
import type { SqlParam } from '../sql.js';
import type { CompiledCommand } from '../types.js';
import { specOf } from '../../grammar/table.js';
import { LIBRARY, LIBRARY_VALUES, type LibraryFunction } from './library.js';

/**
 * A Redis Lua script compiled to one PL/pgSQL function
 * `S.lua_<sha1>(keys text[], argv bytea[]) RETURNS jsonb` whose result is the
 * script's Redis reply as the `lua` reply shape reads it.
 *
 *   compileLua("return redis.call('GET', KEYS[1])").ddl
 *   → CREATE OR REPLACE FUNCTION redis.lua_d3c21d0c…(keys text[], argv bytea[]) RETURNS jsonb …
 *
 * Lua values are jsonb (see src/emit/schema/scripting.ts), except values
 * whose type is known when compiling (Ty below: strings, numbers, booleans
 * as bytea, float8, boolean, with SQL operators in place of helper calls).
 * `redis.call` with a
 * literal command name is compiled by the same translators as commands
 * themselves: its statement is inlined, its placeholders replaced by the
 * script's values. What is not compiled is refused with `LuaCompileError`.
 *
 * Local functions are inlined where they are called (they never escape, so
 * this is what Lua does; recursion is refused), several results travel as
 * packs (library.ts), tables are jsonb arrays or objects (scripting.ts).
 *
 * Known differences: tables are values, not references (an aliased table
 * mutated through one name is not changed through the other); pairs() gives
 * 1..n, then the other keys (numbers, then strings by bytes), where Lua
 * follows its hash order; table.sort with a comparator may leave elements it
 * finds equal in another order; an error raised
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
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new LuaCompileError(`invalid function name ${JSON.stringify(name)}`, 1, 1);
  const text = Buffer.isBuffer(source) ? source.toString('latin1') : Buffer.from(source, 'utf8').toString('latin1');
  let chunk: ast.Chunk;
  try {
    chunk = luaparse.parse(text, { encodingMode: 'pseudo-latin1', ranges: true, locations: true, luaVersion: '5.1' } as never) as unknown as ast.Chunk;
  } catch (e) {
    const err = e as { line?: number; column?: number; message?: string };
    // luaparse's message starts with its own 0-based [line:column]; ours is in front.
    throw new LuaCompileError(`syntax error: ${(err.message ?? String(e)).replace(/^\[\d+:\d+\] /, '')}`, err.line ?? 1, (err.column ?? 0) + 1);
  }
  const c = new Compiler(S, sha, text, text.split('\n'), assignedNames(chunk));
  // A call sets _line again for its own line: where that is the statement's, once is enough.
  const body = c.block(chunk.body, 1).replace(/^( *_line := (\d+);\n)(?: *_line := \2;\n)+/gm, '$1');
  const decls = c.declarations();
  // The body quotes the script's lines in comments: a dollar-quote tag they do not hold.
  let tag = 'lua';
  for (let i = 1; body.includes(`$${tag}$`); i++) tag = `lua${i}`;
  const ddl = `CREATE OR REPLACE FUNCTION ${S}.${name}(keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE plpgsql AS $${tag}$
DECLARE
  _line int := 0;
  _rows jsonb;
  _r record;${/\b_ro\b/.test(body) ? `\n  _ro boolean := current_setting('redis2sql.lua_ro', true) = 'on';  -- EVAL_RO: its write commands fail` : ''}
  -- KEYS and ARGV as Lua strings (keys as their UTF-8 bytes: a cast to bytea would read backslashes as
  -- escapes). Written out rather than a SQL helper: PL/pgSQL caches this plan, a SQL function is replanned.
  ${/\bv_keys\b/.test(body) ? `v_keys jsonb := to_jsonb(ARRAY(SELECT encode(convert_to(k, 'UTF8'), 'hex') FROM unnest(keys) WITH ORDINALITY AS u(k, n) ORDER BY n));` : '-- (KEYS are read as typed strings only: keys[n])'}
  ${/\bv_argv\b/.test(body) ? `v_argv jsonb := to_jsonb(ARRAY(SELECT encode(a, 'hex') FROM unnest(argv) WITH ORDINALITY AS u(a, n) ORDER BY n));` : '-- (ARGV is read as typed strings only: argv[n])'}
${decls}
BEGIN
${body}
  RETURN 'null'::jsonb;
-- RL002 first: SQLSTATE 'RL000' names the whole RL class.
EXCEPTION WHEN SQLSTATE 'RL002' THEN
  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(SQLERRM || ' script: ${sha}, on @user_script:' || _line || '.', 'UTF8')));
WHEN SQLSTATE 'RL000' THEN
  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to('ERR ' || ${S}.lua_position(SQLSTATE, _line) || SQLERRM
    || ' script: ${sha}, on @user_script:' || _line || '.', 'UTF8')));
-- A redis.call before the script's first write failed (later calls catch their own errors).
WHEN SQLSTATE 'RD000' OR SQLSTATE 'RS000' THEN
  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(SQLERRM || ' script: ${sha}, on @user_script:' || _line || '.', 'UTF8')));
END
$${tag}$;`;
  return Object.freeze({ sha, name, ddl });
}

type Node = ast.Node;

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** The object key of a string key in a table's jsonb (lua_key of scripting.ts): `err` → `s657272`. */
const tableKey = (name: string): string => `s${Buffer.from(name, 'latin1').toString('hex')}`;
/** A variable or a literal: cheap and safe to evaluate twice. */
const isPure = (sql: string): boolean => /^(v\d+_\w+|'[^']*'::jsonb|NULL::jsonb)$/.test(sql);
/** Names of Lua's and Redis' globals: used as values (not called) they are refused rather than read as nonexistent globals. */
const BUILTIN_GLOBALS = new Set(['redis', 'string', 'table', 'math', 'tonumber', 'tostring', 'type', 'ipairs', 'pairs', 'unpack', 'pcall', 'error', 'cjson', 'cmsgpack', 'bit', 'struct', 'select', 'next', 'assert', 'os', 'loadstring', 'setmetatable', 'getmetatable', 'rawget', 'rawset', 'rawequal', 'coroutine', 'xpcall', 'load', 'dofile', 'require', 'gcinfo', 'print', '_G']);
const hexLit = (b: Buffer): string => `'"${b.toString('hex')}"'::jsonb`;

type Code = { pre: string; expr: string };

/**
 * Typed values. A Lua value whose type is known when compiling (a string
 * literal, KEYS[1], a redis.call of an integer reply, arithmetic on numbers,
 * a comparison) is a native PL/pgSQL value rather than jsonb: bytea, float8
 * or boolean, so operations on it are SQL operators instead of calls of the
 * jsonb helpers (lua_eq, lua_index, lua_from_scalar…). SQL NULL in a typed
 * value means what `nul` says: never, nil, or false (redis.call's nil reply).
 * Anything else stays jsonb (`t` undefined), and a typed value becomes jsonb
 * (box) wherever it meets code that takes jsonb.
 */
type Kind = 'str' | 'num' | 'bool';
type Nullness = 'no' | 'nil' | 'false';
interface Ty {
  readonly k: Kind;
  readonly nul: Nullness;
}
/** An expression's statements, then its SQL: jsonb when `t` is undefined, else a native value of type `t`. */
interface TCode {
  readonly pre: string;
  readonly sql: string;
  readonly t: Ty | undefined;
  /** Typed values (as factSql) that are neither nil nor false once `sql` has been evaluated without error. */
  readonly facts?: readonly string[];
  /** `sql` is `CASE WHEN test THEN then ELSE otherwise END`: a statement may take the two ways as an IF. */
  readonly cases?: { readonly of: string; readonly test: string; readonly then: string; readonly otherwise: string };
}
const PG_TYPE: Readonly<Record<Kind, string>> = { str: 'bytea', num: 'float8', bool: 'boolean' };
/** Typed SQL cheap to evaluate twice and unchanged until the statement using it: a variable, a literal, KEYS[n] or ARGV[n]. */
const isPureTyped = (sql: string): boolean =>
  /^(v\d+_\w+|'[^']*'::(bytea|float8)|true|false|convert_to\(keys\[\d+\], 'UTF8'\)|argv\[\d+\])$/.test(sql);
/** Typed SQL a fact can be about (see Compiler.known): a typed local, KEYS[n] or ARGV[n], none of which is ever assigned again. */
const isFactSql = (sql: string): boolean => /^(v\d+_\w+|convert_to\(keys\[\d+\], 'UTF8'\)|argv\[\d+\])$/.test(sql);
const intersect = (a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> => new Set([...a].filter((x) => b.has(x)));
/** The facts of the operands of an operation: it evaluates them all. */
const factsOf = (...cs: readonly TCode[]): string[] => cs.flatMap((c) => c.facts ?? []);
const ARITH: Readonly<Record<string, string>> = { '+': 'lua_add', '-': 'lua_sub', '*': 'lua_mul', '/': 'lua_div', '%': 'lua_mod', '^': 'lua_pow', '..': 'lua_concat' };

/**
 * Names ever assigned after their declaration, or used as a table changed in
 * place (t[k] = v, table.insert(t, …)): their locals stay jsonb, the others
 * keep the type of their initial value. By name over the whole chunk, which
 * only ever keeps more locals jsonb than needed.
 */
function assignedNames(chunk: ast.Chunk): ReadonlySet<string> {
  const names = new Set<string>();
  const root = (e: ast.Node | undefined): void => {
    let n = e;
    while (n !== undefined && (n.type === 'IndexExpression' || n.type === 'MemberExpression')) n = n.base;
    if (n?.type === 'Identifier') names.add(n.name);
  };
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    if (n === null || typeof n !== 'object') return;
    const node = n as ast.Node;
    if (node.type === 'AssignmentStatement') node.variables.forEach(root);
    if (node.type === 'CallExpression' && node.base.type === 'MemberExpression' && node.base.base.type === 'Identifier' && node.base.base.name === 'table') {
      root(node.arguments[0]);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'loc' && k !== 'range') walk(v);
  };
  walk(chunk.body);
  return names;
}
/** An expression that may give several values: `expr` is a pack (see library.ts) when `multi`. */
type Values = { pre: string; expr: string; multi: boolean };

/** A name in scope: a PL/pgSQL variable, or a local function inlined where it is called. */
type Binding =
  | { readonly kind: 'var'; readonly v: string; readonly t?: Ty }
  | { readonly kind: 'fn'; readonly node: ast.FunctionDeclaration; readonly scopes: readonly Map<string, Binding>[] };

/** The inlined function whose body is being compiled: `return` fills `ret` and leaves the block `label`. */
interface InlineFrame {
  readonly label: string;
  readonly ret: string;
  readonly vararg: string | undefined;
}

const KEYWORDS_BEFORE_PAREN = new Set(['return', 'and', 'or', 'not', 'in', 'do', 'then', 'else', 'elseif', 'until', 'while', 'if', 'local']);

class Compiler {
  private readonly vars: { name: string; type: string; init?: string }[] = [];
  private scopes: Map<string, Binding>[] = [new Map()];
  private counter = 0;
  private readonly frames: InlineFrame[] = [];
  private readonly inlining = new Set<ast.FunctionDeclaration>();
  /** Inside Lua's pcall: a failing redis.call raises (pcall catches it) instead of returning the error. */
  private pcallDepth = 0;
  /** Inside a loop's body: code there may run again after anything later in the loop. */
  private loopDepth = 0;
  /** A redis.call that may write has been compiled (in source order, which is run order outside loops). */
  private wrote = false;
  /**
   * Typed values (their SQL, isFactSql) that are neither nil nor false where the code being compiled
   * runs, because code that runs before it on every path would have raised: arithmetic or an
   * ordering on them, a redis.call given them (its arguments are checked first), `if not x then
   * return … end`. Such a value reads as typed `nul: 'no'`, so the nil tests and their helper
   * fallbacks (PL/pgSQL calls, set up in each call's transaction even when not taken) are left out.
   * A fact holds to the end of the block that learnt it: the values never change (typed locals are
   * never assigned again), and a loop's body, a branch, a short-circuit operand or a pcall's callee
   * forget what they learnt when they end.
   */
  private known = new Set<string>();
  /** Facts of the statement being compiled: they hold from the next statement on. */
  private pending = new Set<string>();

  constructor(
    private readonly S: string,
    private readonly sha: string,
    private readonly source: string,
    private readonly lines: readonly string[],
    private readonly assigned: ReadonlySet<string>,
  ) {}

  declarations(): string {
    return this.vars.map((v) => `  ${v.name} ${v.type}${v.init === undefined ? '' : ` := ${v.init}`};`).join('\n');
  }

  private fresh(hint: string, type = 'jsonb'): string {
    const v = `v${++this.counter}_${hint.replace(/[^a-zA-Z0-9_]/g, '').slice(0, 20).toLowerCase()}`;
    this.vars.push({ name: v, type });
    return v;
  }

  private refuse(node: Node, reason: string): never {
    const loc = node.loc?.start;
    throw new LuaCompileError(reason, loc?.line ?? 1, (loc?.column ?? 0) + 1);
  }

  private binding(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i]?.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  /** The variable of a local, or undefined for a global (a local function is refused as a value). */
  private lookup(name: string, at?: Node): string | undefined {
    const b = this.binding(name);
    if (b === undefined) return undefined;
    if (b.kind === 'fn') {
      if (at !== undefined) this.refuse(at, `the local function '${name}' is used as a value (only calls of local functions are compiled: they are inlined)`);
      return undefined;
    }
    return b.t === undefined ? b.v : this.box({ pre: '', sql: b.v, t: b.t });
  }

  private declare(name: string, t?: Ty): string {
    const v = this.fresh(name, t === undefined ? 'jsonb' : PG_TYPE[t.k]);
    this.scopes[this.scopes.length - 1]?.set(name, t === undefined ? { kind: 'var', v } : { kind: 'var', v, t });
    return v;
  }

  /** A typed value as the jsonb Lua value (scripting.ts' representation). */
  private box(c: TCode): string {
    const t = c.t;
    if (t === undefined) return c.sql;
    const v = t.k === 'str' ? `${this.S}.lua_str(${c.sql})` : `to_jsonb(${c.sql})`;
    return t.nul === 'false' ? `coalesce(${v}, 'false'::jsonb)` : v;
  }

  /** Lua's truth of a value as a SQL boolean. */
  private truthySql(c: TCode): string {
    const t = c.t;
    if (t === undefined) return this.truthy(c.sql);
    if (t.k === 'bool') return t.nul === 'no' ? c.sql : `coalesce(${c.sql}, false)`;
    return t.nul === 'no' ? 'true' : `(${c.sql}) IS NOT NULL`;
  }

  /** The Redis reply (lua_reply's jsonb) of a typed value, written out. */
  private replyOf(c: TCode): string | undefined {
    const t = c.t;
    if (t === undefined) return undefined;
    const literal = /^'(-?\d{1,15})'::float8$/.exec(c.sql)?.[1];
    if (literal !== undefined) return lit(JSON.stringify({ i: String(Number(literal)) })) + '::jsonb';
    const v =
      t.k === 'str'
        ? `jsonb_build_object('b', encode(${c.sql}, 'hex'))`
        : t.k === 'num'
          ? `jsonb_build_object('i', ${this.S}.lua_int_text(${c.sql}))`
          : `(CASE WHEN ${c.sql} THEN '{"i": "1"}'::jsonb ELSE 'null'::jsonb END)`;
    return t.nul === 'no' || t.k === 'bool' ? v : `(CASE WHEN ${c.sql} IS NULL THEN 'null'::jsonb ELSE ${v} END)`;
  }

  block(body: readonly ast.Statement[], depth: number): string {
    this.scopes.push(new Map());
    const known = new Set(this.known);
    const out = body.map((s) => this.statement(s, depth)).join('');
    this.known = intersect(known, this.known);
    this.scopes.pop();
    return out;
  }

  /** A typed value's type where it is read: not nil (nor false) when a fact says so. */
  private sure(sql: string, t: Ty): Ty {
    return t.k !== 'bool' && t.nul !== 'no' && this.known.has(sql) ? { k: t.k, nul: 'no' } : t;
  }

  /**
   * Code that may not run, or whose errors are caught (pcall): what is learnt compiling it is
   * forgotten after, what it made untrue (a key's type, by a write) stays so.
   */
  private guarded<T>(f: () => T): T {
    const known = new Set(this.known);
    const pending = new Set(this.pending);
    try {
      return f();
    } finally {
      this.known = intersect(known, this.known);
      this.pending = pending;
    }
  }

  /** Forget what is known of keys' types (all of them, or all but those of `keep`). */
  private forgetTypes(keep?: string): void {
    for (const f of this.known) if (f.startsWith('type ') && (keep === undefined || !f.startsWith(`type ${keep} `))) this.known.delete(f);
  }

  /** The statement's facts so far hold from here on (its later parts run after them). */
  private commit(): void {
    for (const f of this.pending) this.known.add(f);
    this.pending.clear();
  }

  private ind(depth: number): string {
    return '  '.repeat(depth);
  }

  /** `-- lua N: <source line>` above each statement, so the PL/pgSQL reads against the script. */
  private header(s: Node, I: string): string {
    const n = s.loc?.start.line ?? 0;
    const src = Buffer.from(this.lines[n - 1] ?? '', 'latin1').toString('utf8').replace(/[\r\n]/g, '').trim();
    const more = (s.loc?.end.line ?? n) > n ? ' …' : '';
    return `${I}-- lua ${n}: ${src}${more}\n${I}_line := ${n};\n`;
  }

  private statement(s: ast.Statement, d: number): string {
    const loop = ['WhileStatement', 'RepeatStatement', 'ForNumericStatement', 'ForGenericStatement'].includes(s.type);
    if (loop) this.loopDepth++;
    const outer = this.pending;
    this.pending = new Set();
    // A loop's body may run no time: nothing learnt in a loop holds after it. It may run again
    // after its own writes: no key's type is known in it, nor after it.
    if (loop) this.forgetTypes();
    const known = loop ? new Set(this.known) : undefined;
    try {
      return this.statementIn(s, d);
    } finally {
      if (known !== undefined) {
        this.known = intersect(known, this.known);
        this.forgetTypes();
      } else this.commit();
      this.pending = outer;
      if (loop) this.loopDepth--;
    }
  }

  private statementIn(s: ast.Statement, d: number): string {
    const I = this.ind(d);
    const line = this.header(s, I);
    const S = this.S;
    switch (s.type) {
      case 'LocalStatement': {
        const [init] = s.init;
        const [variable] = s.variables;
        if (s.init.length === 1 && s.variables.length === 1 && init?.type === 'FunctionDeclaration' && variable !== undefined) {
          this.defineFunction(variable.name, init);
          return `${I}-- lua ${s.loc?.start.line ?? 0}: local function ${variable.name} (inlined where it is called)\n`;
        }
        if (s.init.length === 1 && variable !== undefined && s.variables.length === 1 && init !== undefined && !this.mayBeMulti(init) && !this.assigned.has(variable.name)) {
          // One value for one local never assigned again: the local takes the value's type.
          const c = this.texpr(init, d);
          c.facts?.forEach((f) => this.pending.add(f));
          const target = this.declare(variable.name, c.t);
          // Two ways (tonumber's cast or its helper) as an IF: the way not taken, a PL/pgSQL call,
          // is then not set up in the call's transaction (~4k instructions) as it is inside a CASE.
          if (c.cases !== undefined && c.cases.of === c.sql) {
            const { test, then, otherwise } = c.cases;
            return line + c.pre + `${I}IF ${test} THEN\n${I}  ${target} := ${then};\n${I}ELSE\n${I}  ${target} := ${otherwise};\n${I}END IF;\n`;
          }
          return line + c.pre + `${I}${target} := ${c.sql};\n`;
        }
        const values = this.exprList(s.init, s.variables.length, d);
        const targets = s.variables.map((v) => this.declare(v.name));
        return line + values.pre + targets.map((t, i) => `${I}${t} := ${values.exprs[i] ?? 'NULL'};\n`).join('');
      }
      case 'FunctionDeclaration': {
        if (s.isLocal && s.identifier?.type === 'Identifier') {
          // Declared before its body is compiled: the body may call it (and is refused there as recursion).
          this.defineFunction(s.identifier.name, s);
          return `${I}-- lua ${s.loc?.start.line ?? 0}: local function ${s.identifier.name} (inlined where it is called)\n`;
        }
        if (s.identifier?.type === 'Identifier' && this.lookup(s.identifier.name) === undefined) {
          return line + `${I}PERFORM ${S}.lua_error('Attempt to modify a readonly table');\n`;
        }
        return this.refuse(s, 'a function stored in a variable or a table is not compiled (only local functions, inlined where called)');
      }
      case 'AssignmentStatement': {
        const values = this.exprList(s.init, s.variables.length, d);
        let out = line + values.pre;
        // Lua evaluates every right-hand side before assigning.
        const temps = values.exprs.map((e, i) => {
          if (s.variables.length === 1 && i === 0) return e;
          const t = this.fresh('tmp');
          out += `${I}${t} := ${e};\n`;
          return t;
        });
        s.variables.forEach((v, i) => {
          out += this.assign(v, temps[i] ?? 'NULL', d);
        });
        return out;
      }
      case 'CallStatement': {
        const call = s.expression.type === 'CallExpression' ? s.expression : undefined;
        if (call !== undefined && (this.isName(call.base, 'redis', 'call') || this.isName(call.base, 'redis', 'pcall'))) {
          // Its value is dropped: no need to make it jsonb.
          return line + this.redisCall(call, (call.base as ast.MemberExpression).identifier.name === 'pcall', d).pre;
        }
        const e = this.values(s.expression, d);
        // A call's value is dropped: only an expression still to evaluate needs a PERFORM.
        return line + e.pre + (e.expr === 'NULL::jsonb' || isPure(e.expr) ? '' : `${I}PERFORM ${e.expr};\n`);
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
          // The first condition always runs; an elseif's only when those before it were false.
          const cond = first ? this.texpr(clause.condition, d) : this.guarded(() => this.texpr(clause.condition, d + 1));
          if (first) {
            cond.facts?.forEach((f) => this.pending.add(f));
            this.commit();
            out += cond.pre + `${I}IF ${this.truthySql(cond)} THEN\n` + this.block(clause.body, d + 1);
            first = false;
          } else if (cond.pre === '') {
            out += `${I}ELSIF ${this.truthySql(cond)} THEN\n` + this.block(clause.body, d + 1);
          } else {
            // The condition needs statements first: nest it in the ELSE.
            out += `${I}ELSE\n` + cond.pre + `${I}  IF ${this.truthySql(cond)} THEN\n` + this.block(clause.body, d + 2);
            closing += `${I}  END IF;\n`;
          }
        }
        // `if not x then return … end`: past it, x is neither nil nor false.
        const [only] = s.clauses;
        const tested = only?.type === 'IfClause' && s.clauses.length === 1 && only.condition.type === 'UnaryExpression' && only.condition.operator === 'not'
          ? only.condition.argument
          : undefined;
        if (tested?.type === 'Identifier' && only?.body[only.body.length - 1]?.type === 'ReturnStatement') {
          const b = this.binding(tested.name);
          if (b?.kind === 'var' && b.t !== undefined && b.t.k !== 'bool') this.pending.add(b.v);
        }
        // Nested IFs opened for elseif conditions close before the outer one.
        return out + this.closeNested(closing, I);
      }
      case 'WhileStatement': {
        const cond = this.texpr(s.condition, d + 1);
        return line + `${I}LOOP\n` + cond.pre + `${I}  EXIT WHEN NOT ${this.truthySql(cond)};\n` + this.block(s.body, d + 1) + `${I}END LOOP;\n`;
      }
      case 'RepeatStatement': {
        // The condition sees the body's locals.
        this.scopes.push(new Map());
        const body = s.body.map((st) => this.statement(st, d + 1)).join('');
        const cond = this.texpr(s.condition, d + 1);
        this.scopes.pop();
        return line + `${I}LOOP\n` + body + cond.pre + `${I}  EXIT WHEN ${this.truthySql(cond)};\n${I}END LOOP;\n`;
      }
      case 'ForNumericStatement': {
        const start = this.expr(s.start, d);
        const end = this.expr(s.end, d);
        const step = s.step ? this.expr(s.step, d) : { pre: '', expr: "'1'::jsonb" };
        const [i, lim, st] = [this.fresh('for_i', 'float8'), this.fresh('for_limit', 'float8'), this.fresh('for_step', 'float8')];
        let out = line + start.pre + end.pre + step.pre;
        out += `${I}${i} := ${this.forNum(start.expr, 'initial value')};\n${I}${lim} := ${this.forNum(end.expr, 'limit')};\n${I}${st} := ${this.forNum(step.expr, 'step')};\n`;
        this.scopes.push(new Map());
        const v = this.declare(s.variable.name);
        const body = this.block(s.body, d + 1);
        this.scopes.pop();
        out += `${I}LOOP\n${I}  EXIT WHEN (${st} > 0 AND ${i} > ${lim}) OR (${st} <= 0 AND ${i} < ${lim});\n`;
        out += `${I}  ${v} := to_jsonb(${i});\n` + body + `${I}  ${i} := ${i} + ${st};\n${I}END LOOP;\n`;
        return out;
      }
      case 'ForGenericStatement':
        return line + this.forGeneric(s, d);
      case 'ReturnStatement': {
        const frame = this.frames[this.frames.length - 1];
        if (frame !== undefined) {
          const p = this.pack(s.arguments, d);
          return line + p.pre + `${I}${frame.ret} := ${p.expr};\n${I}EXIT ${frame.label};\n`;
        }
        const typed = this.typedReturn(s.arguments, d);
        if (typed !== undefined) return line + typed.pre + `${I}RETURN ${typed.expr};\n`;
        // Redis keeps the first value; the others are still evaluated (they may call Redis).
        const p = this.exprList(s.arguments, 1, d);
        return line + p.pre + `${I}RETURN ${S}.lua_reply(${p.exprs[0] ?? 'NULL'});\n`;
      }
      case 'BreakStatement':
        return `${I}EXIT;\n`;
      case 'DoStatement':
        return line + this.block(s.body, d);
      default:
        return this.refuse(s, `${s.type} is not compiled`);
    }
  }

  private truthy(e: string): string {
    if (e.startsWith('to_jsonb(') && e.endsWith(')') && /^to_jsonb\((NOT )?\S+\.lua_(eq|lt|truthy)\(/.test(e)) return e.slice('to_jsonb('.length, -1);
    return `${this.S}.lua_truthy(${e})`;
  }

  private defineFunction(name: string, fn: ast.FunctionDeclaration): void {
    const scope = this.scopes[this.scopes.length - 1];
    // A snapshot: locals declared after the function are not visible in it, as in Lua.
    const snapshot = this.scopes.map((m) => new Map(m));
    scope?.set(name, { kind: 'fn', node: fn, scopes: snapshot });
    // `local function f` sees itself (a call is then refused as recursion).
    if (fn.isLocal && fn.type === 'FunctionDeclaration') snapshot[snapshot.length - 1]?.set(name, { kind: 'fn', node: fn, scopes: snapshot });
  }

  /** Statements storing `value` (a jsonb SQL expression) into an assignment target. */
  private assign(target: ast.Expression, value: string, d: number): string {
    const I = this.ind(d);
    const S = this.S;
    if (target.type === 'Identifier') {
      const b = this.binding(target.name);
      if (b?.kind === 'fn') this.refuse(target, `assigning to the local function '${target.name}' is not compiled`);
      if (b === undefined) return `${I}PERFORM ${S}.lua_error('Attempt to modify a readonly table');\n`;
      return `${I}${b.v} := ${value};\n`;
    }
    if (target.type === 'IndexExpression' || target.type === 'MemberExpression') {
      const path = this.path(target, d);
      if (path.keys.length === 1) {
        return path.pre + `${I}${path.root} := ${S}.lua_setindex(${path.root}, ${path.keys[0]}, ${value}, ${path.desc});\n`;
      }
      return path.pre + `${I}${path.root} := ${S}.lua_setpath(${path.root}, jsonb_build_array(${path.keys.map((k) => `coalesce(${k}, 'null'::jsonb)`).join(', ')}), ${value}, ${path.desc});\n`;
    }
    return this.refuse(target, 'assignment target not compiled');
  }

  /** `t[a].b[c]` as its root variable (a local, KEYS or ARGV) and its keys. */
  private path(e: ast.Expression, d: number): { pre: string; root: string; keys: string[]; desc: string } {
    const keys: string[] = [];
    let pre = '';
    let node = e;
    const keyNodes: Code[] = [];
    while (node.type === 'IndexExpression' || node.type === 'MemberExpression') {
      if (node.type === 'MemberExpression') {
        if (node.indexer !== '.') this.refuse(node, 'method call as an assignment target');
        keyNodes.unshift({ pre: '', expr: hexLit(Buffer.from(node.identifier.name, 'latin1')) });
      } else keyNodes.unshift(this.expr(node.index, d));
      node = node.base;
    }
    if (node.type !== 'Identifier') this.refuse(node, 'assignment into a table that is not held by a local variable (tables are values here: write it through a local)');
    const root = this.lookup(node.name, node) ?? (node.name === 'KEYS' ? 'v_keys' : node.name === 'ARGV' ? 'v_argv' : undefined);
    if (root === undefined) {
      return { pre: '', root: this.fresh('global'), keys: [`${this.S}.lua_error(${lit(`Script attempted to access nonexistent global variable '${node.name}'`)})`], desc: "''" };
    }
    for (const k of keyNodes) {
      pre += k.pre;
      keys.push(k.expr);
    }
    return { pre, root, keys, desc: this.describe(node) };
  }

  private closeNested(closing: string, I: string): string {
    return closing.split('\n').filter(Boolean).reverse().map((l) => `${l}\n`).join('') + `${I}END IF;\n`;
  }

  private forNum(e: string, what: string): string {
    return `coalesce((${this.S}.lua_tonumber(${e}) #>> '{}')::float8, (${this.S}.lua_error('''for'' ${what} must be a number') #>> '{}')::float8)`;
  }

  /** for k, v in pairs(t) / next, t / ipairs(t) / a library iterator (string.gmatch). */
  private forGeneric(s: ast.ForGenericStatement, d: number): string {
    const I = this.ind(d);
    const S = this.S;
    const [it, second] = s.iterators;
    let kind: 'pairs' | 'ipairs' | 'iterator' | undefined;
    let subject: ast.Expression | undefined;
    let iterSql: Code | undefined;
    if (it?.type === 'CallExpression' && s.iterators.length === 1 && it.arguments.length === 1 && (this.isGlobal(it.base, 'pairs') || this.isGlobal(it.base, 'ipairs'))) {
      kind = this.isGlobal(it.base, 'pairs') ? 'pairs' : 'ipairs';
      subject = it.arguments[0];
    } else if (it !== undefined && this.isGlobal(it, 'next') && second !== undefined && (s.iterators.length === 2 || s.iterators[2]?.type === 'NilLiteral')) {
      kind = 'pairs';
      subject = second;
    } else if (it?.type === 'CallExpression' && s.iterators.length === 1) {
      // s:gmatch(p) is string.gmatch(s, p).
      const method = it.base.type === 'MemberExpression' && it.base.indexer === ':' ? it.base : undefined;
      const call = method === undefined ? it : ({ ...it, base: { ...method, indexer: '.', base: { type: 'Identifier', name: 'string' } }, arguments: [method.base, ...it.arguments] } as ast.CallExpression);
      const name = method === undefined ? this.libraryName(it.base) : `string.${method.identifier.name}`;
      const fn = name === undefined ? undefined : LIBRARY[name];
      if (fn?.results === 'iterator') {
        kind = 'iterator';
        iterSql = this.library(call, fn, d);
      }
    }
    if (kind === undefined) this.refuse(s, 'generic for is compiled over pairs(t), ipairs(t), next, t and the library\'s iterators (string.gmatch)');
    let out = '';
    const names = (): string[] => s.variables.map((v) => this.declare(v.name));
    if (kind === 'iterator' && iterSql !== undefined) {
      const [list, n, item] = [this.fresh('iter_list'), this.fresh('iter_n', 'int'), this.fresh('iter_item')];
      out += iterSql.pre + `${I}${list} := ${iterSql.expr};\n${I}${n} := 0;\n`;
      this.scopes.push(new Map());
      const vs = names();
      const body = this.block(s.body, d + 1);
      this.scopes.pop();
      out += `${I}LOOP\n${I}  ${item} := ${list} -> ${n};\n${I}  EXIT WHEN ${item} IS NULL;\n${I}  ${n} := ${n} + 1;\n`;
      vs.forEach((v, i) => (out += `${I}  ${v} := NULLIF(${item} -> ${i}, 'null'::jsonb);\n`));
      return out + body + `${I}END LOOP;\n`;
    }
    const t = this.expr(subject as ast.Expression, d);
    // A local iterated over is read afresh at each step: fields it changes or clears show, as in Lua.
    const live = subject?.type === 'Identifier' ? (this.lookup(subject.name) ?? t.expr) : undefined;
    const tv = this.fresh(`${kind}_t`);
    out += t.pre + `${I}${tv} := ${t.expr};\n`;
    const src = live ?? tv;
    this.scopes.push(new Map());
    const vs = names();
    const body = this.block(s.body, d + 1);
    this.scopes.pop();
    const [kv, vv] = [this.fresh(`${kind}_k`), this.fresh(`${kind}_v`)];
    if (kind === 'ipairs') {
      const n = this.fresh('ipairs_i', 'int');
      out += `${I}PERFORM ${S}.lua_index(${tv}, '1'::jsonb, ${this.describe(subject as ast.Expression)});\n${I}${n} := 0;\n`;
      out += `${I}LOOP\n${I}  ${n} := ${n} + 1;\n${I}  ${kv} := to_jsonb(${n});\n${I}  ${vv} := ${S}.lua_index(${src}, ${kv});\n${I}  EXIT WHEN ${vv} IS NULL;\n`;
    } else {
      const [keys, n] = [this.fresh('pairs_keys'), this.fresh('pairs_i', 'int')];
      out += `${I}${keys} := ${S}.lua_keys(${tv});\n${I}${n} := 0;\n`;
      out += `${I}LOOP\n${I}  EXIT WHEN ${n} >= jsonb_array_length(${keys});\n${I}  ${kv} := ${S}.lua_unkey(${keys} ->> ${n});\n${I}  ${n} := ${n} + 1;\n`;
      out += `${I}  ${vv} := ${S}.lua_index(${src}, ${kv});\n${I}  CONTINUE WHEN ${vv} IS NULL;\n`;
    }
    if (vs[0] !== undefined) out += `${I}  ${vs[0]} := ${kv};\n`;
    if (vs[1] !== undefined) out += `${I}  ${vs[1]} := ${vv};\n`;
    for (const extra of vs.slice(2)) out += `${I}  ${extra} := NULL;\n`;
    return out + body + `${I}END LOOP;\n`;
  }

  /** Values of an expression list adjusted to n (Lua: the last expression spreads, the others give one value). */
  private exprList(list: readonly ast.Expression[], n: number, d: number): { pre: string; exprs: string[] } {
    const I = this.ind(d);
    let pre = '';
    const exprs: string[] = [];
    list.forEach((e, i) => {
      const last = i === list.length - 1;
      const c = last ? this.values(e, d) : this.expr(e, d);
      pre += c.pre;
      if (last && 'multi' in c && c.multi) {
        const p = this.fresh('pack');
        pre += `${I}${p} := ${c.expr};\n`;
        for (let j = 0; exprs.length < Math.max(n, i + 1); j++) exprs.push(`NULLIF(${p} -> ${j}, 'null'::jsonb)`);
      } else exprs.push(c.expr);
    });
    while (exprs.length < n) exprs.push('NULL');
    return { pre, exprs };
  }

  /** A whole expression list as one pack (arguments of an inlined call, a function's return values). */
  private pack(list: readonly ast.Expression[], d: number): Code {
    let pre = '';
    const items: string[] = [];
    let tail = '';
    list.forEach((e, i) => {
      const c = i === list.length - 1 ? this.values(e, d) : { ...this.expr(e, d), multi: false };
      pre += c.pre;
      if (c.multi) tail = c.expr;
      else items.push(`coalesce(${c.expr}, 'null'::jsonb)`);
    });
    const head = items.length === 0 ? `'[]'::jsonb` : `jsonb_build_array(${items.join(', ')})`;
    return { pre, expr: tail === '' ? head : items.length === 0 ? tail : `${head} || ${tail}` };
  }

  private isGlobal(e: ast.Expression, name: string): boolean {
    return e.type === 'Identifier' && e.name === name && this.binding(name) === undefined;
  }

  private isName(e: ast.Expression, base: string, member: string): boolean {
    return e.type === 'MemberExpression' && e.indexer === '.' && this.isGlobal(e.base, base) && e.identifier.name === member;
  }

  /** `(f())`: luaparse drops parentheses, and they cut a call's results to one. */
  private parenthesized(e: Node): boolean {
    const range = (e as { range?: [number, number] }).range;
    if (range === undefined) return false;
    let i = range[0] - 1;
    while (i >= 0 && /\s/.test(this.source[i] ?? '')) i--;
    if (this.source[i] !== '(') return false;
    let j = i - 1;
    while (j >= 0 && /\s/.test(this.source[j] ?? '')) j--;
    const before = this.source[j] ?? '';
    if (/[)\]]/.test(before)) return false;
    if (/[A-Za-z0-9_]/.test(before)) {
      let k = j;
      while (k >= 0 && /[A-Za-z0-9_]/.test(this.source[k] ?? '')) k--;
      return KEYWORDS_BEFORE_PAREN.has(this.source.slice(k + 1, j + 1));
    }
    return true;
  }

  /** An expression that may give several values (a call, `...`): a pack when `multi`. */
  private values(e: ast.Expression, d: number): Values {
    if (!this.parenthesized(e)) {
      if (e.type === 'CallExpression' || e.type === 'StringCallExpression' || e.type === 'TableCallExpression') return this.call(this.asCall(e), d);
      if (e.type === 'VarargLiteral') return { pre: '', expr: this.vararg(e), multi: true };
    }
    return { ...this.expr(e, d), multi: false };
  }

  /** Whether an argument in last place may give other than one value (a call of a function returning several, `...`). */
  private mayBeMulti(e: ast.Expression): boolean {
    if (this.parenthesized(e)) return false;
    if (e.type === 'VarargLiteral') return true;
    if (e.type !== 'CallExpression' && e.type !== 'StringCallExpression' && e.type !== 'TableCallExpression') return false;
    const base = e.base;
    if (base.type === 'Identifier' && this.binding(base.name)?.kind === 'fn') return true;
    if (['unpack', 'select', 'next', 'assert', 'pcall'].some((n) => this.isGlobal(base, n)) || this.isName(base, 'table', 'unpack')) return true;
    const name = this.libraryName(base);
    return name !== undefined && LIBRARY[name]?.results === 'multi';
  }

  private vararg(e: Node): string {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.vararg === undefined) return this.refuse(e, '`...` outside a vararg local function is not compiled');
    return frame.vararg;
  }

  private asCall(e: ast.CallExpression | ast.StringCallExpression | ast.TableCallExpression): ast.CallExpression {
    if (e.type === 'CallExpression') return e;
    return { ...e, type: 'CallExpression', arguments: [e.type === 'StringCallExpression' ? e.argument : e.arguments] } as ast.CallExpression;
  }

  /** An expression: statements to run first (redis.call), then a jsonb SQL expression. */
  private expr(e: ast.Expression, d: number): Code {
    // Literals are jsonb constants as they are.
    if (['NilLiteral', 'BooleanLiteral', 'NumericLiteral', 'StringLiteral'].includes(e.type)) return this.exprJsonb(e, d);
    const c = this.texpr(e, d);
    return { pre: c.pre, expr: this.box(c) };
  }

  /** An expression typed when its type is known (see Ty), else jsonb. */
  private texpr(e: ast.Expression, d: number): TCode {
    const S = this.S;
    const any = (c: Code): TCode => ({ pre: c.pre, sql: c.expr, t: undefined });
    switch (e.type) {
      case 'StringLiteral':
        return { pre: '', sql: `'\\x${Buffer.from(this.stringValue(e), 'latin1').toString('hex')}'::bytea`, t: { k: 'str', nul: 'no' } };
      case 'NumericLiteral':
        if (!Number.isFinite(e.value)) break;
        return { pre: '', sql: `'${String(e.value)}'::float8`, t: { k: 'num', nul: 'no' } };
      case 'BooleanLiteral':
        return { pre: '', sql: String(e.value), t: { k: 'bool', nul: 'no' } };
      case 'Identifier': {
        const b = this.binding(e.name);
        if (b?.kind === 'var' && b.t !== undefined) return { pre: '', sql: b.v, t: this.sure(b.v, b.t) };
        break;
      }
      case 'IndexExpression': {
        // KEYS[n] and ARGV[n] (never assigned to): strings, or nil past the end.
        const base = e.base;
        const n = e.index.type === 'NumericLiteral' ? e.index.value : 0;
        if (base.type === 'Identifier' && (base.name === 'KEYS' || base.name === 'ARGV') && this.binding(base.name) === undefined && !this.assigned.has(base.name) && Number.isInteger(n) && n >= 1 && n <= 1_000_000) {
          const sql = base.name === 'KEYS' ? `convert_to(keys[${n}], 'UTF8')` : `argv[${n}]`;
          return { pre: '', sql, t: this.sure(sql, { k: 'str', nul: 'nil' }) };
        }
        break;
      }
      case 'BinaryExpression': {
        const l = this.texpr(e.left, d);
        const r = this.texpr(e.right, d);
        const typed = this.typedBinary(e, l, r, d);
        if (typed !== undefined) return typed;
        return any(this.binaryJsonb(e, l.pre + r.pre, this.box(l), this.box(r)));
      }
      case 'UnaryExpression': {
        const a = this.texpr(e.argument, d);
        if (e.operator === 'not') return { pre: a.pre, sql: `(NOT ${this.truthySql(a)})`, t: { k: 'bool', nul: 'no' } };
        if (e.operator === '#' && a.t?.k === 'str' && a.t.nul === 'no') return { pre: a.pre, sql: `length(${a.sql})::float8`, t: { k: 'num', nul: 'no' } };
        if (e.operator === '-' && a.t?.k === 'num' && a.t.nul === 'no') return { pre: a.pre, sql: `(- ${a.sql})`, t: { k: 'num', nul: 'no' } };
        if (e.operator === '-') return any({ pre: a.pre, expr: `${S}.lua_unm(${this.box(a)}, ${this.describe(e.argument)})` });
        if (e.operator === '#') return any({ pre: a.pre, expr: `${S}.lua_len(${this.box(a)}, ${this.describe(e.argument)})` });
        return this.refuse(e, `operator ${String(e.operator)} is not compiled`);
      }
      case 'LogicalExpression': {
        // `x or false` (a redis.call's nil reply read as false): x itself, its nil now false.
        if (e.operator === 'or' && e.right.type === 'BooleanLiteral' && !e.right.value) {
          const l = this.texpr(e.left, d);
          if (l.t !== undefined) return { pre: l.pre, sql: l.sql, t: l.t.nul === 'no' ? l.t : { k: l.t.k, nul: 'false' } };
          const t = this.fresh('logic');
          const I = this.ind(d);
          return any({ pre: l.pre + `${I}${t} := ${l.sql};\n${I}IF NOT ${S}.lua_truthy(${t}) THEN\n${I}  ${t} := 'false'::jsonb;\n${I}END IF;\n`, expr: t });
        }
        break;
      }
      case 'CallExpression': {
        if (this.isName(e.base, 'redis', 'call') || this.isName(e.base, 'redis', 'pcall')) {
          return this.redisCall(e, (e.base as ast.MemberExpression).identifier.name === 'pcall', d);
        }
        const [a, extra] = e.arguments;
        if (this.libraryName(e.base) === 'tonumber' && LIBRARY['tonumber'] !== undefined && a !== undefined && extra === undefined && !this.mayBeMulti(a)) {
          const c = this.texpr(a, d);
          if (c.t?.k === 'str') return { ...this.parseNumber(c, d), t: { k: 'num', nul: 'nil' } };
          if (c.t?.k === 'num') return c;
          return any({ pre: c.pre, expr: `${S}.lua_tonumber(${this.box(c)})` });
        }
        break;
      }
      default:
        break;
    }
    return any(this.exprJsonb(e, d));
  }

  /**
   * tonumber of a typed string. A run-time value that is plain decimal digits (ARGV[n] holding a
   * limit, a count, a time) is cast in place: lua_parse_number is a PL/pgSQL call (~30k
   * instructions) for the general case (spaces, hex, exponents, not a number). A literal keeps the
   * plain call, which PostgreSQL folds when planning.
   */
  private parseNumber(c: TCode, d: number): { pre: string; sql: string; cases?: TCode['cases'] } {
    const call = `${this.S}.lua_parse_number(${c.sql})`;
    if (c.sql.startsWith("'")) return { pre: c.pre, sql: call };
    let pre = c.pre;
    let x = c.sql;
    if (!isPureTyped(x)) {
      x = this.fresh('number_text', 'bytea');
      pre += `${this.ind(d)}${x} := ${c.sql};\n`;
    }
    const text = `encode(${x}, 'escape')`;
    const [test, then, otherwise] = [`${text} ~ '^-?[0-9]{1,15}$'`, `${text}::float8`, `${this.S}.lua_parse_number(${x})`];
    const sql = `(CASE WHEN ${test} THEN ${then} ELSE ${otherwise} END)`;
    return { pre, sql, cases: { of: sql, test, then, otherwise } };
  }

  /** A binary operation on typed operands as SQL operators, when their types allow it. */
  private typedBinary(e: ast.BinaryExpression, lc: TCode, rc: TCode, d: number): TCode | undefined {
    const [lt, rt] = [lc.t, rc.t];
    if (lt === undefined || rt === undefined) return undefined;
    const both = lt.nul === 'no' && rt.nul === 'no';
    // An operand read twice (its test for nil, then its value) is computed once. Typed SQL reads
    // only values that do not change (typed locals are never assigned), so it may move past r's statements.
    let pre = lc.pre + rc.pre;
    const once = (c: TCode, t: Ty): TCode => {
      if (both || isPureTyped(c.sql)) return c;
      const v = this.fresh('operand', PG_TYPE[t.k]);
      pre += `${this.ind(d)}${v} := ${c.sql};\n`;
      return { pre: '', sql: v, t };
    };
    const l = once(lc, lt);
    const r = once(rc, rt);
    const eitherNull = `${l.sql} IS NULL OR ${r.sql} IS NULL`;
    const S = this.S;
    const op = e.operator;
    // Arithmetic, `..` and orderings raise on nil or false: once evaluated, their operands are neither.
    const facts = [...factsOf(lc, rc), ...[l.sql, r.sql].filter(isFactSql)];
    if ((op === '+' || op === '-' || op === '*') && lt.k === 'num' && rt.k === 'num') {
      const sql = `(${l.sql} ${op} ${r.sql})`;
      // nil or false in an operand: the jsonb helper raises Lua's error.
      const fallback = `(${S}.${ARITH[op]}(${this.box(l)}, ${this.box(r)}, ${this.describe(e.left)}, ${this.describe(e.right)}) #>> '{}')::float8`;
      return { pre, sql: both ? sql : `(CASE WHEN ${eitherNull} THEN ${fallback} ELSE ${sql} END)`, t: { k: 'num', nul: 'no' }, facts };
    }
    if (op === '..' && lt.k === 'str' && rt.k === 'str') {
      // nil or false on either side: lua_concat raises Lua's error ('job:' .. id after a nil LPOP).
      const fallback = `${S}.lua_bytes(${S}.lua_concat(${this.box(l)}, ${this.box(r)}, ${this.describe(e.left)}, ${this.describe(e.right)}))`;
      const sql = `(${l.sql} || ${r.sql})`;
      return { pre, sql: both ? sql : `(CASE WHEN ${eitherNull} THEN ${fallback} ELSE ${sql} END)`, t: { k: 'str', nul: 'no' }, facts };
    }
    if (op === '==' || op === '~=') {
      const not = op === '~=' ? 'NOT ' : '';
      if (lt.k === rt.k && (lt.nul === 'no' || rt.nul === 'no')) {
        // nil or false on one side never equals the other side's string, number or boolean.
        const eq = both ? `${l.sql} = ${r.sql}` : `coalesce(${l.sql} = ${r.sql}, false)`;
        return { pre, sql: `(${not}(${eq}))`, t: { k: 'bool', nul: 'no' } };
      }
      if (lt.k !== rt.k && both) return { pre, sql: op === '~=' ? 'true' : 'false', t: { k: 'bool', nul: 'no' } };
      return undefined;
    }
    if ((op === '<' || op === '<=' || op === '>' || op === '>=') && lt.k === rt.k && lt.k !== 'bool') {
      const sql = `(${l.sql} ${op} ${r.sql})`;
      // Lua evaluates a > b as b < a: the helper is given them in that order for its error's words.
      const [a, b] = op === '<' || op === '<=' ? [l, r] : [r, l];
      const fallback = `${S}.lua_lt(${this.box(a)}, ${this.box(b)}, ${op === '<=' || op === '>='})`;
      return { pre, sql: both ? sql : `(CASE WHEN ${eitherNull} THEN ${fallback} ELSE ${sql} END)`, t: { k: 'bool', nul: 'no' }, facts };
    }
    return undefined;
  }

  /** A binary operation on jsonb operands: the jsonb helpers. */
  private binaryJsonb(e: ast.BinaryExpression, pre: string, lx: string, rx: string): Code {
    const S = this.S;
    const f = ARITH[e.operator];
    if (f !== undefined) return { pre, expr: `${S}.${f}(${lx}, ${rx}, ${this.describe(e.left)}, ${this.describe(e.right)})` };
    const b = (x: string): string => `to_jsonb(${x})`;
    switch (e.operator) {
      case '==':
        return { pre, expr: b(`${S}.lua_eq(${lx}, ${rx})`) };
      case '~=':
        return { pre, expr: b(`NOT ${S}.lua_eq(${lx}, ${rx})`) };
      case '<':
        return { pre, expr: b(`${S}.lua_lt(${lx}, ${rx}, false)`) };
      case '<=':
        return { pre, expr: b(`${S}.lua_lt(${lx}, ${rx}, true)`) };
      case '>':
        return { pre, expr: b(`${S}.lua_lt(${rx}, ${lx}, false)`) };
      case '>=':
        return { pre, expr: b(`${S}.lua_lt(${rx}, ${lx}, true)`) };
      default:
        return this.refuse(e, `operator ${e.operator} is not compiled`);
    }
  }

  /**
   * `return v` or `return {a, b, c}` of typed values: the reply written out
   * (lua_reply, which walks jsonb, is for the rest). Items that may be nil
   * (which ends a reply's array) leave it to lua_reply.
   */
  private typedReturn(args: readonly ast.Expression[], d: number): Code | undefined {
    const [only] = args;
    if (args.length !== 1 || only === undefined || this.mayBeMulti(only)) return undefined;
    if (only.type !== 'TableConstructorExpression') {
      const c = this.settled(this.texpr(only, d), d);
      return { pre: c.pre, expr: this.replyOf(c) ?? `${this.S}.lua_reply(${c.sql})` };
    }
    const fields = only.fields;
    const last = fields[fields.length - 1];
    if (last === undefined || !fields.every((f) => f.type === 'TableValue') || !this.surelySingle(last.value)) return undefined;
    const items = fields.map((f) => this.settled(this.texpr(f.value, d), d));
    const pre = items.map((c) => c.pre).join('');
    const replies = items.map((c) => (c.t?.nul === 'nil' ? undefined : this.replyOf(c)));
    if (replies.every((r): r is string => r !== undefined)) return { pre, expr: `jsonb_build_object('a', jsonb_build_array(${replies.join(', ')}))` };
    const table = `${this.S}.lua_trim(jsonb_build_array(${items.map((c) => `coalesce(${this.box(c)}, 'null'::jsonb)`).join(', ')}))`;
    return { pre, expr: `${this.S}.lua_reply(${table})` };
  }

  /**
   * A typed number in a variable unless it is one already (or a literal). lua_int_text reads its
   * argument twice, and PostgreSQL inlines a SQL function only when such an argument is cheap: an
   * arithmetic CASE with its helper fallback is not, and the function called rather than inlined
   * is planned afresh in every transaction (~160k instructions, a fifth of the bench's rate limiter).
   */
  private settled(c: TCode, d: number): TCode {
    if (c.t?.k !== 'num' || isPureTyped(c.sql)) return c;
    const v = this.fresh('value', 'float8');
    return { pre: c.pre + `${this.ind(d)}${v} := ${c.sql};\n`, sql: v, t: c.t };
  }

  /** Whether an expression gives exactly one value (a method call like s:gsub(…) may give several). */
  private surelySingle(e: ast.Expression): boolean {
    if (this.parenthesized(e) || e.type === 'VarargLiteral') return this.parenthesized(e);
    if (e.type !== 'CallExpression' && e.type !== 'StringCallExpression' && e.type !== 'TableCallExpression') return true;
    return this.isName(e.base, 'redis', 'call') || this.isName(e.base, 'redis', 'pcall') || this.libraryName(e.base) === 'tonumber';
  }

  /** An expression as jsonb, by the jsonb helpers (texpr's fallback). */
  private exprJsonb(e: ast.Expression, d: number): Code {
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
      case 'VarargLiteral':
        return { pre: '', expr: `${S}.lua_first(${this.vararg(e)})` };
      case 'Identifier': {
        const v = this.lookup(e.name, e);
        if (v !== undefined) return { pre: '', expr: v };
        if (e.name === 'KEYS') return { pre: '', expr: 'v_keys' };
        if (e.name === 'ARGV') return { pre: '', expr: 'v_argv' };
        if (LIBRARY_VALUES[e.name] === undefined && BUILTIN_GLOBALS.has(e.name)) {
          this.refuse(e, `'${e.name}' used as a value is not compiled`);
        }
        // Redis' globals protection: reading an undefined global is a runtime error.
        return { pre: '', expr: `${S}.lua_error(${lit(`Script attempted to access nonexistent global variable '${e.name}'`)})` };
      }
      case 'LogicalExpression': {
        const l = this.expr(e.left, d);
        // The right side runs only when needed.
        const r = this.guarded(() => this.expr(e.right, d + 1));
        if (l.pre === '' && r.pre === '' && isPure(r.expr)) {
          // No statement on the right: one CASE keeps the short-circuit.
          const test = e.operator === 'and' ? `${S}.lua_truthy(${l.expr})` : `NOT ${S}.lua_truthy(${l.expr})`;
          if (isPure(l.expr)) return { pre: '', expr: `CASE WHEN ${test} THEN ${r.expr} ELSE ${l.expr} END` };
        }
        const t = this.fresh('logic');
        const test = e.operator === 'and' ? `${S}.lua_truthy(${t})` : `NOT ${S}.lua_truthy(${t})`;
        // Short-circuit: the right side (and its redis.calls) runs only when needed.
        const pre = l.pre + `${I}${t} := ${l.expr};\n${I}IF ${test} THEN\n` + r.pre + `${I}  ${t} := ${r.expr};\n${I}END IF;\n`;
        return { pre, expr: t };
      }
      case 'IndexExpression': {
        const b = this.expr(e.base, d);
        const k = this.expr(e.index, d);
        return { pre: b.pre + k.pre, expr: `${S}.lua_index(${b.expr}, ${k.expr}, ${this.describe(e.base)})` };
      }
      case 'MemberExpression': {
        const name = this.libraryName(e);
        if (name !== undefined && LIBRARY_VALUES[name] !== undefined) return { pre: '', expr: (LIBRARY_VALUES[name] as (S: string) => string)(S) };
        if (e.indexer !== '.') return this.refuse(e, 'a method used as a value is not compiled');
        if (name !== undefined && BUILTIN_GLOBALS.has(name.split('.')[0] ?? '')) this.refuse(e, `'${name}' used as a value is not compiled`);
        const b = this.expr(e.base, d);
        return { pre: b.pre, expr: `${S}.lua_index(${b.expr}, ${hexLit(Buffer.from(e.identifier.name, 'latin1'))}, ${this.describe(e.base)})` };
      }
      case 'TableConstructorExpression':
        return this.table(e, d);
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression': {
        const c = this.call(this.asCall(e), d);
        return { pre: c.pre, expr: c.multi ? `${S}.lua_first(${c.expr})` : c.expr };
      }
      case 'FunctionDeclaration':
        return this.refuse(e, 'a function value is not compiled (only local functions, inlined where they are called)');
      default:
        return this.refuse(e, `${(e as Node).type} is not compiled`);
    }
  }

  /** How Lua 5.1 names an operand in a type error (getobjname): locals, globals, fields with a string key. */
  private describe(e: ast.Expression): string {
    if (e.type === 'Identifier') return lit(this.binding(e.name) !== undefined ? `local '${e.name}'` : `global '${e.name}'`);
    if (e.type === 'IndexExpression') return lit(e.index.type === 'StringLiteral' && e.index.value !== null ? `field '${e.index.value}'` : "field '?'");
    if (e.type === 'MemberExpression') return lit(`field '${e.identifier.name}'`);
    return "''";
  }

  private stringValue(e: ast.StringLiteral): string {
    if (e.value === null) this.refuse(e, 'string literal not decoded');
    return e.value;
  }

  private table(e: ast.TableConstructorExpression, d: number): Code {
    const S = this.S;
    const I = this.ind(d);
    let pre = '';
    const positional = e.fields.filter((f): f is ast.TableValue => f.type === 'TableValue');
    const items = this.pack(positional.map((f) => f.value), d);
    const keyed = e.fields.filter((f) => f.type !== 'TableValue');
    if (keyed.length === 0) {
      return { pre: items.pre, expr: positional.length === 0 ? `'[]'::jsonb` : `${S}.lua_trim(${items.expr})` };
    }
    // Fields in order, then the positional items (they win over [i]= fields, as Lua's SETLIST does).
    const t = this.fresh('table');
    pre += `${I}${t} := '[]'::jsonb;\n`;
    for (const f of keyed) {
      const k = f.type === 'TableKeyString' ? { pre: '', expr: hexLit(Buffer.from(f.key.name, 'latin1')) } : this.expr((f as ast.TableKey).key, d);
      const v = this.expr(f.value, d);
      pre += k.pre + v.pre + `${I}${t} := ${S}.lua_setindex(${t}, ${k.expr}, ${v.expr}, '');\n`;
    }
    if (positional.length > 0) pre += items.pre + `${I}${t} := ${S}.lua_setlist(${t}, ${items.expr});\n`;
    return { pre, expr: t };
  }

  private call(e: ast.CallExpression, d: number): Values {
    const S = this.S;
    const I = this.ind(d);
    const base = e.base;
    const args = e.arguments;
    const single = (c: Code): Values => ({ ...c, multi: false });
    const one = (i: number): Code => {
      const a = args[i];
      return a === undefined ? { pre: '', expr: 'NULL::jsonb' } : this.expr(a, d);
    };
    if (this.isName(base, 'redis', 'call') || this.isName(base, 'redis', 'pcall')) {
      const c = this.redisCall(e, (base as ast.MemberExpression).identifier.name === 'pcall', d);
      return single({ pre: c.pre, expr: this.box(c) });
    }
    if (this.isName(base, 'redis', 'error_reply') || this.isName(base, 'redis', 'status_reply')) {
      const a = one(0);
      const isError = (base as ast.MemberExpression).identifier.name === 'error_reply';
      const text = `${S}.lua_concat_part(${a.expr})`;
      return single({
        pre: a.pre,
        expr: `jsonb_build_object(${lit(tableKey(isError ? 'err' : 'ok'))}, ${S}.lua_str(${isError ? `${S}.lua_error_text(${text})` : text}))`,
      });
    }
    if (this.isName(base, 'redis', 'sha1hex')) {
      const a = one(0);
      return single({ pre: a.pre, expr: `${S}.lua_str(convert_to(${S}.lua_sha1hex(${S}.lua_concat_part(${a.expr})), 'UTF8'))` });
    }
    if (this.isName(base, 'redis', 'log')) {
      // Redis writes the message to its log: PostgreSQL's server log is the counterpart.
      const parts = args.map((a) => this.expr(a, d));
      const msg = parts.slice(1).map((p) => `convert_from(${S}.lua_concat_part(${p.expr}), 'UTF8')`).join(` || ' ' || `) || "''";
      return single({ pre: parts.map((p) => p.pre).join('') + `${I}RAISE LOG 'redis2sql lua: %', ${msg};\n`, expr: 'NULL::jsonb' });
    }
    if (base.type === 'Identifier') {
      const b = this.binding(base.name);
      if (b?.kind === 'fn') return this.inline(e, base.name, b, d);
    }
    if (base.type === 'FunctionDeclaration') {
      return this.inline(e, 'function', { kind: 'fn', node: base, scopes: this.scopes.map((m) => new Map(m)) }, d);
    }
    if (this.isName(base, 'table', 'sort')) return single(this.sort(e, d));
    // string.gsub(s, p, f) and s:gsub(p, f) with a function f.
    const gsubMethod = base.type === 'MemberExpression' && base.indexer === ':' && base.identifier.name === 'gsub' ? base : undefined;
    if (this.isName(base, 'string', 'gsub') || gsubMethod !== undefined) {
      const call = gsubMethod === undefined ? e : ({ ...e, arguments: [gsubMethod.base, ...args] } as ast.CallExpression);
      const f = this.functionArg(call.arguments[2]);
      if (f !== undefined) return this.gsubFunction(call, f, d);
    }
    if (this.isGlobal(base, 'unpack') || this.isName(base, 'table', 'unpack')) {
      const [t, i, j] = [one(0), one(1), one(2)];
      return { pre: t.pre + i.pre + j.pre, expr: `${S}.lua_unpack(${t.expr}, ${i.expr}, ${j.expr})`, multi: true };
    }
    if (this.isGlobal(base, 'select')) {
      const n = one(0);
      const rest = this.pack(args.slice(1), d);
      return { pre: n.pre + rest.pre, expr: `${S}.lua_select(${n.expr}, ${rest.expr})`, multi: true };
    }
    if (this.isGlobal(base, 'next')) {
      const [t, k] = [one(0), one(1)];
      return { pre: t.pre + k.pre, expr: `${S}.lua_next(${t.expr}, ${k.expr})`, multi: true };
    }
    if (this.isGlobal(base, 'error')) {
      const [m, level] = [one(0), one(1)];
      return single({ pre: m.pre + level.pre + `${I}PERFORM ${S}.lua_raise(${m.expr}, ${level.expr});\n`, expr: 'NULL::jsonb' });
    }
    if (this.isGlobal(base, 'assert')) {
      const p = this.pack(args, d);
      return { pre: p.pre, expr: `${S}.lua_assert(${p.expr})`, multi: true };
    }
    if (this.isName(base, 'table', 'insert')) {
      const [t, pos, v] = args;
      if (t === undefined || pos === undefined || args.length > 3) this.refuse(e, 'wrong number of arguments to \'insert\'');
      const tc = this.expr(t, d);
      const p = this.expr(pos, d);
      const vc = v === undefined ? undefined : this.expr(v, d);
      const changed = vc === undefined ? `${S}.lua_append(${tc.expr}, ${p.expr})` : `${S}.lua_insert(${tc.expr}, ${p.expr}, ${vc.expr})`;
      return single({ pre: tc.pre + p.pre + (vc?.pre ?? '') + this.assign(t, changed, d), expr: 'NULL::jsonb' });
    }
    if (this.isName(base, 'table', 'remove')) {
      const [t] = args;
      if (t === undefined || args.length > 2) this.refuse(e, 'wrong number of arguments to \'remove\'');
      const tc = this.expr(t, d);
      const p = one(1);
      const r = this.fresh('removed');
      // lua_remove gives [the table without the element, the element].
      const pre = tc.pre + p.pre + `${I}${r} := ${S}.lua_remove(${tc.expr}, ${p.expr}, ${args.length > 1});\n` + this.assign(t, `${r} -> 0`, d);
      return single({ pre, expr: `NULLIF(${r} -> 1, 'null'::jsonb)` });
    }
    if (this.isName(base, 'table', 'concat')) {
      const [t, sep, i, j] = [one(0), one(1), one(2), one(3)];
      return single({ pre: t.pre + sep.pre + i.pre + j.pre, expr: `${S}.lua_table_concat(${t.expr}, ${sep.expr}, ${i.expr}, ${j.expr})` });
    }
    if (this.isGlobal(base, 'pcall')) return this.pcall(e, d);
    if (base.type === 'MemberExpression' && base.indexer === ':') {
      // s:len(), s:sub(1, 2): strings' methods are the string library's functions.
      const fn = LIBRARY[`string.${base.identifier.name}`];
      if (fn === undefined || fn.results === 'iterator') this.refuse(e, `method ${base.identifier.name} is not compiled (strings' methods are the string library's)`);
      return this.library({ ...e, base: { ...base, indexer: '.' }, arguments: [base.base, ...args] } as ast.CallExpression, fn, d);
    }
    const fname = this.libraryName(base);
    const fn = fname === undefined ? undefined : LIBRARY[fname];
    if (fname !== undefined && fn !== undefined) {
      if (fn.results === 'iterator') this.refuse(e, `${fname} is an iterator: use it in a generic for`);
      return this.library(e, fn, d);
    }
    if (base.type === 'Identifier' && this.binding(base.name) === undefined && !BUILTIN_GLOBALS.has(base.name)) {
      // Calling an undefined global is reading it: Redis' globals protection raises.
      return single({ pre: '', expr: `${S}.lua_error(${lit(`Script attempted to access nonexistent global variable '${base.name}'`)})` });
    }
    return this.refuse(e, `call not compiled${fname === undefined ? '' : ` (${fname} is not in the library)`}`);
  }

  /** A library function: its descriptor's SQL over the arguments (a pack when it returns several values). */
  private library(e: ast.CallExpression, fn: LibraryFunction, d: number): Values {
    const args = e.arguments;
    const name = this.libraryName(e.base) ?? 'function';
    if (args.length < fn.minArgs || args.length > fn.maxArgs) this.refuse(e, `${name} with ${args.length} arguments is not compiled`);
    const last = args[args.length - 1];
    if (last !== undefined && this.mayBeMulti(last)) {
      this.refuse(last, `a call or ... as the last argument of ${name} gives any number of values: wrap it in parentheses to pass one`);
    }
    const parts = args.map((a) => this.expr(a, d));
    const literal = (i: number): Buffer | number | undefined => {
      const a = args[i];
      if (a?.type === 'StringLiteral') return Buffer.from(this.stringValue(a), 'latin1');
      if (a?.type === 'NumericLiteral') return a.value;
      return undefined;
    };
    const sql = fn.sql({ S: this.S, args: parts.map((p) => p.expr), literal, refuse: (reason) => this.refuse(e, reason) });
    return { pre: parts.map((p) => p.pre).join(''), expr: sql, multi: fn.results === 'multi' };
  }

  /** A local function's body compiled where it is called (functions do not escape, so this is what Lua does). */
  private inline(e: ast.CallExpression, name: string, b: Extract<Binding, { kind: 'fn' }>, d: number, given?: Code): Values {
    // Its code may run in a loop (gsub's function) or not to its end: what it learns stays inside.
    return this.guarded(() => this.inlineBody(e, name, b, d, given));
  }

  private inlineBody(e: ast.CallExpression, name: string, b: Extract<Binding, { kind: 'fn' }>, d: number, given?: Code): Values {
    const I = this.ind(d);
    if (this.inlining.has(b.node)) this.refuse(e, `recursive call of local function '${name}' is not compiled (functions are inlined)`);
    const args = given ?? this.pack(e.arguments, d);
    const label = `fn${++this.counter}_${name.replace(/[^a-zA-Z0-9_]/g, '').slice(0, 20).toLowerCase()}`;
    const ret = this.fresh(`${name}_ret`);
    const packed = this.fresh(`${name}_args`);
    const saved = this.scopes;
    this.scopes = [...b.scopes.map((m) => new Map(m)), new Map()];
    let out = args.pre + `${I}-- ${name}(…) inlined\n${I}${packed} := ${args.expr};\n${I}${ret} := '[]'::jsonb;\n${I}<<${label}>>\n${I}BEGIN\n`;
    b.node.parameters.forEach((p, i) => {
      if (p.type === 'Identifier') out += `${I}  ${this.declare(p.name)} := NULLIF(${packed} -> ${i}, 'null'::jsonb);\n`;
    });
    const hasVararg = b.node.parameters.some((p) => p.type === 'VarargLiteral');
    const vararg = hasVararg ? this.fresh(`${name}_varargs`) : undefined;
    if (vararg !== undefined) out += `${I}  ${vararg} := ${this.S}.lua_select(to_jsonb(${b.node.parameters.length}), ${packed});\n`;
    this.frames.push({ label, ret, vararg });
    this.inlining.add(b.node);
    try {
      out += this.block(b.node.body, d + 1);
    } finally {
      this.inlining.delete(b.node);
      this.frames.pop();
      this.scopes = saved;
    }
    out += `${I}END ${label};\n`;
    return { pre: out, expr: ret, multi: true };
  }

  /**
   * table.sort(t [, comp]): without comp in SQL (numbers or strings); with a
   * local or anonymous comp, an insertion sort calling it inlined. Elements
   * comp finds equal may end in another order than Lua's quicksort leaves them.
   */
  private sort(e: ast.CallExpression, d: number): Code {
    const I = this.ind(d);
    const S = this.S;
    const [t, comp] = e.arguments;
    if (t === undefined || e.arguments.length > 2) return this.refuse(e, 'wrong number of arguments to \'sort\'');
    const tc = this.expr(t, d);
    if (comp === undefined) return { pre: tc.pre + this.assign(t, `${S}.lua_sort(${tc.expr})`, d), expr: 'NULL::jsonb' };
    let fn: Extract<Binding, { kind: 'fn' }> | undefined;
    if (comp.type === 'FunctionDeclaration') fn = { kind: 'fn', node: comp, scopes: this.scopes.map((m) => new Map(m)) };
    else if (comp.type === 'Identifier') {
      const b = this.binding(comp.name);
      if (b?.kind === 'fn') fn = b;
    }
    if (fn === undefined) return this.refuse(comp, 'table.sort\'s comparator must be a local or anonymous function');
    const [arr, n, i, j, x, res] = [this.fresh('sort_t'), this.fresh('sort_n', 'int'), this.fresh('sort_i', 'int'), this.fresh('sort_j', 'int'), this.fresh('sort_x'), this.fresh('sort_lt')];
    this.loopDepth++;
    let call: Values;
    try {
      call = this.inline(e, comp.type === 'Identifier' ? comp.name : 'comparator', fn, d + 2, { pre: '', expr: `jsonb_build_array(${x}, ${arr} -> ${j})` });
    } finally {
      this.loopDepth--;
    }
    let pre = tc.pre + `${I}${arr} := ${S}.lua_sort_input(${tc.expr});
${I}${n} := jsonb_array_length(${arr});
${I}${i} := 1;
`;
    pre += `${I}LOOP
${I}  EXIT WHEN ${i} >= ${n};
${I}  ${x} := ${arr} -> ${i};
${I}  ${j} := ${i} - 1;
${I}  LOOP
${I}    EXIT WHEN ${j} < 0;
`;
    pre += call.pre + `${I}    ${res} := ${S}.lua_first(${call.expr});
${I}    EXIT WHEN NOT ${S}.lua_truthy(${res});
`;
    pre += `${I}    ${arr} := jsonb_set(${arr}, ARRAY[(${j} + 1)::text], ${arr} -> ${j});
${I}    ${j} := ${j} - 1;
${I}  END LOOP;
`;
    pre += `${I}  ${arr} := jsonb_set(${arr}, ARRAY[(${j} + 1)::text], ${x});
${I}  ${i} := ${i} + 1;
${I}END LOOP;
`;
    return { pre: pre + this.assign(t, arr, d), expr: 'NULL::jsonb' };
  }

  /** A local or anonymous function given as an argument, if that is what `a` is. */
  private functionArg(a: ast.Expression | undefined): Extract<Binding, { kind: 'fn' }> | undefined {
    if (a?.type === 'FunctionDeclaration') return { kind: 'fn', node: a, scopes: this.scopes.map((m) => new Map(m)) };
    if (a?.type === 'Identifier') {
      const b = this.binding(a.name);
      if (b?.kind === 'fn') return b;
    }
    return undefined;
  }

  /**
   * string.gsub(s, pattern, f [, n]) with a local or anonymous f: the matches
   * come from lua_str_gsub_matches (lua-library.ts), f runs inlined on each
   * one's captures in order, and lua_str_gsub_join builds [result, count].
   */
  private gsubFunction(e: ast.CallExpression, fn: Extract<Binding, { kind: 'fn' }>, d: number): Values {
    const I = this.ind(d);
    const S = this.S;
    const [s, p, f, n, extra] = e.arguments;
    if (extra !== undefined) return this.refuse(e, 'string.gsub with more than 4 arguments is not compiled');
    const given = (a: ast.Expression | undefined): Code => {
      if (a === undefined) return { pre: '', expr: 'NULL::jsonb' };
      const c = this.expr(a, d);
      return { pre: c.pre, expr: `coalesce(${c.expr}, 'null'::jsonb)` };
    };
    const [sc, pc, nc] = [given(s), given(p), given(n)];
    const [subject, matches, vals, k] = [this.fresh('gsub_s'), this.fresh('gsub_matches'), this.fresh('gsub_vals'), this.fresh('gsub_k', 'int')];
    const call = this.inline(e, f?.type === 'Identifier' ? f.name : 'function', fn, d + 1, { pre: '', expr: `${matches} -> ${k} -> 2` });
    const pre =
      sc.pre + pc.pre + nc.pre +
      `${I}${subject} := ${sc.expr};
${I}${matches} := ${S}.lua_str_gsub_matches(${subject}, ${pc.expr}, ${nc.expr});
` +
      `${I}${vals} := '[]'::jsonb;
${I}${k} := 0;
${I}LOOP
${I}  EXIT WHEN ${k} >= jsonb_array_length(${matches});
` +
      call.pre +
      `${I}  ${vals} := ${vals} || jsonb_build_array(coalesce(${call.multi ? `${S}.lua_first(${call.expr})` : call.expr}, 'null'::jsonb));
${I}  ${k} := ${k} + 1;
${I}END LOOP;
`;
    return { pre, expr: `${S}.lua_str_gsub_join(${subject}, ${matches}, ${vals})`, multi: true };
  }

  /** pcall(f, …) of a local function or a library function: [true, results…] or [false, the message]. */
  private pcall(e: ast.CallExpression, d: number): Values {
    const I = this.ind(d);
    const S = this.S;
    const [f, ...rest] = e.arguments;
    if (f === undefined) this.refuse(e, "bad argument #1 to 'pcall' (value expected)");
    const callee: ast.CallExpression = { ...e, base: f, arguments: rest } as ast.CallExpression;
    const anonymous = f.type === 'FunctionDeclaration' ? f : undefined;
    const known = anonymous !== undefined || (f.type === 'Identifier' && this.binding(f.name)?.kind === 'fn') || (this.libraryName(f) !== undefined && LIBRARY[this.libraryName(f) ?? ''] !== undefined);
    if (!known) this.refuse(f, 'pcall of something other than a local function or a library function is not compiled');
    const r = this.fresh('pcall');
    this.pcallDepth++;
    let inner: Values;
    try {
      // Its errors are caught: what its arguments and body would establish does not hold after it.
      inner = this.guarded(() => anonymous !== undefined
        ? this.inline(callee, 'function', { kind: 'fn', node: anonymous, scopes: this.scopes.map((m) => new Map(m)) }, d + 1)
        : this.call(callee, d + 1));
    } finally {
      this.pcallDepth--;
    }
    const results = inner.multi ? inner.expr : `jsonb_build_array(coalesce(${inner.expr}, 'null'::jsonb))`;
    // A subtransaction: a Lua error inside undoes the writes made inside (Redis keeps them; documented).
    const pre =
      `${I}BEGIN\n` + inner.pre + `${I}  ${r} := '[true]'::jsonb || ${results};\n` +
      // Redis' own pcall gives an error table's message (a failed redis.call's) as a string.
      `${I}EXCEPTION WHEN SQLSTATE 'RL002' THEN\n${I}  ${r} := jsonb_build_array(false, ${S}.lua_str(convert_to(SQLERRM, 'UTF8')));\n` +
      `${I}  WHEN SQLSTATE 'RL000' THEN\n${I}  ${r} := jsonb_build_array(false, ${S}.lua_str(convert_to(${S}.lua_position(SQLSTATE, _line) || SQLERRM, 'UTF8')));\n` +
      `${I}END;\n`;
    return { pre, expr: r, multi: true };
  }

  /** `tonumber`, `string.len`…: the library name a call's function is, when it is a global or a field of one. */
  private libraryName(base: ast.Expression): string | undefined {
    if (base.type === 'Identifier' && this.binding(base.name) === undefined) return base.name;
    if (base.type === 'MemberExpression' && base.indexer === '.' && base.base.type === 'Identifier' && this.binding(base.base.name) === undefined) {
      return `${base.base.name}.${base.identifier.name}`;
    }
    return undefined;
  }

  /** redis.call / redis.pcall with a literal command name: the command's own translation, inlined. */
  private redisCall(e: ast.CallExpression, protectedCall: boolean, d: number): TCode {
    const S = this.S;
    const I = this.ind(d);
    const [nameArg, ...rest] = e.arguments;
    if (nameArg === undefined || nameArg.type !== 'StringLiteral') return this.refuse(e, 'redis.call needs a literal command name');
    const last = rest[rest.length - 1];
    if (last !== undefined && this.mayBeMulti(last)) {
      this.refuse(last, 'a call or ... as the last argument of redis.call gives a number of arguments known only at run time, which changes the command\'s SQL: pass them one by one, or wrap it in parentheses to pass one');
    }
    let pre = '';
    // Each argument: a literal (known now) or a value known when the script runs.
    const dynamic = new Map<number, { sql: string; t: Ty | undefined }>();
    const literal: (Buffer | null)[] = [Buffer.from(this.stringValue(nameArg), 'latin1')];
    rest.forEach((a, i) => {
      if (a.type === 'StringLiteral') literal.push(Buffer.from(this.stringValue(a), 'latin1'));
      // Up to 1e17 JavaScript prints a whole number as Redis' %.17g does; beyond, lua_arg formats it.
      else if (a.type === 'NumericLiteral' && Number.isInteger(a.value) && Math.abs(a.value) < 1e17) literal.push(Buffer.from(String(a.value)));
      else {
        const v = this.texpr(a, d);
        pre += v.pre;
        v.facts?.forEach((f) => this.pending.add(f));
        if (v.t !== undefined && isPureTyped(v.sql)) {
          dynamic.set(i + 1, { sql: v.sql, t: v.t });
        } else {
          // Evaluated in argument order, before the command runs.
          const t = this.fresh('arg', v.t === undefined ? 'jsonb' : PG_TYPE[v.t.k]);
          pre += `${I}${t} := ${v.sql};\n`;
          dynamic.set(i + 1, { sql: t, t: v.t });
        }
        literal.push(null);
      }
    });
    const line = e.loc?.start.line ?? 0;
    const translated = this.translateWithSentinels(e, literal, dynamic);
    if ('error' in translated) {
      // Redis checks the command when the call runs: the call fails, pcall returns the error.
      const msg = lit(translated.error);
      return protectedCall
        ? { pre, sql: `jsonb_build_object(${lit(tableKey('err'))}, ${S}.lua_str(convert_to(${msg}, 'UTF8')))`, t: undefined }
        : this.pcallDepth > 0
          ? { pre: pre + `${I}RAISE EXCEPTION USING ERRCODE = 'RL002', MESSAGE = ${msg};\n`, sql: 'NULL::jsonb', t: undefined }
          : { pre: pre + `${I}RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(${lit(`${translated.error} script: ${this.sha}, on @user_script:${line}.`)}, 'UTF8')));\n`, sql: 'NULL::jsonb', t: undefined };
    }
    const { compiled, ints } = translated;
    // redis.call converts its arguments before running the command: nil or false is refused first,
    // here by one test of the call's own (a protected call's error is its reply: lua_arg_nil's way).
    // Past it they are neither, for this statement and for what runs after it.
    let nilCheck = '';
    if (!protectedCall) {
      const nilable = [...dynamic].filter(([, v]) => v.t !== undefined && v.t.k !== 'bool' && v.t.nul !== 'no');
      if (nilable.length > 0) {
        // Outside a pcall, the error is the script's reply: returned, not raised, so that the call
        // needs no subtransaction for it (writes before it stay, as in Redis).
        const message = 'ERR Lua redis lib command arguments must be strings or integers';
        nilCheck = `${I}  IF ${nilable.map(([, v]) => `${v.sql.replace(/^convert_to\((keys\[\d+\]), 'UTF8'\)$/, '$1')} IS NULL`).join(' OR ')} THEN\n` +
          (this.pcallDepth === 0
            ? `${I}    RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(${lit(`${message} script: ${this.sha}, on @user_script:${line}.`)}, 'UTF8')));\n`
            : `${I}    RAISE EXCEPTION USING ERRCODE = 'RS000', MESSAGE = ${lit(message)};\n`) +
          `${I}  END IF;\n`;
        for (const [i, v] of nilable) {
          dynamic.set(i, { sql: v.sql, t: { k: v.t!.k, nul: 'no' } });
          if (isFactSql(v.sql)) this.pending.add(v.sql);
        }
      }
    }
    const sentinelOf = (i: number): string => (ints.has(i) ? String(SENTINEL_INT + BigInt(i)) : `${SENTINEL}${i}\u0001`);
    const lookupParam = (value: unknown, asText: boolean): string | undefined => {
      for (const [i, v] of dynamic) {
        const s = sentinelOf(i);
        const matches = Buffer.isBuffer(value) ? value.equals(Buffer.from(s)) : typeof value === 'number' ? String(value) === s : value === s;
        if (matches) {
          used.add(i);
          return this.argSql(v, typeof value === 'number' ? 'float' : ints.has(i) ? 'int' : asText ? 'text' : 'bytes');
        }
      }
      return undefined;
    };
    const used = new Set<number>();
    // A Redis error text naming a key (XREADGROUP's NOGROUP: "No such key '<key>' …"), the key from
    // KEYS: the text is built in SQL around it. Keys are text without NUL, which Redis prints as they
    // are; other arguments (bytes, possibly not UTF-8) and other strings still need a literal.
    const interpolated = (p: string): string | undefined => {
      if (!/^[A-Z]+ /.test(p)) return undefined;
      const parts = p.split(new RegExp(`${SENTINEL}(\\d+)\u0001`));
      const sqlParts: string[] = [];
      for (let k = 0; k < parts.length; k++) {
        const part = parts[k] ?? '';
        if (k % 2 === 0) {
          if (part.includes(SENTINEL)) return undefined;
          if (part !== '') sqlParts.push(lit(part));
          continue;
        }
        const v = dynamic.get(Number(part));
        if (v === undefined || v.t?.k !== 'str' || !/^convert_to\(keys\[\d+\], 'UTF8'\)$/.test(v.sql) || ints.has(Number(part))) return undefined;
        used.add(Number(part));
        sqlParts.push(this.argSql(v, 'text'));
      }
      return `(${sqlParts.join(' || ')})::text`;
    };
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
        if (p.includes(SENTINEL)) {
          return interpolated(p) ?? this.refuse(e, 'an argument computed at run time is used in a way the compiler cannot follow: make it a literal');
        }
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
    for (const i of dynamic.keys()) {
      if (!used.has(i)) {
        this.refuse(e, `argument ${i} of ${compiled.command} is used in a way the compiler cannot follow: make it a literal`);
      }
    }
    // 'lua', the nested jsonb reply of some stream functions (XREADGROUP, XPENDING, XCLAIM, XINFO…),
    // becomes Lua values by lua_from_tree; 'json' has no conversion, so it is refused rather than failing at run time.
    if (compiled.reply.kind === 'json') {
      this.refuse(e, `${compiled.command}'s reply (${compiled.reply.kind}) is not converted to Lua yet`);
    }
    const stmt = compiled.sql.replace(/\$(\d+)/g, (_, n: string) => `(${values[Number(n) - 1] ?? 'NULL'})`);
    const result = this.fresh('call');
    const shape = JSON.stringify(compiled.reply).replace(/'/g, "''");
    const onError = protectedCall
      ? `${I}  ${result} := jsonb_build_object(${lit(tableKey('err'))}, ${S}.lua_str(convert_to(SQLERRM, 'UTF8')));\n`
      : this.pcallDepth > 0
        ? `${I}  RAISE EXCEPTION USING ERRCODE = 'RL002', MESSAGE = SQLERRM;\n`
        : `${I}  RETURN jsonb_build_object('e', ${S}.lua_str(convert_to(SQLERRM || ' script: ${this.sha}, on @user_script:${line}.', 'UTF8')));\n`;
    const spec = specOf(compiled.command);
    // EVAL_RO / EVALSHA_RO set redis2sql.lua_ro for the call: Redis refuses write (and may-replicate) commands then.
    const roCheck =
      spec?.flags.includes('write') || MAY_REPLICATE.has(compiled.command)
        ? `${I}  IF _ro THEN\n${I}    RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR Write commands are not allowed from read-only scripts.';\n${I}  END IF;\n`
        : '';
    const reply = compiled.reply;
    // One value from the first row (most commands): read straight from the row, no jsonb of all rows.
    const scalar = reply.kind === 'scalar' && reply.nil === undefined && /^[a-z_][a-z0-9_]*$/.test(reply.column ?? 'reply');
    // lua_reply_num and lua_reply_bytes take the column as it is (overloads by its type, scripting.ts); the rest its jsonb.
    const field = `_r.${reply.kind === 'scalar' ? (reply.column ?? 'reply') : 'reply'}`;
    const column = `to_jsonb(${field})`;
    // An integer or bulk reply is a typed number or string (nil, which Lua sees as false, is NULL).
    const typed: Ty | undefined = scalar && !protectedCall && reply.kind === 'scalar' ? (reply.of === 'integer' ? { k: 'num', nul: 'false' } : reply.of === 'bulk' ? { k: 'str', nul: 'false' } : undefined) : undefined;
    const direct = !scalar || reply.kind !== 'scalar'
      ? undefined
      : typed?.k === 'num'
        ? `${S}.lua_reply_num(${field})`
        : typed?.k === 'str'
          ? `${S}.lua_reply_bytes(${field})`
          : `${S}.lua_from_scalar('${reply.of}', ${column})`;
    if (typed !== undefined) {
      this.vars.splice(this.vars.findIndex((v) => v.name === result), 1, { name: result, type: PG_TYPE[typed.k] });
    }
    // One value of one column: no FOR loop (its portal costs more than the statement's own work for
    // a call of a helper function). `SELECT x AS reply` alone is an assignment, which PL/pgSQL runs
    // as a simple expression, without executor start-up; with a FROM or a WITH list (INCR's and
    // SET's data-modifying CTEs run to the end either way), SELECT … INTO: the first row, or NULL
    // as the loop's typed default, or for an untyped reply its default false when no row came.
    const columnName = reply.kind === 'scalar' ? (reply.column ?? 'reply') : 'reply';
    // Checked on the translator's statement (the script's values put in are our own expressions).
    const single = direct === undefined ? undefined : singleColumn(compiled.sql, columnName);
    const own = single === undefined ? undefined : singleColumn(stmt, columnName);
    const of = (expr: string): string => direct!.split(field).join(`(${expr})`).replace(/\n/g, `\n${I}    `);
    const rows =
      single !== undefined && own !== undefined && single.head === '' && single.from === undefined && isSimpleExpression(single.expr, S)
        ? `${I}  ${result} := ${of(own.expr)};\n`
        : own !== undefined && !untypedValue(single!.expr)
          ? `${I}  ${own.head.replace(/\n/g, `\n${I}    `)}SELECT ${of(own.expr)} INTO ${result}${own.from === undefined ? '' : `\n${I}    ${own.from.replace(/\n/g, `\n${I}    `)}`};\n` +
            (typed === undefined ? `${I}  IF NOT FOUND THEN\n${I}    ${result} := 'false'::jsonb;\n${I}  END IF;\n` : '')
          : direct !== undefined
            ? `${I}  ${result} := ${typed === undefined ? "'false'::jsonb" : 'NULL'};\n${I}  FOR _r IN ${stmt.replace(/\n/g, `\n${I}    `)}\n${I}  LOOP\n` +
              `${I}    ${result} := ${direct};\n${I}    EXIT;\n${I}  END LOOP;\n`
            : `${I}  _rows := '[]'::jsonb;\n${I}  FOR _r IN ${stmt.replace(/\n/g, `\n${I}    `)}\n${I}  LOOP\n` +
              `${I}    _rows := _rows || jsonb_build_array(to_jsonb(_r));\n${I}  END LOOP;\n` +
              `${I}  ${result} := ${S}.lua_from_rows('${shape}'::jsonb, _rows);\n`;
    // Until the script has written, a failing call has nothing to keep: the function's own handler
    // answers it, and the call needs no subtransaction of its own (a loop may come back after a write).
    const unguarded = !protectedCall && this.pcallDepth === 0 && this.loopDepth === 0 && !this.wrote;
    const writes = spec === undefined || spec.flags.includes('write') || MAY_REPLICATE.has(compiled.command);
    if (writes) this.wrote = true;
    // The errors its own handler would catch (RD000, RS000) that the statement may raise, from the
    // DDL of the functions it calls. WRONGTYPE is ruled out on a key of one command whose type an
    // earlier call established (see known): a statement left with none needs no subtransaction
    // even after a write (EVAL_RO's refusal comes before any write: a read-only script has none).
    const errors = caughtErrors(rows, S);
    const keyAt = spec !== undefined && spec.keys.first > 0 && spec.keys.first === spec.keys.last ? spec.keys.first : undefined;
    const keyLiteral = keyAt === undefined ? undefined : literal[keyAt];
    const keyId = keyAt === undefined ? undefined : (dynamic.get(keyAt)?.sql ?? (keyLiteral ? `'\\x${keyLiteral.toString('hex')}'` : undefined));
    const keyType = spec === undefined ? undefined : GROUP_TYPE[spec.group];
    const typeFact = keyId === undefined || keyType === undefined ? undefined : `type ${keyType} ${keyId}`;
    const cannotFail = errors !== null && [...errors].every((m) => m === WRONGTYPE && typeFact !== undefined && this.known.has(typeFact));
    // After it: a write may have changed any key's type (keys may be one another); one that checks
    // its key's type leaves it of that type or gone (other keys of that type stay so).
    const establishes = !protectedCall && typeFact !== undefined && errors !== null && errors.has(WRONGTYPE);
    if (writes) this.forgetTypes(establishes ? keyType : undefined);
    if (establishes) this.known.add(typeFact!);
    if (unguarded || (cannotFail && !protectedCall && this.pcallDepth === 0)) {
      const out = (nilCheck + roCheck + rows).replace(new RegExp(`^${I}  `, 'gm'), I);
      pre += `${I}_line := ${line};\n${out}`;
    } else {
      pre += `${I}BEGIN\n${nilCheck}${roCheck}${rows}${I}EXCEPTION WHEN SQLSTATE 'RD000' OR SQLSTATE 'RS000' THEN\n${onError}${I}END;\n`;
    }
    return { pre, sql: result, t: typed };
  }

  /** A run-time argument of redis.call as the SQL the command's statement reads (lua_arg and friends). */
  private argSql(v: { sql: string; t: Ty | undefined }, how: 'float' | 'int' | 'text' | 'bytes'): string {
    const S = this.S;
    const t = v.t;
    if (t?.k === 'str' && how !== 'float') {
      // nil or false (a nil reply): lua_arg_nil raises what lua_arg does for either.
      const bytes = t.nul === 'no' ? v.sql : `coalesce(${v.sql}, ${S}.lua_arg_nil(${v.sql}))`;
      if (how === 'bytes') return bytes;
      if (how === 'int') return `${S}.lua_arg_int_b(${bytes})`;
      const key = /^convert_to\((keys\[\d+\]), 'UTF8'\)$/.exec(v.sql)?.[1];
      if (key !== undefined) return t.nul === 'no' ? key : `coalesce(${key}, ${S}.lua_arg_nil(${key}))`;
      return `convert_from(${bytes}, 'UTF8')`;
    }
    const boxed = this.box({ pre: '', ...v });
    const general = `${S}.${{ float: 'lua_arg_float', int: 'lua_arg_int', text: 'lua_arg_text', bytes: 'lua_arg' }[how]}(${boxed})`;
    if (t?.k === 'num') {
      // A whole number under 1e17 is what Redis' %.17g prints digit for digit (lua_arg): written out,
      // skipping the jsonb round trip through lua_arg's formatting (a sixth of the sliding-window
      // limiter's instructions). nil, false, fractions and big numbers take the general path (NULL
      // fails the test).
      const x = v.sql;
      // A double read back from its %.17g is itself: a number known not nil needs no test as a float.
      if (how === 'float' && t.nul === 'no') return x;
      const fast = { float: x, int: `${x}::bigint::text`, text: `${x}::bigint::text`, bytes: `convert_to(${x}::bigint::text, 'UTF8')` }[how];
      return `(CASE WHEN ${x} = trunc(${x}) AND abs(${x}) < 1e17 THEN ${fast} ELSE ${general} END)`;
    }
    return general;
  }

  private translateWithSentinels(
    e: Node,
    literal: readonly (Buffer | null)[],
    dynamic: ReadonlyMap<number, unknown>,
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

/**
 * A statement whose query is `SELECT <expr> AS <column>`, with a FROM (and what follows it) or
 * without, alone or after a WITH list (its common table expressions, data-modifying ones included,
 * kept as they are in `head`): the expression and the rest, or undefined for anything else
 * (several columns, UNION…). Scans the translator's SQL at parenthesis depth 0, outside quoted
 * strings and names.
 *
 *   singleColumn('SELECT redis.sadd($1::text, $2::bytea[]) AS reply', 'reply')
 *   → { head: '', expr: 'redis.sadd($1::text, $2::bytea[])', from: undefined }
 *   singleColumn('WITH arg AS (SELECT $1::text AS key) SELECT redis.f(arg.key) AS reply FROM arg', 'reply')
 *   → { head: 'WITH arg AS (SELECT $1::text AS key) ', expr: 'redis.f(arg.key)', from: 'FROM arg' }
 */
function singleColumn(sql: string, column: string): { head: string; expr: string; from: string | undefined } | undefined {
  if (/--|\/\*|\$\w*\$|\bE'/.test(sql)) return undefined;
  let head = '';
  if (sql.startsWith('WITH ')) {
    // The query after the WITH list: the first SELECT at depth 0 (the list's own are in parentheses).
    const at = atDepth0(sql, 5, /\sSELECT /y);
    if (at === undefined || at === null) return undefined;
    head = sql.slice(0, at + 1);
    sql = sql.slice(at + 1);
  }
  if (!sql.startsWith('SELECT ')) return undefined;
  const from = atDepth0(sql, 7, /\s+FROM\b/iy, true);
  if (from === null) return undefined;
  const list = sql.slice(7, from).trimEnd();
  const suffix = ` AS ${column}`;
  if (!list.endsWith(suffix)) return undefined;
  return { head, expr: list.slice(0, -suffix.length), from: from === undefined ? undefined : sql.slice(from).trim() };
}

/**
 * The first index from `start` at parenthesis depth 0, outside quoted strings and names, where
 * `word` (a sticky pattern starting with white space) matches; null for an unclosed quote, or with
 * `oneColumn` a comma at depth 0 before it.
 */
function atDepth0(sql: string, start: number, word: RegExp, oneColumn = false): number | undefined | null {
  let depth = 0;
  for (let i = start; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      if (end < 0) return null;
      i = end; // a doubled quote is two strings side by side: the same scan
    } else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (oneColumn && depth === 0 && ch === ',') return null;
    else if (depth === 0 && /\s/.test(ch)) {
      word.lastIndex = i;
      if (word.test(sql)) return i;
    }
  }
  return undefined;
}

/**
 * Whether a select list's expression is a bare literal, NULL or parameter: of type unknown until the
 * query's output makes it text, so it cannot be handed to a function in the query itself
 * (to_jsonb('PONG') fails; the FOR loop's row has it as text).
 */
function untypedValue(expr: string): boolean {
  return /^\(*(?:'(?:[^']|'')*'|NULL|\$\d+)\)*$/i.test(expr.trim());
}

/** SQL words that may stand before a parenthesis without being a function call. */
const SQL_WORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'ANY', 'ALL', 'ARRAY', 'ROW']);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
/** The key type a command of each data type's group leaves its key of (when it checks it). */
const GROUP_TYPE: Readonly<Record<string, string>> = { string: 'string', hash: 'hash', list: 'list', set: 'set', sorted_set: 'zset', stream: 'stream' };
const CAUGHT = /ERRCODE\s*=\s*'(?:RD000|RS000)'/g;
/** What the compiler reads from our schema's DDL (see schemaFacts). */
interface SchemaFacts {
  /** Our schema's tables, views, sequences and domains: `keys (key, type)` after INSERT INTO is no call. */
  readonly relations: ReadonlySet<string>;
  /**
   * The caught errors each function of our schema may raise, with those of the functions it calls
   * (null: one whose text is built at run time). Read from the DDL, so a new helper is never missed.
   */
  readonly caughtErrors: ReadonlyMap<string, ReadonlySet<string> | null>;
  /**
   * Functions of our schema that return sets: a select list calling one gives zero or several rows,
   * which an assignment cannot take (read from the DDL, so a new one is never missed).
   */
  readonly setReturning: ReadonlySet<string>;
}

/**
 * The schema's facts, read from its DDL (~260 KB, ~20-25 ms) at the first compile that asks, not
 * when the module loads: the CLI loads this module for commands that compile no Lua. The only
 * module-level variable here, a cache of a constant: every build of it is the same value.
 */
let facts: SchemaFacts | undefined;
function schemaFacts(): SchemaFacts {
  if (facts !== undefined) return facts;
  const ddl = schemaSql();
  const relations = new Set([...ddl.matchAll(/CREATE (?:OR REPLACE )?(?:TABLE|VIEW|SEQUENCE|DOMAIN)(?: IF NOT EXISTS)? [^\s(]+\.(\w+)/g)].map((m) => m[1]!));
  const setReturning = new Set(
    [...ddl.matchAll(/CREATE OR REPLACE FUNCTION [^\s(]+\.(\w+)\(((?:[^()]|\([^()]*\))*)\)\s*RETURNS\s+(SETOF|TABLE)\b/g)].map((m) => m[1]!),
  );
  facts = { relations, caughtErrors: readCaughtErrors(ddl, relations), setReturning };
  return facts;
}

/** The caught errors (RD000, RS000: a redis.call's handler catches these) a text raises itself, and the functions it calls. */
function ownErrors(text: string, schema: string, relations: ReadonlySet<string>): { errors: Set<string> | null; calls: Set<string> } {
  let errors: Set<string> | null = new Set<string>();
  const literal = (q: string): string => q.slice(1, -1).replace(/''/g, "'");
  const raises = [...text.matchAll(/ERRCODE\s*=\s*'(?:RD000|RS000)'\s*,\s*MESSAGE\s*=\s*('(?:[^']|'')*'(?=\s*;))?/g)];
  if (raises.length !== [...text.matchAll(CAUGHT)].length || raises.some((m) => m[1] === undefined)) errors = null;
  else raises.forEach((m) => errors!.add(literal(m[1]!)));
  const calls = new Set<string>();
  const prefix = schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\.';
  for (const m of text.matchAll(new RegExp(`${prefix}(\\w+)\\s*\\(\\s*('(?:[^']|'')*'(?=\\s*[,)]))?`, 'g'))) {
    // fail(message, …) and raise(message) raise RD000 with the message they are given.
    if (m[1] === 'fail' || m[1] === 'raise') {
      if (m[2] === undefined) errors = null;
      else errors?.add(literal(m[2]));
    } else if (!relations.has(m[1]!)) calls.add(m[1]!);
  }
  return { errors, calls };
}

/** SchemaFacts' caughtErrors, from the DDL. */
function readCaughtErrors(ddl: string, relations: ReadonlySet<string>): ReadonlyMap<string, ReadonlySet<string> | null> {
  const own = new Map<string, { errors: Set<string> | null; calls: Set<string> }>();
  const starts = [...ddl.matchAll(/CREATE OR REPLACE FUNCTION [^\s(]+\.(\w+)\(/g)];
  starts.forEach((m, i) => {
    const body = ddl.slice(m.index, starts[i + 1]?.index ?? ddl.length);
    // Without its comments (which quote redis.call(…) and the like).
    const { errors, calls } = ownErrors(body.slice(m[0].length).replace(/--[^\n]*/g, ''), DEFAULT_SCHEMA, relations);
    const seen = own.get(m[1]!);
    // Overloads: what either may raise.
    own.set(m[1]!, seen === undefined ? { errors, calls } : { errors: seen.errors === null || errors === null ? null : new Set([...seen.errors, ...errors]), calls: new Set([...seen.calls, ...calls]) });
  });
  const all = new Map<string, Set<string> | null>([...own].map(([n, o]) => [n, o.errors === null ? null : new Set(o.errors)]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [n, o] of own) {
      const acc = all.get(n);
      if (acc === null || acc === undefined) continue;
      const before = acc.size;
      // A callee not of our schema's DDL, or raising what cannot be read: anything.
      if ([...o.calls].some((c) => all.get(c) === null || all.get(c) === undefined)) {
        all.set(n, null);
        changed = true;
        continue;
      }
      for (const c of o.calls) all.get(c)!.forEach((x) => acc.add(x));
      if (acc.size !== before) changed = true;
    }
  }
  return all;
}

/** The caught errors a call's statement may raise: its own and its helpers' (null: any). */
function caughtErrors(sql: string, S: string): ReadonlySet<string> | null {
  const { relations, caughtErrors } = schemaFacts();
  const { errors, calls } = ownErrors(sql, S, relations);
  if (errors === null) return null;
  for (const c of calls) {
    const e = caughtErrors.get(c);
    if (e === undefined || e === null) return null;
    e.forEach((x) => errors.add(x));
  }
  return errors;
}


/**
 * Whether PL/pgSQL may evaluate `v := <expr>` for a select list's one expression and get what
 * the query's first row gives: a call of our schema's functions, no subquery, and no other call
 * but of theirs that return one value (a set-returning call makes the row count anything but one).
 */
function isSimpleExpression(expr: string, S: string): boolean {
  const bare = expr.replace(/'(?:[^']|'')*'/g, "''");
  const schema = `${S}.`;
  // A value of the function's declared type (a bare literal would be of type unknown to to_jsonb).
  if (/\b(SELECT|FROM)\b/i.test(bare) || !bare.replace(/^\(+/, '').startsWith(schema)) return false;
  for (const m of bare.matchAll(/((?:"(?:[^"]|"")+"|[A-Za-z_]\w*)\.)?([A-Za-z_]\w*)\s*\(/g)) {
    const [, qualifier, name] = m;
    if (qualifier === undefined ? !SQL_WORDS.has(name!.toUpperCase()) : qualifier !== schema || schemaFacts().setReturning.has(name!)) return false;
  }
  return true;
}

/**
 * Commands Redis 7.0 flags may-replicate without write (COMMAND INFO does not
 * show the flag): EVAL_RO refuses them as writes, as redis-server did when asked.
 */
const MAY_REPLICATE: ReadonlySet<string> = new Set(['PUBLISH', 'SPUBLISH', 'PFCOUNT']);

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
