import { describe, expect, it } from 'vitest';
import { Project, SyntaxKind, TypeFormatFlags } from 'ts-morph';
import { namesInScope, writtenType } from '../../src/codemod/walk.js';

// A converted call declares the type its client's call yielded. The checker prints an interface by
// its name even where that name is not in scope (node-redis 4's TIME: `TimeReply`, which its module
// does not export); such a type is written as its bases and properties, or not at all.
const LIB = `
interface Hidden extends Date { readonly micro: number; 'odd-name'?: string[] }
interface Generic<T> extends Date { value: T }
interface WithMethod { run(): void }
type Bit = 0 | 1;
export declare function bit(): Bit;
interface Chain { value: number; next: Chain }
export declare function chain(): Chain;
export declare function hidden(): Hidden;
export declare function generic(): Generic<string>;
export declare function withMethod(): WithMethod;
export interface Shown { a: number }
export declare function shown(): Shown;
`;
const SOURCE = `
import { hidden, generic, withMethod, shown, bit, chain, type Shown } from './lib';
type Local = { n: number };
const local: Local = { n: 1 };
export function f() {
  type Inner = { m: string };
  const inner: Inner = { m: 'x' };
  return [hidden(), generic(), withMethod(), shown(), local, inner, bit(), chain()];
}
`;

function calls() {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, types: [] } });
  project.createSourceFile('lib.d.ts', LIB);
  const file = project.createSourceFile('a.ts', SOURCE);
  const elements = file.getFunctionOrThrow('f').getFirstDescendantByKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements();
  return { file, elements };
}

describe('writtenType', () => {
  it('writes an interface whose name is out of scope as its bases and properties', () => {
    const { elements } = calls();
    expect(elements[0]!.getType().getText(elements[0], TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)).toBe('Hidden');
    expect(writtenType(elements[0]!.getType(), elements[0]!)).toBe('Date & { readonly micro: number; "odd-name"?: string[] | undefined }');
  });
  it('writes an alias whose name is out of scope as what it stands for', () => {
    const { elements } = calls();
    expect(elements[6]!.getType().getText(elements[6], TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)).toBe('Bit');
    expect(writtenType(elements[6]!.getType(), elements[6]!)).toBe('0 | 1');
  });
  it('gives up on generic interfaces and interfaces with methods', () => {
    const { elements } = calls();
    expect(writtenType(elements[1]!.getType(), elements[1]!)).toBeUndefined();
    expect(writtenType(elements[2]!.getType(), elements[2]!)).toBeUndefined();
    // One that holds itself has no written form (and is not walked forever).
    expect(writtenType(elements[7]!.getType(), elements[7]!)).toBeUndefined();
  });
  it('keeps names in scope as printed: imported, module-level and function-level', () => {
    const { elements } = calls();
    expect(writtenType(elements[3]!.getType(), elements[3]!)).toBe('Shown');
    expect(writtenType(elements[4]!.getType(), elements[4]!)).toBe('Local');
    expect(writtenType(elements[5]!.getType(), elements[5]!)).toBe('Inner');
  });
});

describe('namesInScope', () => {
  it('resolves each type name where the node is', () => {
    const { file, elements } = calls();
    const at = elements[0]!;
    expect(namesInScope('string | null', at)).toBe(true);
    expect(namesInScope("'Hidden' | { Hidden: 1 }", at)).toBe(true); // a literal and a property name name nothing
    expect(namesInScope('Record<string, Inner>', at)).toBe(true);
    expect(namesInScope('Record<string, Inner>', file.getVariableDeclarationOrThrow('local'))).toBe(false);
    expect(namesInScope('Hidden[]', at)).toBe(false);
    expect(namesInScope('Promise<Shown | undefined>', at)).toBe(true);
  });
});
