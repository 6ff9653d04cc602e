// Every public export is documented (issue 7: "every export has a doc comment with an
// example"): walks the exports of the four entry points with the TypeScript compiler API and
// lists the offenders. Functions, classes and consts need a JSDoc comment; functions also an
// `@example`. Types and interfaces are not checked here.
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { resolve, relative } from 'node:path';

const root = resolve(__dirname, '../..');
const ENTRIES = ['src/index.ts', 'src/backends/webgl.ts', 'src/backends/wasm.ts', 'src/backends/node.ts', 'src/viewer/index.ts'];

type Kind = 'function' | 'class' | 'const';

interface ExportDoc {
  entry: string;
  name: string;
  kind: Kind;
  /** Where it is declared, `path:line`. */
  at: string;
  hasDoc: boolean;
  hasExample: boolean;
}

function kindOf(decl: ts.Declaration): Kind | null {
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0) return 'const';
  return null;
}

/** The JSDoc blocks attached to a declaration (for a const: those of its `export const` statement). */
function jsDocs(decl: ts.Declaration): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(decl).filter((d): d is ts.JSDoc => ts.isJSDoc(d));
}

function collect(): ExportDoc[] {
  const program = ts.createProgram(ENTRIES.map((e) => resolve(root, e)), {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true, skipLibCheck: true, noEmit: true, allowImportingTsExtensions: false,
  });
  const checker = program.getTypeChecker();
  const out: ExportDoc[] = [];
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(resolve(root, entry));
    if (!source) throw new Error(`TypeScript could not read ${entry}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${entry} is not a module`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decls = (symbol.declarations ?? []).filter((d) => kindOf(d) !== null);
      if (decls.length === 0) continue;   // a type, an interface, a namespace
      const docs = decls.flatMap(jsDocs);
      const text = (d: ts.JSDoc) => `${ts.getTextOfJSDocComment(d.comment) ?? ''}`.trim();
      const first = decls[0];
      const file = first.getSourceFile();
      out.push({
        entry,
        name: exported.getName(),
        kind: kindOf(first)!,
        at: `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(first.getStart()).line + 1}`,
        hasDoc: docs.some((d) => text(d).length > 0),
        hasExample: docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === 'example' && `${ts.getTextOfJSDocComment(t.comment) ?? ''}`.trim().length > 0)),
      });
    }
  }
  return out;
}

describe('doc comments of the public API', () => {
  // One compile for both checks (a few seconds); the same on every backend, so run it once.
  const exports = process.env.DEEPVIS_BACKEND === 'cpu' ? [] : collect();
  const skipOnCpu = process.env.DEEPVIS_BACKEND === 'cpu';

  it.skipIf(skipOnCpu)('finds the exports of every entry point', () => {
    const names = new Set(exports.map((e) => e.name));
    for (const n of ['toNet', 'optimizeUnit', 'PAPER_PRESETS', 'DeepvisError', 'useWebGL', 'useWasm', 'useNodeBackend', 'writePng']) {
      expect(names, n).toContain(n);
    }
    for (const entry of ENTRIES) expect(exports.some((e) => e.entry === entry), entry).toBe(true);
  });

  it.skipIf(skipOnCpu)('every exported function, class and const has a JSDoc comment', () => {
    const missing = exports.filter((e) => !e.hasDoc).map((e) => `${e.kind} ${e.name} (${e.at}, exported by ${e.entry})`);
    expect(missing, `Exports without a doc comment:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it.skipIf(skipOnCpu)('every exported function has an @example', () => {
    const missing = exports.filter((e) => e.kind === 'function' && !e.hasExample).map((e) => `${e.name} (${e.at}, exported by ${e.entry})`);
    expect(missing, `Functions without an @example:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });
});
