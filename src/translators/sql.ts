/**
 * The one way translators write SQL: a tagged template whose interpolations
 * become `$n` parameters, so Redis data can never land in SQL text.
 *
 *   const k = param(cmd.args.key);
 *   sql`SELECT s.value FROM ${S}.strings s WHERE s.key = ${k} AND …${k}…`
 *   // → { text: 'SELECT s.value FROM redis.strings s WHERE s.key = $1 AND …$1…', params: ['mykey'] }
 *
 * Only `Raw` fragments (our own SQL: the schema name, other fragments built by
 * `sql`) are spliced; a `Param` object interpolated twice reuses its number,
 * a plain value is always a fresh parameter, so the text depends only on the
 * command's shape, never on its values.
 */

export type SqlParam =
  | string
  | number
  | boolean
  | Buffer
  | null
  | readonly (string | null)[]
  | readonly (Buffer | null)[]
  | readonly number[]
  | readonly boolean[];

export class Raw {
  constructor(readonly text: string) {}
}

export class Param {
  constructor(readonly value: SqlParam) {}
}

/** A piece of SQL with its own parameters, spliced into a larger one. */
export class Fragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

export interface Statement {
  readonly text: string;
  readonly params: readonly SqlParam[];
}

export const raw = (text: string): Raw => new Raw(text);
export const param = (value: SqlParam | bigint): Param => new Param(toSqlParam(value));

/** Quote an identifier we chose (a schema name), never Redis data. */
export function ident(name: string): Raw {
  return new Raw(/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  return new Fragment(strings, values);
}

/** Join fragments with a separator (itself SQL text of ours). */
export function join(parts: readonly Fragment[], separator: string): Fragment {
  const strings: string[] = [''];
  const values: unknown[] = [];
  parts.forEach((part, i) => {
    if (i > 0) strings[strings.length - 1] += separator;
    values.push(part);
    strings.push('');
  });
  return new Fragment(strings, values);
}

function toSqlParam(value: unknown): SqlParam {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'bigint' ? v.toString() : v)) as SqlParam;
  return value as SqlParam;
}

/** Number the parameters of a fragment tree: `$1…$n` in order of first use. */
export function build(fragment: Fragment): Statement {
  const params: SqlParam[] = [];
  const numbers = new Map<Param, number>();
  const walk = (f: Fragment): string => {
    let text = f.strings[0] ?? '';
    f.values.forEach((value, i) => {
      if (value instanceof Raw) text += value.text;
      else if (value instanceof Fragment) text += walk(value);
      else {
        const p = value instanceof Param ? value : new Param(toSqlParam(value));
        let n = numbers.get(p);
        if (n === undefined) {
          params.push(p.value);
          n = params.length;
          numbers.set(p, n);
        }
        text += `$${n}`;
      }
      text += f.strings[i + 1] ?? '';
    });
    return text;
  };
  return { text: walk(fragment), params };
}
