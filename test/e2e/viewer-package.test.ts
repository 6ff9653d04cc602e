// What a user of the package gets: the tarball `npm pack` makes, installed into an empty folder
// from the registry with the tfjs peers, then (1) `deepvis topk` writes an atlas and `npx deepvis
// viewer --atlas` serves the viewer, driven in headless Chromium with a fake camera; (2) a Vite
// app that mounts `deepvis/viewer` from the package builds and runs. Screenshots go to
// test/artifacts/viewer-package/ (the webcam at 32², a shipped photo at 224², the Vite app). Slow (pack, install, two page loads on SwiftShader).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installTarball, installedVersion, packTarball, type Installed } from '../helpers/pack';
import { writeY4m, type Pattern } from './y4m';
import { freePort } from '../../scripts/dev-server/serve';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'test/artifacts/viewer-package');
const IMAGENET: string[] = JSON.parse(readFileSync(join(ROOT, 'assets/darknet-tiny/labels.json'), 'utf8'));
const LAYER = 'leaky_re_lu_13';
const skip = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` : '';
if (skip) console.warn(`[e2e viewer-package] skipped: ${skip}.`);

/** Checker board of warm and cool squares: something for the net to look at. */
const checks: Pattern = (x, y) => (((x >> 4) + (y >> 4)) % 2 ? [220, 120, 40] : [30, 90, 200]);

/**
 * Starts a long-running `npx` command in its own process group (npx does not pass signals on:
 * {@link stop} signals the whole group) and resolves with the first http URL it prints.
 */
function startServer(installed: Installed, args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npx', ['--no-install', ...args], { cwd: installed.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  let out = '';
  let err = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no URL within 60 s: ${out}${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const url = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        res({ child, url });
      }
    });
    child.stderr!.on('data', (d) => { err += String(d); });
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`exited ${code}: ${out}${err}`)); });
  });
}

/** Stops a server started by {@link startServer}: SIGTERM to its process group; resolves once npx has exited. */
function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    child.once('exit', () => res());
    process.kill(-child.pid!, 'SIGTERM');
  });
}

describe.skipIf(!!skip)('the packed package: deepvis viewer and deepvis/viewer in a Vite app', () => {
  let installed: Installed;
  let browser: Browser;
  const children: ChildProcess[] = [];
  const y4m = join(tmpdir(), `deepvis-package-${process.pid}.y4m`);
  const consoleErrors: string[] = [];

  const newPage = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    return page;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeY4m(y4m, [checks], { width: 160, height: 120, fps: 10, framesEach: 10 });
    const t0 = Date.now();
    const tfjs = ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgl'].map((p) => `@tensorflow/${p}@${installedVersion(`@tensorflow/${p}`)}`);
    installed = installTarball(packTarball(), [...tfjs, `vite@${installedVersion('vite')}`]);
    console.log(`[e2e viewer-package] packed and installed in ${((Date.now() - t0) / 1000).toFixed(0)} s into ${installed.dir}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-quic', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`, '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      ],
    });
  }, 900_000);

  afterAll(async () => {
    await Promise.all(children.map(stop));
    await browser?.close();
    installed?.remove();
    rmSync(y4m, { force: true });
  });

  it('deepvis topk writes an atlas; npx deepvis viewer shows the webcam, grid, unit, backward, top-5 names and nine top images', { timeout: 600_000 }, async () => {
    const photos = join(installed.dir, 'node_modules/deepvis/assets/photos');
    const model = join(installed.dir, 'node_modules/deepvis/assets/darknet-tiny/model.json');
    const topk = installed.run('npx', ['--no-install', 'deepvis', 'topk', '--model', model, '--images', photos, '--layer', LAYER, '--units', '0,1,2', '--out', 'atlas', '--quiet'], { timeout: 300_000 });
    expect(topk.status, topk.stderr).toBe(0);
    expect(existsSync(join(installed.dir, 'atlas/atlas.json'))).toBe(true);

    const { child, url } = await startServer(installed, ['deepvis', 'viewer', '--atlas', 'atlas']);
    children.push(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?atlas=atlas\/$/);
    const page = await newPage();
    await page.goto(`${url}&size=32&layer=${LAYER}&unit=1&backend=webgl`);
    await page.waitForFunction(() => !!window.__deepvis?.ready && window.__deepvis.frames >= 3, null, { timeout: 240_000 });
    const info = await page.evaluate(() => ({ input: window.__deepvis!.input, model: window.__deepvis!.model, grid: window.__deepvis!.grid, error: window.__deepvis!.error }));
    expect(info).toMatchObject({ input: 'webcam', model: 'Darknet-Tiny (ImageNet)', error: '' });
    expect(info.grid!.channels).toBe(64);
    const snap = await page.evaluate(() => window.__deepvis!.nextFrame());
    for (const pane of [snap.input, snap.grid, snap.unit]) expect(Math.max(...pane.mean)).toBeGreaterThan(5);
    expect(Math.max(...snap.backward.mean)).toBeGreaterThan(0);
    expect(await page.textContent('[data-dv=unit-caption]')).toBe('unit 1 of 64');
    const top5 = await page.locator('[data-dv=predictions] li').allTextContents();
    expect(top5).toHaveLength(5);
    for (const line of top5) expect(IMAGENET).toContain(line.replace(/^\s*[\d.]+%\s+/, ''));
    const tiles = page.locator('[data-dv=atlas-top] img');
    await expect.poll(() => tiles.count(), { timeout: 30_000 }).toBe(9);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-dv=atlas-top] img, [data-dv=atlas-backward] img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 30_000 });
    expect(await page.locator('[data-dv=atlas-backward] img').count()).toBe(9);
    console.log(`[e2e viewer-package] top-5: ${top5.join(' | ')}; column: ${await page.textContent('[data-dv=atlas-caption]')}`);
    await page.screenshot({ path: join(ARTIFACTS, '01-deepvis-viewer.png'), fullPage: true });
    // Another unit: its own nine.
    const first = await tiles.first().getAttribute('src');
    await page.evaluate(() => window.__deepvis!.select(2));
    await expect.poll(() => tiles.first().getAttribute('src'), { timeout: 30_000 }).not.toBe(first);
    expect(await tiles.count()).toBe(9);

    // A second, readable picture: a shipped photo at the model's size, 224² (the parrot, which
    // Darknet-Tiny calls a macaw), so the unit pane, the top-5 and the tiles mean something.
    await page.goto(`${url}&size=224&layer=${LAYER}&unit=1&backend=webgl&input=sample&sample=parrot`);
    await page.waitForFunction(() => !!window.__deepvis?.ready && window.__deepvis.input === 'image' && window.__deepvis.frames >= 1, null, { timeout: 240_000 });
    const photo = await page.evaluate(() => window.__deepvis!.nextFrame()); // a still photo runs a frame when asked
    expect([photo.input.width, photo.input.height]).toEqual([224, 224]);
    expect(await page.evaluate(() => window.__deepvis!.grid)).toMatchObject({ channels: 64, tileWidth: 14, tileHeight: 14 });
    for (const pane of [photo.input, photo.grid, photo.unit, photo.backward]) expect(Math.max(...pane.mean)).toBeGreaterThan(5);
    const photoTop5 = (await page.locator('[data-dv=predictions] li').allTextContents()).map((line) => line.replace(/^\s*[\d.]+%\s+/, ''));
    expect(photoTop5).toHaveLength(5);
    expect(photoTop5[0]).toBe('macaw');
    for (const name of photoTop5) expect(IMAGENET).toContain(name);
    await expect.poll(() => tiles.count(), { timeout: 30_000 }).toBe(9);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-dv=atlas-top] img, [data-dv=atlas-backward] img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 30_000 });
    console.log(`[e2e viewer-package] parrot at 224²: top-5 ${photoTop5.join(' | ')}; ${await page.textContent('[data-dv=unit-caption]')}`);
    await page.screenshot({ path: join(ARTIFACTS, '03-deepvis-viewer-photo.png'), fullPage: true });
    expect(await page.evaluate(() => window.__deepvis!.error)).toBe('');
    await page.close(); // before its server goes
    await stop(child);
  });

  it('a Vite app that mounts deepvis/viewer from the package builds and runs', { timeout: 600_000 }, async () => {
    installed.write('index.html', '<!doctype html><html><head><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,"></head><body><h1>My app</h1><div id="v"></div><script type="module" src="./main.js"></script></body></html>\n');
    installed.write('main.js', [
      "import { mountViewer } from 'deepvis/viewer';",
      "const viewer = mountViewer(document.getElementById('v'), { state: { size: 32, layer: 'leaky_re_lu_5' } });",
      "viewer.on('unitselected', (e) => { window.selectedName = e.name; });",
      'window.viewer = viewer;',
      '',
    ].join('\n'));
    const build = installed.run('npx', ['--no-install', 'vite', 'build', '--base', './', '--logLevel', 'warn'], { timeout: 300_000 });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const { child, url } = await startServer(installed, ['vite', 'preview', '--host', '127.0.0.1', '--port', String(await freePort()), '--strictPort']);
    children.push(child);
    const page = await newPage();
    await page.goto(url);
    await page.waitForFunction(() => ((window as unknown as { viewer?: { info: { frames: number } } }).viewer?.info.frames ?? 0) >= 2, null, { timeout: 240_000 });
    const info = await page.evaluate(() => (window as unknown as { viewer: { info: { input: string; model: string; error: string } } }).viewer.info);
    expect(info).toMatchObject({ input: 'webcam', model: 'Darknet-Tiny (ImageNet)', error: '' });
    expect(await page.locator('[data-dv=predictions] li').count()).toBe(5);
    await page.evaluate(() => (window as unknown as { viewer: { selectUnit(u: number): void } }).viewer.selectUnit(3));
    await expect.poll(() => page.evaluate(() => (window as unknown as { selectedName?: string }).selectedName)).toBe('unit 3 of 16');
    await page.screenshot({ path: join(ARTIFACTS, '02-vite-app.png'), fullPage: true });
    await page.close();
    await stop(child);
  });

  it('logged no errors in the pages', () => {
    expect(consoleErrors).toEqual([]);
  });
});
