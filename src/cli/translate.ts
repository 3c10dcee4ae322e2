import { UsageError } from '../errors.js';
import { renderTranslation, translateForOutput, type OutputFormat, type TranslationResult } from '../emit/format.js';
import { scriptLines } from '../exec.js';
import type { CommandInput } from '../grammar/tokenize.js';
import { inputSource, type CliIo } from './io.js';

export interface TranslateCliOptions {
  readonly format: OutputFormat;
  readonly schema?: string;
  readonly file?: string;
}

/** `redis2sql translate`: each command's SQL in the chosen format; 1 when any command failed. */
export async function translateCommand(words: readonly string[], options: TranslateCliOptions, io: CliIo): Promise<number> {
  const source = await inputSource(words, options.file, io);
  if (source.kind === 'terminal') throw new UsageError('nothing to translate: give a command, --file, or pipe lines in');
  const translateOptions = options.schema === undefined ? {} : { schema: options.schema };
  const inputs: { line?: number; input: CommandInput }[] =
    source.kind === 'words'
      ? [{ input: words.length === 1 ? words[0]! : words }]
      : [...scriptLines(source.text)].map(({ line, text }) => ({ line, input: text }));
  let failed = false;
  const header = inputs.length > 1;
  for (const { line, input } of inputs) {
    const result: TranslationResult = translateForOutput(input, translateOptions);
    if ('error' in result) {
      failed = true;
      if (options.format !== 'json') io.stderr.write(`redis2sql: ${line === undefined ? '' : `line ${line}: `}${oneLine(result.error)}\n`);
    }
    const text = renderTranslation(result, options.format, header);
    if (text !== '') io.stdout.write(header && options.format !== 'json' ? `${text}\n` : text);
  }
  return failed ? 1 : 0;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
