/**
 * A file's nodes for the type walks, without a ts-morph wrapper for each:
 * wrapping every node of every file (`getDescendants()`) cost more than the
 * type queries it served. The compiler's nodes are walked instead, and only
 * the ones a walk wants are wrapped, as it reaches them.
 */
import { ts, type Node, type SourceFile } from 'ts-morph';

/**
 * The nodes of `file` that `wanted` accepts, in `file.getDescendants()` order
 * (a node's JSDoc before its children, as `getChildren()` lists them),
 * wrapped. Lazy: `wanted` runs on a node only after the caller is done with
 * the nodes before it, so type queries happen in the order they did when the
 * walk was over `getDescendants()` (the checker creates types as it is asked,
 * which can order a union's members).
 *
 *   [...descendantsWhere(file, ts.isNewExpression)]  → [<new Redis()>, …]
 */
export function* descendantsWhere(file: SourceFile, wanted: (node: ts.Node) => boolean): Generator<Node> {
  const stack: ts.Node[] = [file.compilerNode];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node !== file.compilerNode && wanted(node)) yield wrap(file, node);
    const children: ts.Node[] = [...((node as { readonly jsDoc?: readonly ts.Node[] }).jsDoc ?? [])];
    node.forEachChild((child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/**
 * The ts-morph wrapper of a compiler node of `file`: the deepest node at its
 * start (inside it: children do not overlap), then up to it. Only the nodes on
 * that path are wrapped.
 */
function wrap(file: SourceFile, node: ts.Node): Node {
  let found = file.getDescendantAtPos(node.getStart(file.compilerNode));
  while (found !== undefined && found.compilerNode !== node) found = found.getParent();
  if (found === undefined) throw new Error(`no wrapper for the ${ts.SyntaxKind[node.kind]} at ${node.getStart(file.compilerNode)} of ${file.getFilePath()}`);
  return found;
}
