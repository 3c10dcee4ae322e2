/**
 * The CommonJS build of the codemod's runtime (`redis2sql/codemod-runtime`
 * under its package.json `require` condition), for converted CommonJS files:
 * Node 20 cannot `require()` an ES module, and the converted file stays
 * CommonJS (src/codemod/commonjs.ts). One file bundled by esbuild from the
 * same sources as the ES module build (its packages — pg, postgres-array,
 * luaparse — stay requires of the application's node_modules), so the two
 * builds cannot drift apart. `npm run build` runs it after tsc:
 *
 *   node --import tsx scripts/build-runtime-cjs.ts            → dist/codemod/runtime.cjs
 *   node --import tsx scripts/build-runtime-cjs.ts /tmp/r.cjs  → /tmp/r.cjs
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Where package.json's `require` condition of `./codemod-runtime` points. */
export const RUNTIME_CJS = 'dist/codemod/runtime.cjs';

/**
 * Bundle src/codemod/runtime.ts as CommonJS into `outfile`.
 *
 *   buildRuntimeCjs('/tmp/x/runtime.cjs')  // require('/tmp/x/runtime.cjs').ioredis is the runtime's ioredis()
 */
export function buildRuntimeCjs(outfile: string): void {
  buildSync({
    entryPoints: [resolve(REPO, 'src/codemod/runtime.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
    // The runtime finds the client's error classes from its own place too (src/codemod/client-errors.ts): the bundle's file.
    define: { 'import.meta.url': '__redis2sqlModuleUrl' },
    banner: { js: "const __redis2sqlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildRuntimeCjs(resolve(REPO, process.argv[2] ?? RUNTIME_CJS));
}
