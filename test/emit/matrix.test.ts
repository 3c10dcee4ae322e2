import { describe, expect, it } from 'vitest';
import { compatibilityMatrix, matrixMarkdown } from '../../src/emit/matrix.js';
import { COMMAND_SPECS, REFUSED_COMMANDS } from '../../src/grammar/table.js';
import { translationStatus } from '../../src/translate.js';

describe('compatibilityMatrix', () => {
  const rows = compatibilityMatrix();

  it('lists every command of the table and every refused name exactly once', () => {
    const names = rows.map((r) => r.command);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([...COMMAND_SPECS.map((s) => s.name), ...Object.keys(REFUSED_COMMANDS)].sort());
  });

  it('agrees with translationStatus and gives a reason for everything not translated', () => {
    for (const row of rows) {
      const status = translationStatus(row.command);
      if (row.command in REFUSED_COMMANDS) {
        expect(row).toMatchObject({ status: 'refused', reason: REFUSED_COMMANDS[row.command] });
      } else if (status.translated) {
        expect(row.status).toBe('translated');
        expect(row.reason).toBeUndefined();
      } else {
        expect(row.status).toBe(status.refusal.kind === 'pending' ? 'pending' : 'refused');
        expect(row.reason).toBe(status.refusal.refused);
      }
    }
    expect(rows.find((r) => r.command === 'GET')).toEqual({ command: 'GET', group: 'string', status: 'translated' });
  });

  it("puts refused commands in Redis' own groups (COMMAND DOCS)", () => {
    expect(rows.find((r) => r.command === 'GEOADD')?.group).toBe('geo');
    expect(rows.find((r) => r.command === 'PFADD')?.group).toBe('hyperloglog');
    expect(rows.find((r) => r.command === 'SETBIT')?.group).toBe('bitmap');
    expect(rows.find((r) => r.command === 'CLUSTER')?.group).toBe('cluster');
    expect(rows.find((r) => r.command === 'CONFIG')?.group).toBe('server');
  });
});

describe('matrixMarkdown', () => {
  it('summarises and tabulates every row, escaping pipes', () => {
    const md = matrixMarkdown([
      { command: 'GET', group: 'string', status: 'translated' },
      { command: 'X|Y', group: 'string', status: 'pending', reason: 'a | b' },
      { command: 'CONFIG', group: 'server', status: 'refused', reason: 'no\nserver' },
    ]);
    expect(md).toBe(
      '**1 of 3 commands translated** (1 pending, 1 refused).\n' +
        '\n### string\n\n| Command | Status | Notes |\n|---|---|---|\n' +
        '| GET | ✅ translated |  |\n| X\\|Y | ⏳ pending | a \\| b |\n' +
        '\n### server\n\n| Command | Status | Notes |\n|---|---|---|\n' +
        '| CONFIG | ❌ refused | no server |\n',
    );
  });
});
