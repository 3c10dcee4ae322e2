import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod, formatFinding, type CodemodResult } from '../../src/codemod/index.js';
import { scratchProject } from '../support/codemod-values.js';

// Callbacks typed by @types/ioredis (ioredis 4), whose parameters are not
// optional: a command's callback converts with the helper of that type, and
// exec()'s is reported in TypeScript (its entries are never null there, the
// converted batch's may be) but converts in JavaScript. The values fixtures
// of ioredis 4/5/6 check what the callbacks are called with.
describe('codemod: callbacks typed by @types/ioredis', () => {
  let dir: string;
  let result: CodemodResult;
  beforeAll(async () => {
    dir = scratchProject('ioredis4', []);
    const body = "  redis.get(key, (err, v) => v);\n  redis.multi().get(key).exec((err, res) => res.length);\n}\n";
    writeFileSync(join(dir, 'typed.ts'), "import Redis from 'ioredis';\nconst redis = new Redis();\nexport function f(key: string) {\n" + body);
    writeFileSync(join(dir, 'get.ts'), "import Redis from 'ioredis';\nconst redis = new Redis();\nexport function f(key: string) {\n  return redis.get(key, (err, v) => v?.length);\n}\n");
    writeFileSync(join(dir, 'untyped.js'), "import Redis from 'ioredis';\nconst redis = new Redis();\n/** @param {string} key */\nexport function f(key) {\n" + body);
    result = await codemod(['.'], { cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports exec()'s in TypeScript", () => {
    expect(result.findings.filter((f) => f.path === 'typed.ts').map(formatFinding)[0]).toBe(
      "typed.ts:5:3: warning: exec() with a callback typed by @types/ioredis (ioredis 4) is not converted: the converted batch's entries may be null where its type says not [ioredis/callback]",
    );
  });

  it("converts a command's with the helper typed as @types/ioredis types it, and the value type it declares", () => {
    const after = result.changed.find((c) => c.path === 'get.ts')?.after ?? '';
    expect(after).toMatch(/r2s\.ioredis4Callback\(\s*r2s\.ioredis<string \| null>\(/);
  });

  it('converts both in JavaScript', () => {
    const after = result.changed.find((c) => c.path === 'untyped.js')?.after ?? '';
    expect(after).toMatch(/r2s\.ioredis4Callback\(\s*r2s\.ioredis\(/);
    expect(after).toMatch(/r2s\.ioredisCallback\(\s*r2s\s*\.ioredisMulti\(redis\)/);
  });
});
