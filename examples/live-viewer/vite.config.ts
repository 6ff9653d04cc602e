// Vite config of the live viewer: the library from source, the shared Darknet-Tiny model
// and the tfjs wasm binaries served by small middlewares (nothing is copied into the repo).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { serveFolder } from '../../scripts/dev-server/serve';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
/** The shared data folder (models, photos): `$DEEPVIS_SHARED`, else `../shared` beside the repository. */
export const shared = resolve(process.env.DEEPVIS_SHARED ?? resolve(repo, '../shared'));
const darknetDir = join(shared, 'models/darknet-tiny-imagenet-tfjs');
const samplesDir = join(shared, 'images/darknet-samples-7');
const wasmDir = join(repo, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/**
 * `/models/darknet/*` → the shared Darknet-Tiny folder; `/samples/*.jpg` → the shared Darknet
 * sample photos; `/tfjs-wasm/*.wasm` → the tfjs wasm binaries.
 */
function deepvisAssets(): Plugin {
  const handlers = [
    serveFolder('/models/darknet/', darknetDir, (n) => n === 'model.json' || n === 'labels.json' || /^group\d+-shard\d+of\d+(\.bin)?$/.test(n)),
    serveFolder('/samples/', samplesDir, (n) => /^\w+\.jpg$/.test(n)),
    serveFolder('/tfjs-wasm/', wasmDir, (n) => /^tfjs-backend-wasm[-\w]*\.wasm$/.test(n)),
  ];
  const install = (server: { middlewares: Connect.Server }) => {
    for (const h of handlers) server.middlewares.use(h);
  };
  return { name: 'deepvis-live-viewer-assets', configureServer: install, configurePreviewServer: install };
}

export default defineConfig({
  root: here,
  // Its own optimizer cache, so that it never races the test runners' caches.
  cacheDir: join(repo, 'node_modules/.vite/live-viewer'),
  clearScreen: false,
  plugins: [deepvisAssets()],
  resolve: {
    alias: [
      { find: /^deepvis$/, replacement: join(repo, 'src/index.ts') },
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
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1600 },
});
