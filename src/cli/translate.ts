import { readFile } from 'node:fs/promises';
import { Redis2SqlError, UsageError } from '../errors.js';
import { renderTranslation, showInput, translateForOutput, type OutputFormat, type TranslationResult } from '../emit/format.js';
import { toArgv, type CommandInput } from '../grammar/tokenize.js';
import { lineCount } from '../analyze/input.js';
import { renderSnippet, type Flavour } from '../codemod/snippet.js';
import { monitorEntries } from '../monitor/parse.js';
import { translateTransaction } from '../translate-transaction.js';
import { inputSource, type CliIo } from './io.js';
import { progress } from './style.js';

/** `ts`: the node-postgres code the codemod writes for the command (src/codemod/snippet.ts). */
export type CliFormat = OutputFormat | 'ts';

export interface TranslateCliOptions {
  readonly format: CliFormat;
  /** `--format ts`: whose values the snippet yields (default ioredis). */
  readonly client?: Flavour;
  readonly schema?: string;
  readonly file?: string;
  /** `lines` (default): redis-cli lines; `monitor`: a `redis-cli MONITOR` capture. */
  readonly from?: 'lines' | 'monitor';
}

/** One command to translate; `session` keeps the MULTI blocks of interleaved clients apart. */
interface Input {
  readonly line?: number;
  readonly text: CommandInput;
  readonly session?: string;
  /** Why the line is not a command (a capture line that is not a MONITOR line). */
  readonly error?: string;
  /** The capture's database, when not 0. */
  readonly db?: number;
}

/**
 * `redis2sql translate`: each command's SQL in the chosen format; 1 when any
 * command failed (reported on stderr, or as `{input, error}` in json).
 *
 *   translateCommand(['GET k'], { format: 'sql' }, io)                         → 0
 *   translateCommand(['cap.txt'], { format: 'json', from: 'monitor' }, io)     → 0 (one JSON line per captured command)
 *   translateCommand(['ZADD lb 10 alice'], { format: 'ts' }, io)                → 0 (import pg …; const reply = await r2s.ioredis(pool, …))
 */
export async function translateCommand(words: readonly string[], options: TranslateCliOptions, io: CliIo): Promise<number> {
  if (options.client !== undefined && options.format !== 'ts') throw new UsageError('--client goes with --format ts');
  if (options.format === 'ts' && options.schema !== undefined && options.schema !== 'redis') {
    // The codemod's runtime SQL is compiled for the default schema.
    throw new UsageError('--format ts writes the code the codemod writes, for the schema redis: --schema is not supported with it');
  }
  const translateOptions = options.schema === undefined ? {} : { schema: options.schema };
  const { inputs, total } = await inputsOf(words, options, io);
  let failed = false;
  // Lines from a file or stdin are translated as they come, each under a `-- <line>` header.
  const header = !(words.length > 0 && options.from !== 'monitor');
  const emit = (result: TranslationResult, line: number | undefined, argv?: readonly Buffer[]): void => {
    if ('error' in result) {
      failed = true;
      if (options.format !== 'json') {
        bar.finish();
        io.stderr.write(`redis2sql: ${line === undefined ? '' : `line ${line}: `}${oneLine(result.error)}\n`);
        return;
      }
    }
    if (options.format === 'ts') {
      const snippet = tsSnippet(result, argv, options.client ?? 'ioredis');
      if ('error' in snippet) emit(snippet, line);
      else io.stdout.write(header ? `// ${oneLine(result.input)}\n${snippet.text}\n` : snippet.text);
      return;
    }
    const text = renderTranslation(result, options.format, header);
    if (text !== '') io.stdout.write(header && options.format !== 'json' ? `${text}\n` : text);
  };
  const emitBlock = (block: readonly CommandInput[]): void => {
    const results = translateTransaction(block, translateOptions);
    // In ts, one refusal for the block (its first error, else: a transaction is not one call).
    if (options.format === 'ts') emit(results.find((r) => 'error' in r) ?? results[0]!, undefined);
    else for (const result of results) emit(result, undefined);
  };
  const bar = progress(io, 'translate', total, { streamsStdout: true });
  // From WATCH or MULTI to EXEC/DISCARD a session's lines are one transaction: translated together.
  const blocks = new Map<string, CommandInput[]>();
  for await (const { line, text: input, session = '', error, db } of inputs) {
    if (line !== undefined) bar.update(line);
    if (error !== undefined) {
      emit({ input: '', error }, line);
      continue;
    }
    if (db !== undefined) {
      // Another database of the capture: refused as SELECT of it is, unless SELECT translates.
      const select = translateForOutput(['SELECT', String(db)], translateOptions);
      if ('error' in select) {
        emit({ input: showInput(input), error: `database ${db}: ${select.error}` }, line);
        continue;
      }
    }
    const word = firstWord(input);
    let block = blocks.get(session);
    if (block === undefined && (word === 'MULTI' || word === 'WATCH')) blocks.set(session, (block = []));
    if (block !== undefined) {
      block.push(input);
      if (word !== 'EXEC' && word !== 'DISCARD') continue;
      blocks.delete(session);
      emitBlock(block);
      continue;
    }
    emit(translateForOutput(input, translateOptions), line, argvOf(input));
  }
  for (const block of blocks.values()) emitBlock(block);
  bar.finish();
  return failed ? 1 : 0;
}

type Inputs = Iterable<Input> | AsyncIterable<Input>;

async function inputsOf(words: readonly string[], options: TranslateCliOptions, io: CliIo): Promise<{ inputs: Inputs; total?: number }> {
  if (options.from === 'monitor') {
    // `translate --from monitor FILE`: the word is the capture (or --file names it; else stdin).
    if (words.length > 1) throw new UsageError('--from monitor takes one capture file (options go before it)');
    if (words.length === 1 && options.file !== undefined) throw new UsageError('give the capture as FILE or --file, not both');
    const path = words[0] ?? options.file;
    let text: Buffer;
    if (path !== undefined) text = await readInput(path);
    else if (io.stdin.isTTY === true) throw new UsageError('nothing to translate: give a MONITOR capture file, or pipe one in');
    else text = await readAll(io.stdin);
    return { inputs: monitorInputs(text), total: lineCount(text) };
  }
  const source = await inputSource(words, options.file, io);
  if (source.kind === 'terminal') throw new UsageError('nothing to translate: give a command, --file, or pipe lines in');
  if (source.kind === 'words') return { inputs: [{ text: words.length === 1 ? words[0]! : words }] };
  const total = options.file === undefined ? undefined : lineCount(await readInput(options.file));
  return total === undefined ? { inputs: source.lines } : { inputs: source.lines, total };
}

/** The commands clients sent; a script's own commands (`[0 lua]`) are left to its EVAL, which compiles the script. */
function* monitorInputs(text: Buffer): Generator<Input> {
  for (const item of monitorEntries(text)) {
    if ('error' in item) {
      yield { line: item.line, text: '', error: item.error.message };
      continue;
    }
    const e = item.entry;
    if (e.fromScript) continue;
    yield { line: e.line, text: e.argv, session: e.client, ...(e.db === 0 ? {} : { db: e.db }) };
  }
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`cannot read ${path}${code === undefined ? '' : ` (${code})`}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The codemod's code for a translated command. Its renderer takes string
 * arguments: a command whose arguments are not all UTF-8 is refused rather
 * than written with other bytes; a transaction is the codemod's multi() batch,
 * not one call.
 */
function tsSnippet(result: { readonly input: string }, argv: readonly Buffer[] | undefined, flavour: Flavour): { text: string } | { input: string; error: string } {
  if (argv === undefined) {
    return { input: result.input, error: `${result.input}: --format ts writes one command at a time; a MULTI/WATCH transaction is what the codemod converts from a multi() call` };
  }
  const words: string[] = [];
  for (const [i, a] of argv.entries()) {
    const text = a.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(a)) return { input: result.input, error: `argument ${i} is not valid UTF-8: --format ts writes arguments as string literals` };
    words.push(text);
  }
  try {
    return { text: renderSnippet(words, { flavour }) };
  } catch (error) {
    if (!(error instanceof Redis2SqlError)) throw error;
    return { input: result.input, error: error.message };
  }
}

function argvOf(input: CommandInput): Buffer[] | undefined {
  try {
    return toArgv(input);
  } catch {
    return undefined;
  }
}

function firstWord(input: CommandInput): string | undefined {
  try {
    return toArgv(input)[0]?.toString('latin1').toUpperCase();
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
