import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { Session } from '../../src/session.js';
import { readScript } from '../../scripts/record-fixtures.js';
import {
  bytesFromJson,
  compareReplies,
  replyFromJson,
  type CompareRule,
  type Recording,
} from '../support/oracle.js';
import { cliLine } from '../support/fuzz.js';

/**
 * The recorded oracle, replayed without a server: every
 * fixtures/oracle/<name>.redis has its <name>.replies.json (recorded from a
 * real redis-server by `npm run record`); each file runs on a fresh embedded
 * PGlite through a Session (parse → translate → query → decode; MULTI/WATCH
 * state kept as one Redis connection keeps it) and every
 * reply must match the recording under its rule (test/support/oracle.ts).
 * A command we refuse gives an `ERR redis2sql: …` reply, which no recording
 * holds, so it fails: there are no silent skips.
 */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'oracle');
const scripts = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.redis')).sort() : [];
const recordings = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.replies.json')).sort() : [];

describe('recordings are current', () => {
  it('every .redis file has its recording and every recording its .redis file', () => {
    const names = (files: string[], ext: string): string[] => files.map((f) => basename(f, ext));
    expect(names(recordings, '.replies.json')).toEqual(names(scripts, '.redis'));
  });

  it.each(scripts)('%s: the recording holds the same commands and rules as the script', (file) => {
    const lines = readScript(readFileSync(join(DIR, file)), file);
    const rec = readRecording(file.replace(/\.redis$/, '.replies.json'));
    const fromScript = lines.map((l) => ({ line: l.line, argv: cliLine(l.argv), rule: ruleText(l.rule) }));
    const fromRecording = rec.commands.map((c) => ({
      line: c.line,
      argv: cliLine(c.argv.map(bytesFromJson)),
      rule: ruleText(c.rule),
    }));
    expect(fromRecording, 'stale recording: run `npm run record`').toEqual(fromScript);
  });
});

describe.each(recordings)('replay %s on PGlite', (file) => {
  let db: Database;
  beforeAll(async () => {
    db = await embeddedDatabase();
    await ensureSchema(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it(`${file}: every reply as Redis gave it`, async () => {
    const rec = readRecording(file);
    const diffs: string[] = [];
    const session = new Session(db);
    const started = Date.now();
    for (const command of rec.commands) {
      const argv = command.argv.map(bytesFromJson);
      const got = await session.run(argv);
      const universe = command.universe === undefined ? undefined : replyFromJson(command.universe);
      const diff = compareReplies(replyFromJson(command.reply), got, command.rule ?? { kind: 'exact' }, universe, started);
      if (diff !== undefined) diffs.push(`${rec.source}:${command.line}: ${cliLine(argv)}\n    ${diff}`);
    }
    expect(diffs.join('\n'), `${diffs.length} of ${rec.commands.length} replies differ`).toBe('');
  });
});

function readRecording(file: string): Recording {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Recording;
}

function ruleText(rule: CompareRule | undefined): string {
  return JSON.stringify(rule ?? { kind: 'exact' });
}
