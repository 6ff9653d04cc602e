import { existsSync, createReadStream, statSync } from 'node:fs';
import { resolve, join, normalize } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Shared test data (models, photos) lives beside the repository, never inside it.
const shared = resolve(process.env.DEEPVIS_SHARED ?? resolve(__dirname, '../shared'));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Serves the shared folder's files byte for byte under /shared/ (Vite would transform them). */
function serveShared(): Plugin {
  return {
    name: 'deepvis-serve-shared',
    configureServer(server) {
      server.middlewares.use('/shared', (req, res, next) => {
        const path = normalize(join(shared, decodeURIComponent((req.url ?? '/').split('?')[0])));
        if (!path.startsWith(shared) || !existsSync(path) || !statSync(path).isFile()) return next();
        res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        createReadStream(path).pipe(res);
      });
    },
  };
}

const nodeProject = (backend: 'wasm' | 'cpu') => ({
  extends: true as const,
  test: {
    name: `node-${backend}`,
    include: ['test/node/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup-node.ts'],
    env: { DEEPVIS_BACKEND: backend, DEEPVIS_SHARED: shared },
    // One fork at a time per project: tests are CPU-bound and the machine has two cores.
    pool: 'forks' as const,
    fileParallelism: false,
  },
});

export default defineConfig({
  plugins: [serveShared()],
  define: {
    // Where browser tests fetch shared models from ('' when the folder is absent).
    __DEEPVIS_SHARED__: JSON.stringify(existsSync(shared) ? '/shared' : ''),
  },
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    projects: [
      nodeProject('wasm'),
      nodeProject('cpu'),
      {
        extends: true,
        // The scan worker's backends, found only when the worker starts: optimized up front so
        // that Vite does not reload the page mid-test.
        optimizeDeps: { include: ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-layers'] },
        test: {
          name: 'browser-webgl',
          include: ['test/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: chromium,
                args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // End-to-end runs of the examples (the live viewer) in Chromium driven by playwright-core.
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', env: { DEEPVIS_SHARED: shared, CHROMIUM_PATH: chromium }, fileParallelism: false },
      },
      {
        extends: true,
        test: { name: 'package', include: ['test/package/**/*.test.ts'], environment: 'node' },
      },
    ],
  },
});
