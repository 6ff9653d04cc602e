// Backend knowledge lives in src/backends/ only: outside it no file names a backend or reaches
// into tfjs internals (the engine, the kernel and gradient registries, GraphModel.artifacts);
// the core reads capabilities the adapters describe, and the internals file checks the tfjs
// version it was written for.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities, registerCapabilities } from '../../src/backends/capabilities';
import { TFJS_WRITTEN_FOR, tfjsInternalsMatch } from '../../src/backends/tfjs-internals';

const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** What may not appear outside src/backends/, and why. */
const FORBIDDEN: [RegExp, string][] = [
  [/'(wasm|webgl|webgpu|cpu|tensorflow)'/, 'names a backend'],
  [/\bgetBackend\s*\(/, 'branches on the backend'],
  [/\b(tf\.)?engine\s*\(\s*\)/, "reaches into tfjs's engine"],
  [/\.artifacts\b/, 'reads GraphModel.artifacts'],
  [/\b(getKernel|registerKernel|unregisterKernel|getGradient|registerGradient|unregisterGradient)\s*\(/, 'touches the kernel or gradient registry'],
  [/\bbackend_util\b/, "uses tfjs's backend utilities"],
  [/'@tensorflow\/tfjs-(backend-[a-z]+|node[a-z-]*)'/, 'imports a backend package'],
];

describe('the backend boundary', () => {
  it('no file under src/ outside src/backends/ names a backend or reaches into tfjs internals', () => {
    const offenders: string[] = [];
    for (const file of sources(join(root, 'src')).filter((f) => !relative(root, f).startsWith(join('src', 'backends')))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        for (const [pattern, why] of FORBIDDEN) if (pattern.test(line)) offenders.push(`${relative(root, file)}:${i + 1} ${why}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the grep would catch each kind of leak', () => {
    const caught = ["if (tf.getBackend() === 'wasm') {}", 'tf.engine().state', 'model.artifacts', "tf.registerKernel({ kernelName: 'X' })", "import '@tensorflow/tfjs-backend-webgl';"];
    for (const line of caught) expect(FORBIDDEN.some(([p]) => p.test(line)), line).toBe(true);
    expect(FORBIDDEN.some(([p]) => p.test('const wasmHeavy = backendCapabilities().hostMemory;'))).toBe(false);
  });

  it('capabilities: the known backends described, others registered by their adapter, unknown ones all false', () => {
    const here = tf.getBackend();
    expect(backendCapabilities()).toEqual(here === 'wasm'
      ? { convGradViaForward: true, maxPoolGradOnHost: true, hostMemory: true }
      : { convGradViaForward: false, maxPoolGradOnHost: false, hostMemory: here === 'cpu' });
    registerCapabilities(here, { hostMemory: true });
    expect(backendCapabilities()).toEqual({ convGradViaForward: false, maxPoolGradOnHost: false, hostMemory: true });
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
