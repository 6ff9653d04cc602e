// Quiet means quiet: with -q the CLI writes nothing to stderr on success, on every backend
// here (tfjs's cpu backend would print its "install tfjs-node" banner on its first tensor).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

describe.skipIf(process.env.DEEPVIS_BACKEND !== 'cpu')('quiet', () => {
  it.each(['cpu', 'wasm'])("'deepvis layers -q --backend %s' prints the layers and nothing on stderr", (backend) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'layers', '-q', '--backend', backend], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/conv/i);
    expect(r.stderr).toBe('');
  });

  it('the library on the cpu backend prints no tfjs banner', () => {
    const script = `import '@tensorflow/tfjs-backend-cpu'; import * as tf from '@tensorflow/tfjs-core';
      import { useNodeBackend } from './src/backends/node.ts';
      await useNodeBackend('cpu'); tf.tensor([1, 2]).print();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type', 'module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('[1, 2]');
    expect(r.stderr).toBe('');
  });
});
