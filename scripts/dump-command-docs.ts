/**
 * Reads `COMMAND INFO` and `COMMAND DOCS` off a running redis-server and prints
 * one group's commands in the builder style of src/grammar/commands/*.ts, so an
 * engineer writing or reviewing a group file reads the facts off the server
 * rather than from memory. The output is a draft to read, never pasted
 * unread. test/live/command-table.live.test.ts reads the server through
 * `readServerCommands` too.
 *
 *   node --import tsx scripts/dump-command-docs.ts --port 7102 --group hash
 *   node --import tsx scripts/dump-command-docs.ts --port 7102 --json > /tmp/commands.json
 */
import type { RedisReply } from '../src/emit/reply.js';
import { RespClient } from '../test/support/resp.js';

export interface DocArg {
  readonly name: string;
  readonly type: string;
  readonly token?: string;
  readonly flags: readonly string[];
  readonly args: readonly DocArg[];
}

export interface ServerCommand {
  /** Upper case, `CONTAINER SUB` for subcommands. */
  readonly name: string;
  readonly group: string;
  readonly arity: number;
  readonly flags: readonly string[];
  readonly first: number;
  readonly last: number;
  readonly step: number;
  readonly args: readonly DocArg[];
  /** A container's subcommands (`XGROUP` → `XGROUP CREATE`, …); empty for plain commands. */
  readonly subcommands: readonly string[];
}

/** A RESP2 reply as plain JS: bulk strings as UTF-8 text (command docs are text). */
type Plain = string | bigint | null | readonly Plain[];

function plain(reply: RedisReply): Plain {
  switch (reply.type) {
    case 'status':
      return reply.value;
    case 'error':
      throw new Error(`redis-server replied ${reply.message}`);
    case 'integer':
      return reply.value;
    case 'bulk':
      return reply.value === null ? null : reply.value.toString('utf8');
    case 'array':
      return reply.value === null ? null : reply.value.map(plain);
  }
}

/** RESP2 spells a map as a flat array of name, value, name, value… */
const pairs = (flat: Plain | undefined): Map<string, Plain> => {
  const map = new Map<string, Plain>();
  if (!Array.isArray(flat)) return map;
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1] ?? null);
  return map;
};

function docArg(flat: Plain): DocArg {
  const m = pairs(flat);
  const token = m.get('token');
  const nested = m.get('arguments');
  const flags = m.get('flags');
  return {
    name: String(m.get('name')),
    type: String(m.get('type')),
    ...(typeof token === 'string' ? { token } : {}),
    flags: Array.isArray(flags) ? flags.map(String) : [],
    args: Array.isArray(nested) ? nested.map(docArg) : [],
  };
}

/**
 * Every command and subcommand the server knows, with its `COMMAND INFO` and
 * `COMMAND DOCS` facts, sorted by name.
 *
 *   (await readServerCommands(7102)).find((c) => c.name === 'XGROUP CREATE')
 *   // → { name: 'XGROUP CREATE', group: 'stream', arity: -5, first: 2, last: 2, step: 1, … }
 */
export async function readServerCommands(port: number): Promise<ServerCommand[]> {
  const client = await RespClient.connect(port);
  try {
    const info = plain(await client.call('COMMAND', 'INFO'));
    const docs = plain(await client.call('COMMAND', 'DOCS'));
    const docsByName = new Map<string, Map<string, Plain>>();
    const collectDocs = (flat: Plain | undefined): void => {
      if (!Array.isArray(flat)) return;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const doc = pairs(flat[i + 1]);
        docsByName.set(String(flat[i]).toLowerCase(), doc);
        collectDocs(doc.get('subcommands'));
      }
    };
    collectDocs(docs);

    const out: ServerCommand[] = [];
    const collectInfo = (entries: Plain | undefined): void => {
      if (!Array.isArray(entries)) return;
      for (const entry of entries) {
        if (!Array.isArray(entry)) continue;
        const [name, arity, flags, first, last, step, , , , subcommands] = entry as readonly Plain[];
        const lower = String(name).toLowerCase();
        const doc = docsByName.get(lower);
        const args = doc?.get('arguments');
        const subs = Array.isArray(subcommands) ? subcommands : [];
        out.push({
          name: lower.replace('|', ' ').toUpperCase(),
          // Our Group names use `_` where Redis writes `sorted-set`.
          group: String(doc?.get('group') ?? '').replace('-', '_'),
          arity: Number(arity),
          flags: Array.isArray(flags) ? flags.map(String) : [],
          first: Number(first),
          last: Number(last),
          step: Number(step),
          args: Array.isArray(args) ? args.map(docArg) : [],
          subcommands: subs.map((sub) => (Array.isArray(sub) ? String(sub[0]).replace('|', ' ').toUpperCase() : '')),
        });
        collectInfo(subs);
      }
    };
    collectInfo(info);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } finally {
    await client.close();
  }
}

const BUILDER: Readonly<Record<string, string>> = {
  key: 'key',
  string: 'str',
  integer: 'int',
  double: 'dbl',
  pattern: 'pattern',
  'unix-time': 'unixTime',
};

/** One argument in builder style: `optional(tok('LIMIT', int('count')))`. */
function draftArg(arg: DocArg): string {
  const q = (s: string): string => `'${s.replace(/'/g, "\\'")}'`;
  let text: string;
  if (arg.type === 'pure-token') text = `token(${q(arg.name)}, ${q(arg.token ?? '?')})`;
  else {
    if (arg.type === 'oneof' || arg.type === 'block')
      text = `${arg.type}(${q(arg.name)}, ${arg.args.map(draftArg).join(', ')})`;
    else if (arg.type === 'key' && arg.name === 'key') text = 'key()';
    else text = `${BUILDER[arg.type] ?? `/* ${arg.type} */ str`}(${q(arg.name)})`;
    if (arg.token !== undefined) text = `tok(${q(arg.token)}, ${text})`;
  }
  if (arg.flags.includes('multiple_token')) text = `multipleToken(${text})`;
  else if (arg.flags.includes('multiple')) text = `multiple(${text})`;
  if (arg.flags.includes('optional')) text = `optional(${text})`;
  return text;
}

const FLAG_ORDER = [
  'write',
  'readonly',
  'denyoom',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'fast',
  'no_auth',
  'may_replicate',
  'no_mandatory_keys',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

export function draftCommand(cmd: ServerCommand): string {
  const flags = cmd.flags.filter((f) => FLAG_ORDER.includes(f)).map((f) => `'${f}'`);
  const keyPos =
    cmd.first === 0 && cmd.last === 0 && cmd.step === 0 ? 'NO_KEYS' : `keys(${cmd.first}, ${cmd.last}, ${cmd.step})`;
  return `  command('${cmd.name}', '${cmd.group}', ${cmd.arity}, [${flags.join(', ')}], ${keyPos}, [${cmd.args.map(draftArg).join(', ')}]),`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(opt('--port') ?? process.env['REDIS_PORT'] ?? 6379);
  const commands = await readServerCommands(port);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(commands, null, 2)}\n`);
    return;
  }
  const group = opt('--group');
  // Containers are not entries of ours: their subcommands are.
  const wanted = commands.filter(
    (cmd) => cmd.subcommands.length === 0 && (group === undefined || cmd.group === group.replace('-', '_')),
  );
  for (const cmd of wanted) process.stdout.write(`${draftCommand(cmd)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
