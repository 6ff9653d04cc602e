// Proves the notebook's code runs: extracts deepvis.ipynb's code cells, maps its `npm:`
// imports to this repository's source, swaps Deno.jupyter.display for a recorder, and runs
// the cells in order in one scope, as a Jupyter kernel would.
//
//   node --import tsx examples/notebook/check.ts [--steps 200] [--out dir]
//
// With --out, each displayed image is also written there as display-<i>.png.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfCpu from '@tensorflow/tfjs-backend-cpu';
import * as deepvis from '../../src/index';
import * as deepvisNode from '../../src/backends/node';

/** The notebook this checks. */
export const NOTEBOOK = fileURLToPath(new URL('./deepvis.ipynb', import.meta.url));

/** The modules the notebook may import, by `npm:` specifier (a version suffix is ignored). */
const MODULES: Record<string, unknown> = {
  'npm:deepvis': deepvis,
  'npm:deepvis/node': deepvisNode,
  'npm:@tensorflow/tfjs-core': tf,
  'npm:@tensorflow/tfjs-backend-cpu': tfCpu,
};

/** What a notebook's code cells would display. */
export interface Display {
  /** The MIME bundle handed to `Deno.jupyter.display(bundle, { raw: true })`. */
  bundle: Record<string, string>;
}

export interface CheckOptions {
  /** Overrides `const steps = …;` in the notebook (fewer steps for tests). */
  steps?: number;
  /** Writes each displayed image/png there. */
  out?: string;
  /** Where console output of the cells goes (default console.log). */
  log?: (...args: unknown[]) => void;
}

export interface CheckReport {
  cells: number;
  displays: Display[];
  /** The JavaScript that ran (after the rewrites). */
  source: string;
}

/** The code cells of a notebook file, each as one string. */
export function codeCells(path = NOTEBOOK): string[] {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

const moduleFor = (specifier: string): unknown => {
  const bare = specifier.replace(/^(npm:(?:@[^/@]+\/)?[^/@]+)@[^/]+/, '$1');
  const mod = MODULES[bare];
  if (!mod) throw new Error(`The notebook imports '${specifier}', which check.ts does not map (known: ${Object.keys(MODULES).join(', ')}).`);
  return mod;
};

/**
 * Rewrites static imports into lookups, so the cells can run as one async function body:
 * `import * as tf from 'npm:x'` → `const tf = __import('npm:x');`,
 * `import { a, b as c } from 'npm:x'` → `const { a, b: c } = __import('npm:x');`,
 * `import 'npm:x'` (for its side effects) → `__import('npm:x');`.
 */
export function rewriteImports(code: string): string {
  return code
    .replace(/import\s+\*\s+as\s+(\w+)\s+from\s+'([^']+)';?/g, "const $1 = __import('$2');")
    .replace(/import\s*\{([^}]*)\}\s*from\s*'([^']+)';?/g, (_, names: string, spec: string) =>
      `const {${names.replace(/\b(\w+)\s+as\s+(\w+)/g, '$1: $2')}} = __import('${spec}');`)
    .replace(/import\s*'([^']+)';?/g, "__import('$1');");
}

/** Runs the notebook's code cells in Node and returns what they displayed. */
export async function checkNotebook(options: CheckOptions = {}): Promise<CheckReport> {
  const cells = codeCells();
  let source = cells.map(rewriteImports).join('\n;\n');
  if (options.steps !== undefined) {
    if (!/const steps = \d+;/.test(source)) throw new Error('The notebook has no `const steps = N;` line to override.');
    source = source.replace(/const steps = \d+;/, `const steps = ${options.steps};`);
  }
  if (/\bimport\s/.test(source.replace(/__import/g, ''))) throw new Error('An import the rewrite did not understand is left in the notebook code.');

  const displays: Display[] = [];
  const Deno = {
    jupyter: {
      display: async (bundle: Record<string, string>, opts?: { raw?: boolean }) => {
        if (!opts?.raw) throw new Error('The shim only knows raw MIME bundles: Deno.jupyter.display(bundle, { raw: true }).');
        displays.push({ bundle });
      },
    },
  };
  const console = { ...globalThis.console, log: options.log ?? globalThis.console.log };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const body = new AsyncFunction('__import', 'Deno', 'console', `'use strict';\n${source}`);
  await body(moduleFor, Deno, console);

  if (options.out) {
    await mkdir(options.out, { recursive: true });
    for (const [i, d] of displays.entries()) {
      if (d.bundle['image/png']) await writeFile(join(options.out, `display-${i}.png`), Buffer.from(d.bundle['image/png'], 'base64'));
    }
  }
  return { cells: cells.length, displays, source };
}

// Run as a script (not when imported by a test).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { steps: { type: 'string' }, out: { type: 'string' } } });
  const report = await checkNotebook({ steps: values.steps ? Number(values.steps) : undefined, out: values.out });
  const images = report.displays.filter((d) => d.bundle['image/png']).length;
  console.log(`notebook OK: ${report.cells} code cells ran in Node, ${images} images displayed${values.out ? ` (written to ${values.out})` : ''}.`);
}
