import { defineConfig } from 'tsup';

// One entry per public face: the core, and one thin adapter per backend; plus the CLI.
// `npm run build` empties dist/ first, so neither build cleans (they run side by side).
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      webgl: 'src/backends/webgl.ts',
      wasm: 'src/backends/wasm.ts',
      node: 'src/backends/node.ts',
      viewer: 'src/viewer/index.ts',
      // The worker pool's thread script, found beside the chunk that starts it.
      'pool-worker': 'src/parallel/worker.ts',
      // The Web Worker of topActivationsInWorker (`deepvis/top-activations-worker`).
      'top-activations-worker': 'src/backends/top-activations.worker.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    // import.meta.url in the CJS build (assets/ is found relative to the module).
    shims: true,
  },
  {
    // ESM only: the CLI uses import.meta.url and top-level await.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'es2022',
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    clean: false,
    dts: false,
  },
]);
