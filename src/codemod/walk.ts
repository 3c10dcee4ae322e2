/**
 * A file's nodes for the type walks, without a ts-morph wrapper for each:
 * wrapping every node of every file (`getDescendants()`) cost more than the
 * type queries it served. The compiler's nodes are walked instead, and only
 * the ones a walk wants are wrapped, as it reaches them.
 */
import { ts } from './ts-morph.js';
import type { Node, SourceFile, Type } from 'ts-morph';

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
 * The ts-morph wrapper of a compiler node of `file`, by ts-morph's own
 * factory: it wraps the node and its ancestors (through their `parent`
 * links, cached like every wrapper). Looking the node up by position from the
 * file down instead (`getDescendantAtPos`) made ts-morph list each level's
 * children with their tokens, a scan of the text it then kept.
 */
function wrap(file: SourceFile, node: ts.Node): Node {
  return (file as unknown as WrapperFactory)._getNodeFromCompilerNode(node);
}

/** The method of ts-morph's nodes every getter of a child goes through (`getParent()`, `getArguments()`…); not in its declarations. */
interface WrapperFactory {
  _getNodeFromCompilerNode(node: ts.Node): Node;
}

/**
 * Whether `node` reads a property in an optional chain (`redis?.get`,
 * `this.cache?.redis.get`): its receiver's type then has `undefined` or
 * `null` beside the client, and the chain yields `undefined` where it would
 * stop, instead of calling. A converted call would call regardless, so the
 * walks report such a call on a client or batch instead of converting it
 * (their type tests look at the receiver's type without `undefined` and
 * `null` for it).
 */
export function optionalReceiver(node: ts.Node): node is ts.PropertyAccessExpression {
  return ts.isPropertyAccessExpression(node) && ts.isOptionalChain(node);
}

/**
 * A literal (string, number, array, object) or a template: an expression
 * whose value is made from its own text, so its type is known by its form
 * (never an ioredis class, never a function) without asking the checker.
 */
export function literalForm(node: ts.Node): boolean {
  return ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node) || ts.isStringLiteralLike(node) || ts.isTemplateExpression(node) || ts.isNumericLiteral(node);
}

/**
 * A node's text for a report line: on one line, cut at 40 characters.
 *
 *   shortText(<this.clients.primary>)  → 'this.clients.primary'
 */
export function shortText(node: Node): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * Whether `test` holds for `type` or one of its parts, a few levels deep: a
 * member of a union or intersection, a type parameter's constraint, a type
 * argument of an alias (`Pick<Redis, 'get'>`). On the compiler's types, for
 * the walks' filters.
 */
export function someTypePart(checker: ts.TypeChecker, type: ts.Type, test: (part: ts.Type) => boolean, depth = 0): boolean {
  if (test(type)) return true;
  if (depth >= 3) return false;
  const constraint = type.flags & ts.TypeFlags.TypeParameter ? checker.getBaseConstraintOfType(type) : undefined;
  const parts = type.isUnionOrIntersection() ? type.types : constraint !== undefined && constraint !== type ? [constraint] : (type.aliasTypeArguments ?? []);
  return parts.some((t) => someTypePart(checker, t, test, depth + 1));
}

/** someTypePart on ts-morph's types, for the walks' branches. */
export function somePart(type: Type, test: (part: Type) => boolean, depth = 0): boolean {
  if (test(type)) return true;
  if (depth >= 3) return false;
  const parts = type.isUnion() ? type.getUnionTypes() : type.isIntersection() ? type.getIntersectionTypes() : type.isTypeParameter() ? [type.getConstraint()].filter((c) => c !== undefined) : type.getAliasTypeArguments();
  return parts.some((t) => somePart(t, test, depth + 1));
}

/**
 * The types an array's or a tuple's elements may have, unions split: what the
 * walks test before sending a run-time array's elements as arguments.
 *
 *   elementTypes(<(string | Buffer)[]>)  → [string, Buffer]
 */
export function elementTypes(type: Type): Type[] {
  const elements = type.isTuple() ? type.getTupleElements() : [type.getArrayElementTypeOrThrow()];
  return elements.flatMap((e) => (e.isUnion() ? e.getUnionTypes() : [e]));
}

/**
 * The types of an object's or a Map's fields and values, unions split, as
 * the walks test them before sending its entries known only at run time as
 * field, value… arguments (HSET's, MSET's objects): a Map's type arguments,
 * or an object's properties and index signatures (read at `at`); undefined
 * for an array, a function, a Map when `maps` is false, and a type that says
 * nothing of its entries (`object`, `{}`).
 *
 *   entryTypes(<{ name: string; age: number }>, node, true)  → [string, number]
 */
export function entryTypes(type: Type, at: Node, maps: boolean): Type[] | undefined {
  if (type.isArray() || type.isTuple() || type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return undefined;
  const name = type.getSymbol()?.getName();
  const parts =
    name === 'Map' || name === 'ReadonlyMap'
      ? maps && type.getTypeArguments().length === 2
        ? type.getTypeArguments()
        : undefined
      : [type.getStringIndexType(), type.getNumberIndexType(), ...type.getProperties().map((p) => p.getTypeAtLocation(at))].filter((t) => t !== undefined);
  return parts === undefined || parts.length === 0 ? undefined : parts.flatMap((t) => (t.isUnion() ? t.getUnionTypes() : [t]));
}

/** The name a converted scan loop (node-redis' iterators, ioredis' streams) gives its cursor, in the step it wraps the call in. */
export const SCAN_CURSOR = 'r2sCursor';

/**
 * Whether a call's arguments name SCAN_CURSOR: the step's parameter would hide
 * it from them.
 *
 *   namesScanCursor([<{ MATCH: r2sCursor }>])  → true
 */
export function namesScanCursor(args: readonly Node[]): boolean {
  return args.some((a) => a.getText() === SCAN_CURSOR || a.getDescendants().some((d) => d.getKind() === ts.SyntaxKind.Identifier && d.getText() === SCAN_CURSOR));
}

/** Words a type's text may hold and still name nothing. */
const NAMELESS_WORDS: ReadonlySet<string> = new Set(['string', 'number', 'boolean', 'bigint', 'symbol', 'null', 'undefined', 'unknown', 'any', 'never', 'void', 'object', 'true', 'false', 'readonly', 'unique']);

/** Whether a printed type names nothing (`string | null`, `[string, number][]`): its text means the same in any file. */
export function nameless(text: string): boolean {
  const words = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '').match(/[A-Za-z_$][\w$]*/g) ?? [];
  return !text.includes('`') && words.every((w) => NAMELESS_WORDS.has(w));
}

/**
 * Whether every name a printed type mentions resolves where `at` is. The
 * checker prints an interface by its own name even where that name is not
 * in scope: node-redis 4's TIME resolves with a `TimeReply`, an interface its
 * module does not export, which is no type in the user's file.
 *
 *   namesInScope('Record<string, Buffer> | null', call)  → true
 *   namesInScope('TimeReply', call)  → false
 */
export function namesInScope(text: string, at: Node): boolean {
  if (nameless(text)) return true;
  const checker = at.getProject().getTypeChecker().compilerObject;
  const statement = ts.createSourceFile('type.ts', `type T = ${text};`, ts.ScriptTarget.Latest).statements[0];
  if (statement === undefined || !ts.isTypeAliasDeclaration(statement)) return false;
  const resolves = (name: ts.EntityName, meaning: ts.SymbolFlags): boolean => {
    // `A.B` is in scope when `A` is: the checker qualified it from there.
    let left = name;
    while (ts.isQualifiedName(left)) left = left.left;
    return checker.resolveName(left.text, at.compilerNode, left === name ? meaning : ts.SymbolFlags.Namespace, false) !== undefined;
  };
  const visit = (node: ts.Node): boolean => {
    if (ts.isTypeReferenceNode(node) && !resolves(node.typeName, ts.SymbolFlags.Type)) return false;
    if (ts.isTypeQueryNode(node) && ts.isIdentifier(node.exprName) && !resolves(node.exprName, ts.SymbolFlags.Value)) return false;
    return ts.forEachChild(node, (child) => (visit(child) ? undefined : true)) !== true;
  };
  return visit(statement.type);
}

/**
 * `type` written as a type argument where `at` is, or undefined: its printed
 * text when every name in it is in scope there, otherwise, for an interface
 * whose own name is not (node-redis 4's `TimeReply`), its bases and its
 * properties (`Date & { microseconds: number }`), which is the same type. A
 * text the printer cut short (`...`) or that needs an `import()` is none;
 * an alias out of scope is written as what it stands for.
 *
 *   writtenType(<TimeReply>, call)  → 'Date & { microseconds: number }'
 *   writtenType(<BitValue>, call)  → '0 | 1'
 */
export function writtenType(type: Type, at: Node, within: ReadonlySet<ts.Type> = new Set()): string | undefined {
  const usable = (text: string): boolean => !text.includes('import(') && !text.includes('...') && namesInScope(text, at);
  const printed = type.getText(at, ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
  if (usable(printed)) return printed;
  // An interface out of scope that holds itself (`next: Node`) has no written form.
  if (within.has(type.compilerType)) return undefined;
  const inner = new Set([...within, type.compilerType]);
  // An alias whose name is not in scope, written as what it stands for (node-redis' `BitValue` as `0 | 1`).
  if (type.getAliasSymbol() !== undefined) {
    const expanded = type.getText(at, ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | ts.TypeFormatFlags.InTypeAlias);
    if (usable(expanded)) return expanded;
  }
  const symbol = type.getSymbol();
  if (symbol === undefined || !type.isInterface() || type.getTypeArguments().length > 0 || type.getCallSignatures().length > 0) return undefined;
  const parts: string[] = [];
  for (const base of type.getBaseTypes()) {
    const text = writtenType(base, at, inner);
    if (text === undefined) return undefined;
    parts.push(text);
  }
  const members: string[] = [];
  for (const member of symbol.getMembers()) {
    const declaration = member.getDeclarations()[0];
    if (declaration === undefined || !ts.isPropertySignature(declaration.compilerNode)) return undefined;
    const text = writtenType(member.getTypeAtLocation(at), at, inner);
    if (text === undefined) return undefined;
    const name = member.getName();
    const readonly = declaration.compilerNode.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) === true ? 'readonly ' : '';
    members.push(`${readonly}${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${member.isOptional() ? '?' : ''}: ${text}`);
  }
  if (members.length > 0) parts.push(`{ ${members.join('; ')} }`);
  return parts.length === 0 ? undefined : parts.join(' & ');
}
