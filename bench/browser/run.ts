// Drives bench/browser/index.html in headless Chromium: a Vite dev server on a free loopback
// port (the page cross-origin isolated, so that wasm can use threads), Darknet-Tiny and the
// tfjs wasm binaries served from where they lie, one page load per backend. Called by
// bench/run.ts after the Node backends; returns the rows, closes everything.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { freePort, serveFolder } from '../../scripts/dev-server/serve';
import { chromium, type Browser } from 'playwright-core';
import type { Row } from '../harness';
import type { BenchResult } from './main';

const here = import.meta.dirname;
const repo = resolve(here, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shared = resolve(process.env.DEEPVIS_SHARED ?? resolve(repo, '../shared'));
export const DARKNET_DIR = join(shared, 'models/darknet-tiny-imagenet-tfjs');
const wasmDir = join(repo, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** Why the browser benchmark cannot run here, or '' when it can. */
export function browserSkipReason(): string {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`;
  if (!existsSync(join(DARKNET_DIR, 'model.json'))) return `Darknet-Tiny not found in ${DARKNET_DIR} (set DEEPVIS_SHARED)`;
  return '';
}

/** COOP/COEP on every response (SharedArrayBuffer, hence wasm threads), the model and the wasm files. */
function benchAssets(): Plugin {
  return {
    name: 'deepvis-bench-browser',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        next();
      });
      server.middlewares.use(serveFolder('/models/darknet/', DARKNET_DIR, (n) => n === 'model.json' || /^group\d+-shard\d+of\d+(\.bin)?$/.test(n)));
      server.middlewares.use(serveFolder('/tfjs-wasm/', wasmDir, (n) => /^tfjs-backend-wasm[-\w]*\.wasm$/.test(n)));
    },
  };
}

export interface BrowserBenchOptions {
  backends?: readonly string[];
  /** Input side for forward, gradient and live. Default `$BENCH_BROWSER_SIZE` or 224. */
  size?: number;
  /** Image side and steps for optimizeUnit (SwiftShader is slow). Default 64 and 5. */
  optSize?: number;
  optSteps?: number;
  /** Timed runs per median. Default 3. */
  runs?: number;
  /** Per backend, in ms. Default 15 minutes. */
  timeoutMs?: number;
}

export async function benchBrowser(options: BrowserBenchOptions = {}): Promise<Row[]> {
  const backends = options.backends ?? (process.env.BENCH_BROWSER_BACKENDS ?? 'webgl,wasm,webgpu').split(',');
  const size = options.size ?? Number(process.env.BENCH_BROWSER_SIZE ?? 224);
  const optSize = options.optSize ?? Number(process.env.BENCH_BROWSER_OPT_SIZE ?? 64);
  const optSteps = options.optSteps ?? 5;
  const runs = options.runs ?? Number(process.env.BENCH_BROWSER_RUNS ?? 3);
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const rows: Row[] = [];
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    server = await createServer({
      configFile: false,
      root: here,
      cacheDir: join(repo, 'node_modules/.vite/bench-browser'),
      clearScreen: false,
      logLevel: 'warn',
      plugins: [benchAssets()],
      server: { port, strictPort: true, host: '127.0.0.1', hmr: false, watch: null, fs: { allow: [repo] } },
      // Every tfjs package bundled up front: one found late makes Vite reload the page mid-run.
      optimizeDeps: {
        entries: [join(here, 'index.html')],
        include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'],
      },
    });
    await server.listen();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-quic', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu',
      ],
    });
    for (const backend of backends) {
      const t0 = Date.now();
      console.log(`[bench] chromium ${backend}: Darknet-Tiny ${size}² …`);
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.warn(`[bench] chromium ${backend}: page error: ${e.message}`));
      try {
        await page.goto(`http://127.0.0.1:${port}/index.html?backend=${backend}&size=${size}&optSize=${optSize}&optSteps=${optSteps}&runs=${runs}`);
        await page.waitForFunction(() => window.__bench?.done === true, null, { timeout: timeoutMs, polling: 1000 });
        const result = (await page.evaluate(() => window.__bench)) as BenchResult;
        const note = (r: Row): Row => (backend === 'webgl' && r.metric === 'backend' ? { ...r, note: `${r.note ?? ''} (SwiftShader: software WebGL on the CPU)` } : r);
        rows.push(...result.rows.map((r) => ({ ...note(r), backend: `chromium ${r.backend}` })));
        if (result.error) rows.push({ section: 'setup', backend: `chromium ${backend}`, metric: 'error', value: 'failed', unit: '', note: result.error.split('\n')[0].slice(0, 160) });
      } catch (e) {
        rows.push({ section: 'setup', backend: `chromium ${backend}`, metric: 'error', value: 'failed', unit: '', note: (e as Error).message.split('\n')[0].slice(0, 160) });
      } finally {
        await page.close();
      }
      const seconds = (Date.now() - t0) / 1000;
      rows.push({ section: 'setup', backend: `chromium ${backend}`, metric: 'page run time', value: seconds, unit: 's' });
      console.log(`[bench] chromium ${backend}: ${seconds.toFixed(0)} s`);
    }
  } finally {
    await browser?.close();
    await server?.close();
  }
  return rows;
}
