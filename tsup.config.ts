import { defineConfig } from 'tsup';

// One entry per public face: the core, and one thin adapter per backend.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    webgl: 'src/backends/webgl.ts',
    wasm: 'src/backends/wasm.ts',
    node: 'src/backends/node.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
});
