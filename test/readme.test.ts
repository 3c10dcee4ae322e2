import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matrixMarkdown } from '../src/emit/matrix.js';
import { README, withMatrix } from '../scripts/update-readme-matrix.js';

describe('README.md', () => {
  it('carries the current compatibility matrix (run `npm run matrix` when this fails)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withMatrix(readme, matrixMarkdown())).toBe(readme);
  });

  it('opens with the two commands a newcomer runs', () => {
    const readme = readFileSync(README, 'utf8');
    const firstBlock = readme.slice(0, readme.indexOf('## '));
    expect(firstBlock).toContain('npm install');
    expect(firstBlock).toContain('npx redis2sql translate');
    expect(firstBlock).toContain('npm test');
  });
});
