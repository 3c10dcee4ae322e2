import { COMMAND_SPECS, REFUSED_COMMANDS } from '../grammar/table.js';
import { translationStatus } from '../translate.js';

/** Where a command stands in redis2sql. */
export type MatrixStatus = 'translated' | 'pending' | 'refused';

export interface MatrixRow {
  /** Upper case; a subcommand is `CONTAINER SUB`. */
  readonly command: string;
  /** Redis' group (`string`, `sorted_set`, `geo`…). */
  readonly group: string;
  readonly status: MatrixStatus;
  /** Why it is not translated (pending: what it waits for; refused: why never). */
  readonly reason?: string;
}

// Redis 7.0's group of each command we refuse without parsing it, from
// `COMMAND DOCS` on redis-server 7.0.15 (REFUSED_COMMANDS does not say).
const REFUSED_GROUPS: Readonly<Record<string, string>> = groups({
  cluster: 'ASKING CLUSTER READONLY READWRITE',
  connection: 'AUTH CLIENT HELLO QUIT RESET',
  geo: 'GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEORADIUS_RO GEOSEARCH GEOSEARCHSTORE',
  hyperloglog: 'PFADD PFCOUNT PFDEBUG PFMERGE PFSELFTEST',
  server:
    'ACL BGREWRITEAOF BGSAVE COMMAND CONFIG DEBUG FAILOVER INFO LASTSAVE LATENCY LOLWUT MEMORY MODULE MONITOR PSYNC ' +
    'REPLCONF REPLICAOF RESTORE-ASKING ROLE SAVE SHUTDOWN SLAVEOF SLOWLOG SWAPDB SYNC',
});

function groups(byGroup: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [group, names] of Object.entries(byGroup)) for (const name of names.split(' ')) out[name] = group;
  return out;
}

/**
 * The compatibility matrix: every command redis2sql knows (the command table
 * and the commands it refuses by name), its group, whether it is translated
 * and, if not, why. Sorted by group, then command.
 *
 *   compatibilityMatrix().find((r) => r.command === 'GET')
 *   → { command: 'GET', group: 'string', status: 'translated' }
 *   compatibilityMatrix().find((r) => r.command === 'CONFIG')
 *   → { command: 'CONFIG', group: 'server', status: 'refused', reason: 'server configuration: …' }
 */
export function compatibilityMatrix(): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const spec of COMMAND_SPECS) {
    const status = translationStatus(spec.name);
    if (status.translated) rows.push({ command: spec.name, group: spec.group, status: 'translated' });
    else {
      rows.push({
        command: spec.name,
        group: spec.group,
        status: status.refusal.kind === 'pending' ? 'pending' : 'refused',
        reason: status.refusal.refused,
      });
    }
  }
  for (const [command, reason] of Object.entries(REFUSED_COMMANDS)) {
    rows.push({ command, group: REFUSED_GROUPS[command] ?? 'server', status: 'refused', reason });
  }
  return rows.sort((a, b) => cmp(a.group, b.group) || cmp(a.command, b.command));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The matrix as Markdown: a summary line, then one table per group.
 *
 *   matrixMarkdown()
 *   → '**12 of 250 commands translated** (…)\n\n### string\n\n| Command | Status | Notes |\n|---|---|---|\n| GET | ✅ translated | |\n…'
 */
export function matrixMarkdown(rows: readonly MatrixRow[] = compatibilityMatrix()): string {
  const count = (s: MatrixStatus): number => rows.filter((r) => r.status === s).length;
  let out =
    `**${count('translated')} of ${rows.length} commands translated** ` +
    `(${count('pending')} pending, ${count('refused')} refused).\n`;
  const byGroup = new Map<string, MatrixRow[]>();
  for (const row of rows) byGroup.set(row.group, [...(byGroup.get(row.group) ?? []), row]);
  for (const [group, groupRows] of byGroup) {
    out += `\n### ${group}\n\n| Command | Status | Notes |\n|---|---|---|\n`;
    for (const row of groupRows) {
      out += `| ${escapeCell(row.command)} | ${LABEL[row.status]} | ${escapeCell(row.reason ?? '')} |\n`;
    }
  }
  return out;
}

const LABEL: Readonly<Record<MatrixStatus, string>> = {
  translated: '✅ translated',
  pending: '⏳ pending',
  refused: '❌ refused',
};

function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
