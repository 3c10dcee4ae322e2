import { describe, expect, it } from 'vitest';
import { applyEdits, nestEdits, type Edit } from '../../src/codemod/edits.js';

// `make().on('e', f).go(get(k))`: edits inside the receiver of the next, and one in an argument.
const SOURCE = "const c = make().on('e', f).go(get(k));";
const at = (part: string): { start: number; end: number } => ({ start: SOURCE.indexOf(part), end: SOURCE.indexOf(part) + part.length });
const make: Edit = { ...at('make()'), text: 'new Pool()' };
const on: Edit = { ...at("make().on('e', f)"), text: "make().on('e', f)" };
const get: Edit = { ...at('get(k)'), text: 'query(k)' };
const go: Edit = { ...at("make().on('e', f).go(get(k))"), text: "connect(make().on('e', f), [get(k)])" };

describe('nestEdits', () => {
  it('makes the edits inside another where its text holds their original text, at every depth, in any order', () => {
    for (const edits of [[make, on, get, go], [go, get, make, on]]) {
      const nested = nestEdits(SOURCE, edits)!;
      expect(nested).toHaveLength(1);
      expect(applyEdits(SOURCE, nested)).toBe("const c = connect(new Pool().on('e', f), [query(k)]);");
    }
  });

  it('leaves edits that do not overlap as they are', () => {
    const other: Edit = { ...at('const c'), text: 'let c' };
    expect(applyEdits(SOURCE, nestEdits(SOURCE, [other, make])!)).toBe("let c = new Pool().on('e', f).go(get(k));");
  });

  it('is undefined where the outer text does not hold an inner edit’s original text exactly once, or an edit straddles another', () => {
    expect(nestEdits(SOURCE, [{ ...go, text: 'connect(pool)' }, on])).toBeUndefined();
    expect(nestEdits(SOURCE, [{ ...go, text: "both(make().on('e', f), make().on('e', f))" }, on])).toBeUndefined();
    expect(nestEdits(SOURCE, [{ ...on, text: 'listen()' }, make])).toBeUndefined();
    expect(nestEdits(SOURCE, [on, { ...at("f).go"), text: 'x' }])).toBeUndefined();
  });
});
