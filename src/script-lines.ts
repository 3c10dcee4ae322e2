/**
 * Splitting a script of redis-cli lines, apart from exec (src/exec.ts), which
 * loads every command's translator: the CLI's input reading and the workload
 * analyser use it without running anything.
 */

/**
 * The command lines of a script: split on newlines (a trailing `\r` is
 * dropped), blank lines and lines starting with `#` skipped.
 *
 *   [...scriptLines('# setup\nSET k v\n\nGET k')] → [{ line: 2, text: 'SET k v' }, { line: 4, text: 'GET k' }]
 */
export function scriptLines(script: string | readonly string[]): Generator<{ line: number; text: string }>;
export function scriptLines(script: Buffer): Generator<{ line: number; text: Buffer }>;
export function* scriptLines(
  script: string | Buffer | readonly string[],
): Generator<{ line: number; text: string | Buffer }> {
  const lines: readonly (string | Buffer)[] =
    typeof script === 'string' ? script.split('\n') : Buffer.isBuffer(script) ? splitBuffer(script) : script;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const text = typeof raw === 'string' ? raw.replace(/\r$/, '') : raw.at(-1) === 0x0d ? raw.subarray(0, -1) : raw;
    // latin1 maps bytes one to one: a Buffer's blank/comment test sees its ASCII as is.
    const ascii = typeof text === 'string' ? text : text.toString('latin1');
    if (/^[ \t\v\f]*(#|$)/.test(ascii)) continue;
    yield { line: i + 1, text };
  }
}

function splitBuffer(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = buf.indexOf(0x0a, start);
    if (end < 0) break;
    out.push(buf.subarray(start, end));
    start = end + 1;
  }
  out.push(buf.subarray(start));
  return out;
}
