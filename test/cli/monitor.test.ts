import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TokenizeError } from '../../src/errors.js';
import { looksLikeMonitor, monitorEntries, parseMonitorLine, type MonitorEntry } from '../../src/monitor/parse.js';
import { bytesFromJson, type BytesJson } from '../support/oracle.js';

const DIR = fileURLToPath(new URL('../../fixtures/monitor/', import.meta.url));

/** A capture recorded by scripts/record-monitor.ts from redis-server 7.0, and what was sent. */
function recorded(name: string): { capture: Buffer; sent: { client: string; db: number; argv: BytesJson[] }[] } {
  return {
    capture: readFileSync(join(DIR, `${name}.monitor`)),
    sent: JSON.parse(readFileSync(join(DIR, `${name}.sent.json`), 'utf8')) as { client: string; db: number; argv: BytesJson[] }[],
  };
}

function entries(capture: Buffer): MonitorEntry[] {
  const out: MonitorEntry[] = [];
  for (const item of monitorEntries(capture)) {
    if ('error' in item) throw item.error;
    out.push(item.entry);
  }
  return out;
}

describe('MONITOR captures of redis-server 7.0', () => {
  for (const name of ['escapes', 'workload']) {
    it(`${name}: every command comes back with the exact bytes sent, its client kind and database`, () => {
      const { capture, sent } = recorded(name);
      const got = entries(capture);
      expect(got).toHaveLength(sent.length);
      got.forEach((e, i) => {
        const s = sent[i]!;
        expect(e.argv.map((a) => a.toString('hex'))).toEqual(s.argv.map((a) => bytesFromJson(a).toString('hex')));
        expect(e.db).toBe(s.db);
        expect(e.fromScript).toBe(s.client === 'lua');
        const kind = e.client === 'lua' ? 'lua' : e.client.startsWith('unix:') ? 'unix' : e.client.startsWith('[') ? 'ipv6' : 'tcp';
        expect(kind).toBe(s.client);
      });
    });
  }

  it('reads the line, time and client of each entry', () => {
    const got = entries(recorded('escapes').capture);
    const lines = recorded('escapes').capture.toString('latin1').split('\n');
    for (const e of got) {
      const text = lines[e.line - 1]!;
      expect(text.startsWith(`${e.time.toFixed(6)} [${e.db} ${e.client}] "`)).toBe(true);
    }
    // A value that looks like a MONITOR prefix stays a value.
    const tricky = got.find((e) => e.argv[1]?.toString() === 'brackets] "x"');
    expect(tricky?.argv[2]?.toString()).toBe('[0 lua] "fake"');
    expect(tricky?.fromScript).toBe(false);
  });

  it('reads IPv6 clients, whose address has brackets of its own', () => {
    const ipv6 = entries(recorded('escapes').capture).filter((e) => e.client.startsWith('['));
    expect(ipv6.map((e) => e.argv.map(String))).toEqual([['SET', 'via:ipv6', '[::1]']]);
    expect(ipv6[0]!.client).toMatch(/^\[::1\]:\d+$/);
  });

  it('reports a line that is not a MONITOR line, and skips redis-cli\'s OK and blank lines', () => {
    expect(() => parseMonitorLine('SET k v', 1)).toThrow(TokenizeError);
    expect(() => parseMonitorLine('1795707299.226106 [0 127.0.0.1:1] "GET" "k', 1)).toThrow(/not a MONITOR line/);
    expect(() => parseMonitorLine('1795707299.226106 [0 127.0.0.1:1] GET k', 1)).toThrow(/not a MONITOR line/);
    const items = [...monitorEntries('OK\n\n1795707299.2 [0 127.0.0.1:1] "PING"\ngarbage\n')];
    expect(items.map((i) => ('error' in i ? `error@${i.line}` : `entry@${i.entry.line}`))).toEqual(['entry@3', 'error@4']);
  });

  it('tells a capture from a command list', () => {
    expect(looksLikeMonitor(recorded('escapes').capture)).toBe(true);
    expect(looksLikeMonitor('SET k v\nGET k\n')).toBe(false);
    expect(looksLikeMonitor('# comment\n1795707299.2 [0 lua] "PING"\n')).toBe(false);
  });
});
