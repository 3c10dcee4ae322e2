import type { Command } from 'commander';

/**
 * Examples shown at the end of each command's `--help`, by the command's path
 * (`init vscode`). Every command has some: the CLI tests fail for one that
 * does not.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': ['redis2sql translate "ZADD lb 10 alice"', 'redis2sql schema | psql "$DATABASE_URL"', 'redis2sql exec SET k v', 'redis2sql codemod src'],
  translate: [
    'redis2sql translate "ZADD lb 10 alice"',
    'redis2sql translate --format psql GET k',
    'redis2sql translate --format ts "HSET user:1 name ada"',
    'redis2sql translate --file commands.redis --format json',
    'redis2sql translate --from monitor capture.txt',
  ],
  schema: ['redis2sql schema | psql "$DATABASE_URL"', 'redis2sql schema --schema cache --unlogged'],
  exec: [
    'redis2sql exec SET k v',
    'redis2sql exec --db postgres://localhost/app "INCR hits"',
    'redis2sql exec --data-dir .redis2sql-data < commands.redis',
    'redis2sql exec --json --file commands.redis | jq .',
  ],
  commands: ['redis2sql commands', 'redis2sql commands --json | jq \'.[] | select(.status == "translated") | .command\''],
  lua: ['redis2sql lua unlock.lua --name unlock | psql "$DATABASE_URL"'],
  codemod: ['redis2sql codemod src', 'redis2sql codemod src --write', 'redis2sql codemod . --report json'],
  analyze: ['redis-cli monitor > capture.txt   # while the application runs; Ctrl-C', 'redis2sql analyze capture.txt', 'redis2sql analyze --json capture.txt | jq .refusals', 'redis2sql analyze commands.redis'],
  init: ['redis2sql init vscode'],
  'init vscode': ['redis2sql init vscode', 'redis2sql init vscode --dir ../app --command "npx redis2sql"'],
};

/**
 * The command's path below the program ('' for the program itself).
 *
 *   commandPath(vscodeCommand)  → 'init vscode'
 */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent != null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Append the examples of `command` to its help.
 *
 *   addExamples(program.commands.find((c) => c.name() === 'schema')!)
 *   // redis2sql schema --help → … Examples:\n  $ redis2sql schema | psql "$DATABASE_URL" …
 */
export function addExamples(command: Command): void {
  const examples = EXAMPLES[commandPath(command)];
  if (examples === undefined) return;
  command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
