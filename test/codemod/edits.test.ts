import { describe, expect, it } from 'vitest';
import { applyEdits, nestEdits, type Edit } from '../../src/codemod/edits.js';

// `make().on('e', f).go()`: three edits, each inside the receiver of the next.
const SOURCE = "const c = make().on('e', f).go();";
const at = (part: string): { start: number; end: number } => ({ start: SOURCE.indexOf(part), end: SOURCE.indexOf(part) + part.length });
const make: Edit = { ...at('make()'), text: 'new Pool()' };
const on: Edit = { ...at("make().on('e', f)"), text: "make().on('e', f)", receiver: at('make()') };
const go: Edit = { ...at("make().on('e', f).go()"), text: "connect(make().on('e', f))", receiver: at("make().on('e', f)") };

describe('nestEdits', () => {
  it('makes the edits inside a receiver in the copy of it the outer edit holds, at every depth, in any order', () => {
    for (const edits of [[make, on, go], [go, make, on]]) {
      const nested = nestEdits(SOURCE, edits)!;
      expect(nested).toHaveLength(1);
      expect(applyEdits(SOURCE, nested)).toBe("const c = connect(new Pool().on('e', f));");
    }
  });

  it('leaves edits that do not overlap as they are', () => {
    const other: Edit = { ...at('const c'), text: 'let c' };
    expect(applyEdits(SOURCE, nestEdits(SOURCE, [other, make])!)).toBe("let c = new Pool().on('e', f).go();");
  });

  it('is undefined for an edit inside another but outside its receiver (an argument), or an outer text without its receiver’s copy exactly once', () => {
    const inArgument: Edit = { ...at('f'), text: 'g' };
    expect(nestEdits(SOURCE, [on, inArgument])).toBeUndefined();
    expect(nestEdits(SOURCE, [{ ...go, text: 'connect(pool)' }, on])).toBeUndefined();
    expect(nestEdits(SOURCE, [{ ...go, text: "both(make().on('e', f), make().on('e', f))" }, on])).toBeUndefined();
    expect(nestEdits(SOURCE, [{ ...on, receiver: undefined }, make])).toBeUndefined();
  });
});
