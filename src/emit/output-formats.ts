// Apart from format.ts (which loads sql-formatter), so that the CLI declares its options without loading it.

/**
 * The output formats of `redis2sql translate`:
 *
 * - `sql` (default): the statement pretty-printed, `$n` placeholders kept, then
 *   one comment line per parameter (`-- $1 = 'key'`) and per warning.
 * - `json`: one object per line, `{input, command, sql, params, reply, warnings}`
 *   (or `{input, error}`); a Buffer parameter is `{"base64": …}`, with `"text"`
 *   beside it when it is valid UTF-8, so the bytes are exact and still readable.
 * - `psql`: the statement with its parameters inlined as SQL literals, runnable
 *   as it is (psql, a SQL console).
 */
export type OutputFormat = 'sql' | 'json' | 'psql';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['sql', 'json', 'psql'];
