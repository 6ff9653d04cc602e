// Backend knowledge lives in src/backends/ only: outside it no file names a backend, branches on
// one or touches tfjs's kernel registry; and every reach past tfjs's public API (the engine's
// state, the wasm heap, a backend's data counts, GraphModel.artifacts) is in
// src/backends/tfjs-internals.ts, which checks the tfjs version it was written for. The core
// reads capabilities the adapters describe.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities, registerCapabilities } from '../../src/backends/capabilities';
import { TFJS_WRITTEN_FOR, tfjsInternalsMatch } from '../../src/backends/tfjs-internals';

const root = resolve(__dirname, '../..');
const INTERNALS = join('src', 'backends', 'tfjs-internals.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** What may not appear outside src/backends/, and why. */
const OUTSIDE_BACKENDS: [RegExp, string][] = [
  [/(['"`])(wasm|webgl|webgpu|cpu|tensorflow)\1/, 'names a backend'],
  [/\bgetBackend\s*\(/, 'branches on the backend'],
  [/\b(getKernel|registerKernel|unregisterKernel|getGradient|registerGradient|unregisterGradient)\s*\(/, 'touches the kernel or gradient registry'],
  [/\bbackend_util\b/, "uses tfjs's backend utilities"],
  [/'@tensorflow\/tfjs-(backend-[a-z]+|node[a-z-]*)'/, 'imports a backend package'],
];

/** What may not appear outside src/backends/tfjs-internals.ts, and why. */
const OUTSIDE_INTERNALS: [RegExp, string][] = [
  [/\b(tf\.)?engine\s*\(\s*\)/, "reaches into tfjs's engine"],
  [/\btf\.backend\s*\(\s*\)/, 'holds the backend object'],
  [/\b(registryFactory|activeTape|gradientDepth|kernelDepth|dataIdMap|firstUse)\b/, 'reads a private field of the engine or a backend'],
  [/\b(makeOutput|typedArrayFromHeap|_malloc|_free|HEAP(U8|F32|32)?)\b|\bbackend\.wasm\b|\.wasm\.\w/, 'reaches the wasm heap'],
  [/\.(incRef|disposeData|readSync|numDataIds)\s*\(/, "counts or frees a backend's data by hand"],
  [/\.artifacts\b/, 'reads GraphModel.artifacts'],
];

/** Lines that name a backend as data, not to branch on it. */
const ALLOWED = [{ file: join('src', 'default-model', 'training-record.ts'), line: '"backend": "wasm",' }];

/** The code of a line: prose in comments may name anything. */
const code = (line: string) => (/^\s*(\*|\/\*|\/\/)/.test(line) ? '' : line.replace(/\s\/\/\s.*$/, ''));

function offenders(rules: [RegExp, string][], exempt: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sources(join(root, 'src')).map((f) => relative(root, f)).filter((f) => !exempt(f))) {
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      if (ALLOWED.some((a) => a.file === file && a.line === line.trim())) return;
      for (const [pattern, why] of rules) if (pattern.test(code(line))) found.push(`${file}:${i + 1} ${why}: ${line.trim()}`);
    });
  }
  return found;
}

describe('the backend boundary', () => {
  it('no file under src/ outside src/backends/ names a backend or touches the kernel registry', () => {
    expect(offenders(OUTSIDE_BACKENDS, (f) => f.startsWith(join('src', 'backends')))).toEqual([]);
  });

  it('no file under src/ but src/backends/tfjs-internals.ts reaches into tfjs internals', () => {
    expect(offenders(OUTSIDE_INTERNALS, (f) => f === INTERNALS)).toEqual([]);
  });

  it('the greps would catch each kind of leak, and not prose or look-alikes', () => {
    const leaks: [string, [RegExp, string][]][] = [
      ["if (tf.getBackend() === 'wasm') {}", OUTSIDE_BACKENDS],
      ['const name = "webgl";', OUTSIDE_BACKENDS],
      ['await tf.setBackend(`cpu`);', OUTSIDE_BACKENDS],
      ["tf.registerKernel({ kernelName: 'X' })", OUTSIDE_BACKENDS],
      ["import '@tensorflow/tfjs-backend-webgl';", OUTSIDE_BACKENDS],
      ['tf.engine().state', OUTSIDE_INTERNALS],
      ['const b = tf.backend();', OUTSIDE_INTERNALS],
      ['(tf.engine() as any).registryFactory.cpu', OUTSIDE_INTERNALS],
      ['const { memoryOffset } = backend.dataIdMap.get(x.dataId);', OUTSIDE_INTERNALS],
      ['const ptr = backend.wasm._malloc(bytes);', OUTSIDE_INTERNALS],
      ['const out = backend.makeOutput(shape, dtype);', OUTSIDE_INTERNALS],
      ['backend.typedArrayFromHeap(out).set(values);', OUTSIDE_INTERNALS],
      ['(args.backend as KernelBackend).incRef(x.dataId);', OUTSIDE_INTERNALS],
      ['const v = backend.readSync(x.dataId);', OUTSIDE_INTERNALS],
      ['this.backend.disposeData(t.dataId);', OUTSIDE_INTERNALS],
      ['model.artifacts', OUTSIDE_INTERNALS],
    ];
    for (const [line, rules] of leaks) expect(rules.some(([p]) => p.test(code(line))), line).toBe(true);
    const fine = [
      'const wasmHeavy = backendCapabilities().hostMemory;',
      ' * runs on `wasm` or webgl, whichever the page chose',
      "  '.wasm': 'application/wasm',",
      'const read = readSync(fd, buffer, 0, buffer.length, position);',
      'const values = x.dataSync();',
    ];
    for (const line of fine) expect([...OUTSIDE_BACKENDS, ...OUTSIDE_INTERNALS].some(([p]) => p.test(code(line))), line).toBe(false);
  });

  it('capabilities: the known backends described, others registered by their adapter, unknown ones all false', () => {
    const here = tf.getBackend();
    expect(backendCapabilities()).toEqual(here === 'wasm'
      ? { convGradViaForward: true, maxPoolGradOnHost: true, hostMemory: true, asyncReadbackOnly: false }
      : { convGradViaForward: false, maxPoolGradOnHost: false, hostMemory: here === 'cpu', asyncReadbackOnly: false });
    registerCapabilities(here, { hostMemory: true });
    expect(backendCapabilities()).toEqual({ convGradViaForward: false, maxPoolGradOnHost: false, hostMemory: true, asyncReadbackOnly: false });
    // Put back what this backend had.
    registerCapabilities(here, here === 'wasm' ? { convGradViaForward: true, maxPoolGradOnHost: true, hostMemory: true } : { hostMemory: here === 'cpu' });
  });

  it('the internals file checks the tfjs version it was written for, and warns once when it differs', () => {
    expect(TFJS_WRITTEN_FOR).toBe('4.22');
    expect(tfjsInternalsMatch(tf.version_core)).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(tfjsInternalsMatch('5.0.0')).toBe(false);
    expect(tfjsInternalsMatch('4.23.1')).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/written for tfjs-core 4\.22\.x, running 5\.0\.0; .*src\/backends\/tfjs-internals\.ts/);
    warn.mockRestore();
  });
});
