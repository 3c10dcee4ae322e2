import { describe, expect, it } from 'vitest';
import { Project, SyntaxKind } from 'ts-morph';
import { namesScanCursor, SCAN_CURSOR } from '../../src/codemod/walk.js';

// A converted scan loop wraps the call in `(r2sCursor) => …`: a call whose own arguments name it is not converted.
describe('namesScanCursor', () => {
  const args = (text: string) => new Project({ useInMemoryFileSystem: true }).createSourceFile('a.ts', `f(${text});`).getStatements()[0]!.getFirstDescendantByKindOrThrow(SyntaxKind.CallExpression).getArguments();
  it('is true for the name itself or inside an argument, false for text that only contains it', () => {
    expect(SCAN_CURSOR).toBe('r2sCursor');
    expect(namesScanCursor(args('r2sCursor'))).toBe(true);
    expect(namesScanCursor(args("'k', { MATCH: `${r2sCursor}*` }"))).toBe(true);
    expect(namesScanCursor(args("'k', { MATCH: 'r2sCursor*' }"))).toBe(false);
    expect(namesScanCursor(args("'k', { MATCH: r2sCursorX }"))).toBe(false);
  });
});
