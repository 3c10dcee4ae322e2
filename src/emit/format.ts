import { format as formatWithSqlFormatter } from 'sql-formatter';
import { RedisError, StorageError, TokenizeError, UnsupportedError, UsageError } from '../errors.js';
import { toArgv, type CommandInput } from '../grammar/tokenize.js';
import { translate } from '../translate.js';
import type { CompiledCommand, SqlParam, TranslateOptions } from '../translators/types.js';
import type { OutputFormat } from './output-formats.js';

export { OUTPUT_FORMATS, type OutputFormat } from './output-formats.js';

/** One translated line: its compiled command, or the error it gave. */
export type TranslationResult =
  | { readonly input: string; readonly compiled: CompiledCommand }
  | { readonly input: string; readonly error: string };

/**
 * Translate one input for output: its compiled command, or the message of the
 * error it gave (Redis' text for Redis errors; `TokenizeError`,
 * `UnsupportedError`, `StorageError` as their own messages). Other errors
 * (usage, bugs) are thrown.
 *
 *   translateForOutput('GET k')  → { input: 'GET k', compiled: { command: 'GET', sql: …, params: ['k'], … } }
 *   translateForOutput('GET')    → { input: 'GET', error: "ERR wrong number of arguments for 'get' command" }
 */
export function translateForOutput(input: CommandInput, options: TranslateOptions = {}): TranslationResult {
  const shown = showInput(input);
  try {
    const argv = toArgv(input);
    if (argv.length === 0) throw new UsageError('empty command');
    return { input: shown, compiled: translate(argv, options) };
  } catch (error) {
    if (error instanceof RedisError || error instanceof TokenizeError) return { input: shown, error: error.message };
    if (error instanceof UnsupportedError || error instanceof StorageError) return { input: shown, error: error.message };
    throw error;
  }
}

/**
 * A command as a redis-cli line, for headers and JSON: a line is shown as it
 * is (invalid UTF-8 replaced), argv words are quoted where redis-cli needs it.
 *
 *   showInput(['SET', 'k', 'a b'])  → 'SET k "a b"'
 */
export function showInput(input: CommandInput): string {
  if (typeof input === 'string') return input;
  if (Buffer.isBuffer(input)) return input.toString('utf8');
  return input.map((a) => quoteWord(typeof a === 'string' ? Buffer.from(a, 'utf8') : a)).join(' ');
}

function quoteWord(word: Buffer): string {
  const text = utf8(word);
  if (text !== undefined && text !== '' && /^[^\s"'\p{Cc}]+$/u.test(text)) return text;
  // Valid UTF-8 keeps its characters; otherwise every byte outside printable ASCII is \xHH.
  const units: readonly (string | number)[] = text !== undefined ? [...text] : [...word];
  let out = '"';
  for (const u of units) {
    const code = typeof u === 'number' ? u : u.codePointAt(0)!;
    if (code === 0x22 || code === 0x5c) out += `\\${String.fromCharCode(code)}`;
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code < 0x20 || code === 0x7f || (typeof u === 'number' && code >= 0x80)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += typeof u === 'number' ? String.fromCharCode(u) : u;
  }
  return out + '"';
}

/**
 * Render translation results in one output format. `sql` and `psql` put a
 * `-- <input>` header before each command when there are several, and leave
 * out failed commands (the caller reports them); `json` gives them as
 * `{input, error}`.
 *
 *   renderTranslations([translateForOutput('GET k')], 'sql')
 *   → 'SELECT\n  s.value AS reply, …\nWHERE\n  k.key = $1 …;\n-- $1 = \'k\'\n'
 */
export function renderTranslations(results: readonly TranslationResult[], format: OutputFormat): string {
  const header = results.length > 1;
  const parts = results.map((r) => renderTranslation(r, format, header)).filter((p) => p !== '');
  return parts.join(format === 'json' ? '' : '\n');
}

/** One result in one format (see `renderTranslations`); '' for a failed command in `sql`/`psql`. */
export function renderTranslation(result: TranslationResult, format: OutputFormat, header: boolean): string {
  if (format === 'json') return JSON.stringify(jsonOf(result)) + '\n';
  if ('error' in result) return '';
  const head = header ? `-- ${oneLine(result.input)}\n` : '';
  return head + (format === 'sql' ? formatSql(result.compiled) : formatPsql(result.compiled));
}

/**
 * The `sql` format of one command.
 *
 *   formatSql(translate('GET k'))
 *   → SELECT … WHERE k.key = $1 …;
 *     -- $1 = 'k'
 */
export function formatSql(compiled: CompiledCommand): string {
  let out = `${prettySql(compiled.sql)};\n`;
  compiled.params.forEach((p, i) => {
    out += `-- $${i + 1} = ${readableParam(p)}\n`;
  });
  for (const w of compiled.warnings) out += `-- warning: ${oneLine(w)}\n`;
  return out;
}

/**
 * The `psql` format of one command: literals inlined, runnable as it is.
 *
 *   formatPsql(translate('GET "it\'s"'))  → SELECT … WHERE k.key = 'it''s' …;
 */
export function formatPsql(compiled: CompiledCommand): string {
  let out = `${inlineParams(prettySql(compiled.sql), compiled.params)};\n`;
  for (const w of compiled.warnings) out += `-- warning: ${oneLine(w)}\n`;
  return out;
}

/** The `json` object of one result. */
export function jsonOf(result: TranslationResult): Record<string, unknown> {
  if ('error' in result) return { input: result.input, error: result.error };
  const c = result.compiled;
  return {
    input: result.input,
    command: c.command,
    sql: c.sql,
    params: c.params.map(jsonParam),
    reply: c.reply,
    warnings: c.warnings,
  };
}

function jsonParam(p: SqlParam | Buffer | null): unknown {
  if (Buffer.isBuffer(p)) {
    const text = utf8(p);
    return text === undefined ? { base64: p.toString('base64') } : { base64: p.toString('base64'), text };
  }
  if (Array.isArray(p)) return (p as readonly (SqlParam | Buffer | null)[]).map(jsonParam);
  if (typeof p === 'number' && !Number.isFinite(p)) return String(p);
  return p;
}

/**
 * SQL pretty-printed with sql-formatter (PostgreSQL dialect). sql-formatter
 * writes `schema.fn (` for functions it does not know; the space is taken out
 * again. Should it fail on some syntax, the SQL is returned as it was.
 */
export function prettySql(text: string): string {
  let pretty: string;
  try {
    pretty = formatWithSqlFormatter(text, { language: 'postgresql', keywordCase: 'preserve' });
  } catch {
    return text.trim();
  }
  return mapOutsideLiterals(pretty, (code) => code.replace(/([A-Za-z_][A-Za-z0-9_]*) \(/g, (m, name: string) => (KEEP_SPACE.has(name.toUpperCase()) ? m : `${name}(`)));
}

// Words after which a space before `(` is SQL, not a function call.
const KEEP_SPACE = new Set([
  'AS', 'IN', 'AND', 'OR', 'NOT', 'ON', 'EXISTS', 'VALUES', 'WHEN', 'THEN', 'ELSE', 'SELECT', 'FROM', 'JOIN',
  'WHERE', 'USING', 'SET', 'INTO', 'RETURNING', 'ALL', 'ANY', 'SOME', 'LATERAL', 'OVER', 'FILTER', 'BY', 'WITH',
  'CASE', 'IS', 'LIKE', 'ILIKE', 'UPDATE', 'LIMIT', 'OFFSET', 'TABLE', 'UNION', 'EXCEPT', 'INTERSECT', 'DO',
  'CONFLICT', 'NOTHING', 'MATERIALIZED', 'DISTINCT', 'BETWEEN', 'RECURSIVE', 'GROUP', 'ORDER', 'PARTITION', 'ROW',
]);

/**
 * Replace `$n` placeholders by SQL literals (see `sqlLiteral`), outside
 * string literals, quoted identifiers and comments.
 *
 *   inlineParams('SELECT $1::bytea, $2', [Buffer.from([0]), "it's"])  → SELECT '\x00'::bytea::bytea, 'it''s'
 */
export function inlineParams(text: string, params: readonly SqlParam[]): string {
  return mapOutsideLiterals(text, (code, rest) =>
    code.replace(/\$(\d+)(?![0-9])/g, (m, n: string, offset: number) => {
      const index = Number(n) - 1;
      if (index < 0 || index >= params.length) return m;
      // The cast written after the placeholder (`$2::bytea[]`) types an array literal.
      const after = (code.slice(offset + m.length) + rest).match(/^\s*::\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*\[\]/);
      return sqlLiteral(params[index] as SqlParam, after?.[1]);
    }),
  );
}

/**
 * One parameter as a SQL literal that PostgreSQL reads as the same value:
 * strings, numbers and booleans as quoted literals of unknown type (typed by
 * their context, exactly as an untyped parameter is), bytea as
 * `'\x…'::bytea`, arrays as `ARRAY[…]::type[]`. A string with a backslash uses
 * E'' so that it reads the same whatever `standard_conforming_strings` says.
 *
 *   sqlLiteral("a'b\\c")              → E'a''b\\\\c'
 *   sqlLiteral(Buffer.from('\0'))     → '\x00'::bytea
 *   sqlLiteral(['a', null])           → ARRAY['a', NULL]::text[]
 */
export function sqlLiteral(p: SqlParam, arrayType?: string): string {
  if (p === null) return 'NULL';
  if (Buffer.isBuffer(p)) return `'\\x${p.toString('hex')}'::bytea`;
  if (Array.isArray(p)) {
    const items = p as readonly (string | number | Buffer | null)[];
    const type =
      arrayType ??
      (items.some((x) => Buffer.isBuffer(x))
        ? 'bytea'
        : items.some((x) => typeof x === 'number')
          ? items.every((x) => typeof x !== 'number' || Number.isInteger(x)) ? 'int8' : 'float8'
          : 'text');
    return `ARRAY[${items.map((x) => sqlLiteral(x)).join(', ')}]::${type}[]`;
  }
  if (typeof p === 'number') return `'${String(p)}'`;
  if (typeof p === 'boolean') return p ? "'true'" : "'false'";
  return quoteString(p as string);
}

function quoteString(s: string): string {
  const doubled = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}

/** A parameter as the `sql` format lists it: text when it reads as text, else bytes in hex. */
export function readableParam(p: SqlParam | Buffer | null): string {
  if (p === null) return 'NULL';
  if (Buffer.isBuffer(p)) {
    const text = utf8(p);
    return text !== undefined && PRINTABLE.test(text) ? quoteString(text) : `'\\x${p.toString('hex')}'::bytea`;
  }
  if (Array.isArray(p)) return `ARRAY[${(p as readonly (SqlParam | Buffer | null)[]).map(readableParam).join(', ')}]`;
  if (typeof p === 'number' || typeof p === 'boolean') return String(p);
  return quoteString(p as string);
}

// No control characters: a newline would end the comment line.
const PRINTABLE = /^[^\p{Cc}]*$/u;

function utf8(b: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/**
 * Apply `fn` to the parts of SQL text outside '…' / E'…' literals, "…"
 * identifiers, $tag$…$tag$ bodies and comments; those are kept as they are.
 * `fn` also receives the text that follows its part.
 */
export function mapOutsideLiterals(text: string, fn: (code: string, rest: string) => string): string {
  let out = '';
  let code = '';
  let i = 0;
  const flush = (): void => {
    out += fn(code, text.slice(i));
    code = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    let end = -1;
    if (c === "'") {
      const escaped = /[Ee]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '');
      end = i + 1;
      while (end < text.length) {
        if (escaped && text[end] === '\\') end += 2;
        else if (text[end] === "'" && text[end + 1] === "'") end += 2;
        else if (text[end] === "'") break;
        else end++;
      }
      end = Math.min(end + 1, text.length);
    } else if (c === '"') {
      end = text.indexOf('"', i + 1);
      end = end < 0 ? text.length : end + 1;
    } else if (c === '-' && next === '-') {
      end = text.indexOf('\n', i);
      end = end < 0 ? text.length : end;
    } else if (c === '/' && next === '*') {
      end = text.indexOf('*/', i + 2);
      end = end < 0 ? text.length : end + 2;
    } else if (c === '$' && !/[0-9]/.test(next ?? '') && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))?.[0];
      if (tag !== undefined) {
        end = text.indexOf(tag, i + tag.length);
        end = end < 0 ? text.length : end + tag.length;
      }
    }
    if (end < 0) {
      code += c;
      i++;
      continue;
    }
    flush();
    out += text.slice(i, end);
    i = end;
  }
  flush();
  return out;
}
