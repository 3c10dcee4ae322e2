import type { SourceFile } from 'ts-morph';

const IMPORT = "import * as r2s from 'redis2sql/codemod-runtime';";
const PG_IMPORT = "import pg from 'pg';";

/**
 * The converted text of `file` with the imports the converted code needs
 * (pg, the codemod runtime) after the last import, and the imports of
 * `clientModules` dropped once nothing in the file uses their names.
 *
 *   addImports(file, text, ['redis'])
 *   // import { createClient } from 'redis';  →  import pg from 'pg';
 *   //                                            import * as r2s from 'redis2sql/codemod-runtime';
 */
export function addImports(file: SourceFile, text: string, clientModules: readonly string[]): string {
  const imports = file.getImportDeclarations();
  // Edits never touch import declarations, which come before the code they
  // change, so the declarations' positions are still valid in `text`.
  const add = [
    text.includes('pg.Pool') && !/import pg from ['"]pg['"]/.test(text) ? PG_IMPORT : undefined,
    text.includes(IMPORT) || !text.includes('r2s.') ? undefined : IMPORT,
  ].filter((l): l is string => l !== undefined);
  const at = imports.at(-1)?.getEnd() ?? 0;
  let out = add.length === 0 ? text : `${text.slice(0, at)}${at === 0 ? '' : '\n'}${add.join('\n')}${at === 0 ? '\n' : ''}${text.slice(at)}`;
  for (const decl of [...imports].reverse()) {
    if (!clientModules.includes(decl.getModuleSpecifierValue())) continue;
    const names = [decl.getDefaultImport(), decl.getNamespaceImport(), ...decl.getNamedImports().map((n) => n.getAliasNode() ?? n.getNameNode())]
      .filter((n) => n !== undefined)
      .map((n) => n.getText());
    const rest = out.slice(0, decl.getStart()) + out.slice(decl.getEnd());
    const used = (name: string): boolean => new RegExp(`(?<![\\w$.])${name}\\b`).test(rest);
    if (names.some(used)) {
      // Named imports the converted code no longer uses go (a value import left behind would still load the client at run time).
      const named = decl.getNamedImports();
      const kept = named.filter((n) => used((n.getAliasNode() ?? n.getNameNode()).getText()));
      if (decl.getDefaultImport() !== undefined || decl.getNamespaceImport() !== undefined || kept.length === named.length) continue;
      const type = decl.isTypeOnly() ? 'type ' : '';
      const text = `import ${type}{ ${kept.map((n) => n.getText()).join(', ')} } from ${decl.getModuleSpecifier().getText()};`;
      out = out.slice(0, decl.getStart()) + text + out.slice(decl.getEnd());
      continue;
    }
    const end = out[decl.getEnd()] === '\n' ? decl.getEnd() + 1 : decl.getEnd();
    out = out.slice(0, decl.getStart()) + out.slice(end);
  }
  return out;
}
