import { UsageError } from '../errors.js';
import { renderTranslation, translateForOutput, type OutputFormat, type TranslationResult } from '../emit/format.js';
import { toArgv, type CommandInput } from '../grammar/tokenize.js';
import { translateTransaction } from '../translate-transaction.js';
import { inputSource, type CliIo } from './io.js';

export interface TranslateCliOptions {
  readonly format: OutputFormat;
  readonly schema?: string;
  readonly file?: string;
}

/**
 * `redis2sql translate`: each command's SQL in the chosen format; 1 when any
 * command failed (reported on stderr, or as `{input, error}` in json).
 */
export async function translateCommand(words: readonly string[], options: TranslateCliOptions, io: CliIo): Promise<number> {
  const source = await inputSource(words, options.file, io);
  if (source.kind === 'terminal') throw new UsageError('nothing to translate: give a command, --file, or pipe lines in');
  const translateOptions = options.schema === undefined ? {} : { schema: options.schema };
  const inputs: Iterable<{ line?: number; text: CommandInput }> | AsyncIterable<{ line?: number; text: CommandInput }> =
    source.kind === 'words' ? [{ text: words.length === 1 ? words[0]! : words }] : source.lines;
  let failed = false;
  // Lines from a file or stdin are translated as they come, each under a `-- <line>` header.
  const header = source.kind === 'lines';
  const emit = (result: TranslationResult, line: number | undefined): void => {
    if ('error' in result) {
      failed = true;
      if (options.format !== 'json') io.stderr.write(`redis2sql: ${line === undefined ? '' : `line ${line}: `}${oneLine(result.error)}\n`);
    }
    const text = renderTranslation(result, options.format, header);
    if (text !== '') io.stdout.write(header && options.format !== 'json' ? `${text}\n` : text);
  };
  // From WATCH or MULTI to EXEC/DISCARD the lines are one transaction: translated together.
  let block: CommandInput[] | undefined;
  for await (const { line, text: input } of inputs) {
    const word = firstWord(input);
    if (block === undefined && (word === 'MULTI' || word === 'WATCH')) block = [];
    if (block !== undefined) {
      block.push(input);
      if (word !== 'EXEC' && word !== 'DISCARD') continue;
      for (const result of translateTransaction(block, translateOptions)) emit(result, undefined);
      block = undefined;
      continue;
    }
    emit(translateForOutput(input, translateOptions), line);
  }
  if (block !== undefined) for (const result of translateTransaction(block, translateOptions)) emit(result, undefined);
  return failed ? 1 : 0;
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
