// Vite config of the live viewer page: the library from source; the tfjs wasm binaries served
// in development and copied into the build (under tfjs-wasm/). The shipped model and photos
// are found through new URL(…, import.meta.url), which Vite copies by itself. The build uses
// relative URLs only, so it works from any static host and any folder; `npm run build` puts
// it in dist/viewer-app (what `deepvis viewer` serves).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { serveFolder } from '../../scripts/dev-server/serve';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const wasmDir = join(repo, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const isWasm = (n: string) => /^tfjs-backend-wasm[-\w]*\.wasm$/.test(n);

/** `tfjs-wasm/*.wasm`: served by the dev and preview servers, emitted into the build. */
function tfjsWasm(): Plugin {
  const serve = serveFolder('/tfjs-wasm/', wasmDir, isWasm);
  const install = (server: { middlewares: Connect.Server }) => {
    server.middlewares.use(serve);
  };
  return {
    name: 'deepvis-tfjs-wasm',
    configureServer: install,
    configurePreviewServer: install,
    generateBundle() {
      for (const name of readdirSync(wasmDir).filter(isWasm)) {
        this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${name}`, source: readFileSync(join(wasmDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root: here,
  // Relative URLs everywhere: the build runs from any folder of any static host.
  base: './',
  // Its own optimizer cache, so that it never races the test runners' caches.
  cacheDir: join(repo, 'node_modules/.vite/live-viewer'),
  clearScreen: false,
  plugins: [tfjsWasm()],
  resolve: {
    alias: [
      { find: /^deepvis$/, replacement: join(repo, 'src/index.ts') },
      { find: /^deepvis\/viewer$/, replacement: join(repo, 'src/viewer/index.ts') },
      { find: /^deepvis\/(webgl|wasm)$/, replacement: join(repo, 'src/backends/$1.ts') },
    ],
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [repo] },
  },
  optimizeDeps: {
    // Pre-bundle every tfjs package up front (webgpu is imported lazily): a dependency found
    // late makes Vite re-optimise and reload the page mid-session.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-converter',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  // tfjs alone is ~1 MB minified; the webgpu backend is split off (imported on demand).
  build: { outDir: join(repo, 'dist/viewer-app'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1600, assetsInlineLimit: 0 },
});
