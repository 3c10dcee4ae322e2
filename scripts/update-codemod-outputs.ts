/**
 * Regenerate the codemod's committed outputs after a change that alters them
 * on purpose (most often a translator's SQL text): the fixture cases
 * (fixtures/codemod/cases/*.output.ts and .report.txt), the value fixtures'
 * outputs per client flavour and the sample apps' app.output.ts.
 *
 *   node --import tsx scripts/update-codemod-outputs.ts [cases|values|apps …]
 *
 * It writes what the codemod produces now; read `git diff fixtures/codemod`
 * before committing: the tests compare against these files, so an unread
 * regeneration would accept a regression. Recorded Redis replies
 * (*.redis.json, redis-values.json) are not touched: those come from a real
 * redis-server (scripts/record-codemod-values.ts, record-codemod-app.ts).
 */
import {
  existsSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { codemod, formatFinding } from "../src/codemod/index.js";
import {
  APPS,
  APPS_DIR,
  appFiles,
  convertApp,
  scratchApp,
} from "../test/support/codemod-apps.js";
import {
  FLAVOURS,
  scratchProject,
  valueFixtures,
  VALUES,
} from "../test/support/codemod-values.js";

const CASES = fileURLToPath(
  new URL("../fixtures/codemod/cases/", import.meta.url),
);
const wanted = process.argv.slice(2);
const want = (part: string): boolean =>
  wanted.length === 0 || wanted.includes(part);

function write(path: string, text: string): void {
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
}

if (want("cases")) {
  const names = readdirSync(CASES)
    .filter((f) => f.endsWith(".input.ts"))
    .map((f) => f.slice(0, -".input.ts".length));
  const result = await codemod(
    names.map((n) => `${n}.input.ts`),
    { cwd: CASES },
  );
  for (const name of names) {
    const input = `${name}.input.ts`;
    const changed = result.changed.find((c) => c.path === input);
    if (changed) write(join(CASES, `${name}.output.ts`), changed.after);
    const lines = result.findings
      .filter((f) => f.path === input)
      .map((f) => formatFinding(f) + "\n");
    const report = join(CASES, `${name}.report.txt`);
    if (lines.length > 0) write(report, lines.join(""));
    else if (existsSync(report)) unlinkSync(report);
  }
}

if (want("values")) {
  for (const flavour of FLAVOURS) {
    const fixtures = valueFixtures(flavour);
    const dir = scratchProject(
      flavour,
      fixtures.map((f) => f.input),
    );
    try {
      const result = await codemod(
        fixtures.map((f) => f.input),
        { cwd: dir },
      );
      for (const fixture of fixtures) {
        const changed = result.changed.find((c) => c.path === fixture.input);
        if (changed)
          write(join(VALUES, flavour, fixture.output), changed.after);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (want("apps")) {
  for (const app of APPS) {
    const dir = scratchApp(app);
    try {
      const result = await convertApp(dir, app);
      for (const file of appFiles(app)) {
        const after = result.changed.find((c) => c.path === file.scratch)?.after;
        if (after !== undefined)
          write(join(APPS_DIR, app.name, file.output), after);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
