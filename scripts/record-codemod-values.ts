/**
 * Record what the real clients return for the codemod's value fixtures
 * (fixtures/codemod/values/<flavour>/<name>.input.ts or .js) from a real
 * redis-server, the oracle test/codemod/values.test.ts compares the converted
 * code's values with:
 *
 *   redis-server --port 6414 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
 *   REDIS_PORT=6414 node --import tsx scripts/record-codemod-values.ts [flavour… | flavour/name.input.ext…]
 *
 * The server is flushed before each flavour: use a scratch server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeValue, FLAVOURS, importInput, valueFixtures, VALUES, type FlavourDir } from '../test/support/codemod-values.js';
import { withRealClient } from '../test/support/codemod-clients.js';

const port = Number(process.env['REDIS_PORT'] ?? '6379');
const wanted = process.argv.slice(2);
// A flavour records all its fixtures; `flavour/<name>.input.<ext>` only that one.
for (const flavour of FLAVOURS.filter((f) => wanted.length === 0 || wanted.some((w) => w === f || w.startsWith(`${f}/`))) as FlavourDir[]) {
  for (const fixture of valueFixtures(flavour).filter((x) => wanted.length === 0 || wanted.includes(flavour) || wanted.includes(`${flavour}/${x.input}`))) {
    const { run } = await importInput(flavour, fixture.input);
    const values = await withRealClient(flavour, port, run);
    writeFileSync(join(VALUES, flavour, fixture.recorded), JSON.stringify(values.map(encodeValue), null, 2) + '\n');
    process.stdout.write(`${flavour}/${fixture.input}: recorded ${values.length} values against redis-server :${port}\n`);
  }
}
