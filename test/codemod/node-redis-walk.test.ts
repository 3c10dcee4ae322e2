import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';

// The node-redis walk wraps and looks at only the nodes its branches can
// take (mayBeNodeRedis): calls typed as a client or a cluster, `defineScript`,
// type references and property receivers typed as a client or a multi()
// builder. One site per branch the fixtures do not show: a cluster made
// through a function of the project, a builder's type written as
// ReturnType<…>, a client's property read.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LINKS: Readonly<Record<string, string>> = {
  redis: 'node_modules/redis4',
  '@redis/client': 'node_modules/@redis/client',
  '@redis/bloom': 'node_modules/@redis/bloom',
  '@redis/graph': 'node_modules/@redis/graph',
  '@redis/json': 'node_modules/@redis/json',
  '@redis/search': 'node_modules/@redis/search',
  '@redis/time-series': 'node_modules/@redis/time-series',
  '@types/node': 'node_modules/@types/node',
};

const FILES: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({ name: 'node-redis-walk', private: true, type: 'module', dependencies: { redis: '^4.7.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: true } }),
  'client.ts': "import { createClient } from 'redis';\n\nexport const client = createClient();\n",
  'cluster.ts': [
    "import { createCluster } from 'redis';",
    '',
    'function make() {',
    "  return createCluster({ rootNodes: [{ url: 'redis://localhost:7000' }] });",
    '}',
    '',
    'export const cluster = make();',
    '',
  ].join('\n'),
  'builder.ts': [
    "import { client } from './client.js';",
    '',
    'export function queue(m: ReturnType<typeof client.multi>) {',
    "  return m.incr('n');",
    '}',
    '',
    'export const run = () => queue(client.multi()).exec();',
    '',
  ].join('\n'),
  // A file whose client stays node-redis: its own (sharing client.ts' would leave client.ts and builder.ts unchanged too: src/codemod/shared-clients.ts).
  'open.ts': "import { createClient } from 'redis';\n\nconst client = createClient();\n\nexport const open = () => client.isOpen;\nexport const options = () => client.options;\n",
};

describe('codemod: the node-redis walk', () => {
  let dir: string;
  let result: CodemodResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis2sql-node-redis-walk-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    for (const [name, target] of Object.entries(LINKS)) {
      const at = join(dir, 'node_modules', name);
      mkdirSync(join(at, '..'), { recursive: true });
      symlinkSync(join(REPO, target), at, 'dir');
    }
    result = await codemod(['.'], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const after = (path: string): string | undefined => result.changed.find((c) => c.path === path)?.after;
  const reported = (path: string): string[] => result.findings.filter((f) => f.path === path).map(formatFinding);

  it('reports every call typed as a cluster: the creation and the call of the function returning it', () => {
    expect(reported('cluster.ts')).toEqual([
      'cluster.ts:4:10: warning: cluster clients are not converted (PostgreSQL has no cluster topology to mirror) [node-redis/cluster]',
      'cluster.ts:7:24: warning: cluster clients are not converted (PostgreSQL has no cluster topology to mirror) [node-redis/cluster]',
      'cluster.ts:4:10: warning: file left unchanged: a file is converted whole (every use of its node-redis clients) or not at all [node-redis/file-untouched]',
    ]);
  });

  it("converts a builder's type however it is written, and its queued commands", () => {
    const text = after('builder.ts') ?? '';
    expect(text).toContain('export function queue(m: r2s.NodeRedisBatch) {');
    expect(text).toMatch(/return m\.add\(\s*"WITH arg AS [^"]*redis\.incrby\(arg\.key, arg\.delta\)[^"]*",\s*\['n', '1'\],/);
    expect(text).toContain('r2s.nodeRedisMulti(client, 4)');
  });

  it("reports a client's property read, but for its isOpen and isReady (src/codemod/lifecycle-runtime.ts)", () => {
    expect(reported('open.ts')).toEqual([
      "open.ts:6:30: warning: 'options' of a node-redis client is not a command call [node-redis/property]",
      'open.ts:6:30: warning: file left unchanged: a file is converted whole (every use of its node-redis clients) or not at all [node-redis/file-untouched]',
    ]);
  });
});
