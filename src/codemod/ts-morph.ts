import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

/**
 * ts-morph's values, loaded with require. ts-morph is CommonJS: an ESM
 * `import` of it has Node read and lex its 1 MB for the names it exports
 * (~0.25–0.3 s of CPU at every codemod start, on top of loading it), which
 * require does not. Types come from 'ts-morph' itself (`import type` loads
 * nothing); the names that are both a value and a type are both here, `ts`'s
 * types with it in the namespace below (the compiler says when one is missing).
 */
const tsMorph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;

export const { Node, SyntaxKind, Project, TypeFormatFlags } = tsMorph;
export const ts: typeof TsMorph.ts = tsMorph.ts;

export type Node<T extends TsMorph.ts.Node = TsMorph.ts.Node> = TsMorph.Node<T>;
export type SyntaxKind = TsMorph.SyntaxKind;
export type Project = TsMorph.Project;
export type TypeFormatFlags = TsMorph.TypeFormatFlags;

export declare namespace ts {
  type Node = TsMorph.ts.Node;
  type SourceFile = TsMorph.ts.SourceFile;
  type Block = TsMorph.ts.Block;
  type ModuleBlock = TsMorph.ts.ModuleBlock;
  type CaseClause = TsMorph.ts.CaseClause;
  type DefaultClause = TsMorph.ts.DefaultClause;
  type ScriptKind = TsMorph.ts.ScriptKind;
  type TypeChecker = TsMorph.ts.TypeChecker;
  type Program = TsMorph.ts.Program;
  type Statement = TsMorph.ts.Statement;
  type PropertyAccessExpression = TsMorph.ts.PropertyAccessExpression;
  type Type = TsMorph.ts.Type;
  type Symbol = TsMorph.ts.Symbol;
  type Expression = TsMorph.ts.Expression;
  type TypeReference = TsMorph.ts.TypeReference;
  type ObjectType = TsMorph.ts.ObjectType;
  type EntityName = TsMorph.ts.EntityName;
  type SymbolFlags = TsMorph.ts.SymbolFlags;
}
