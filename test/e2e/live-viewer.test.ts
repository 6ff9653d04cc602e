// End to end: the live viewer (examples/live-viewer) in headless Chromium, its webcam fed by
// Chromium's fake camera playing a Y4M file this test writes: two very different patterns
// taking turns. Runs on WebGL (SwiftShader), with a small input so that it stays quick.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DebugHook, Snapshot } from '../../examples/live-viewer/src/debug';
import { writeY4m, type Pattern } from './y4m';
import { freePort } from '../../scripts/dev-server/serve';
import { IMAGENET_MEAN } from '../../src/net/pixel-space';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const IMAGENET: string[] = JSON.parse(readFileSync(join(ROOT, 'assets/darknet-tiny/labels.json'), 'utf8'));
/** The float32 Darknet-Tiny with its extension-less shards, when the shared folder is here. */
const SHARED_DARKNET = process.env.DEEPVIS_SHARED ? join(process.env.DEEPVIS_SHARED, 'models/darknet-tiny-imagenet-tfjs') : '';
const labelsOfObjects = join(tmpdir(), `deepvis-e2e-labels-${process.pid}.json`);
const ARTIFACTS = join(ROOT, 'test/artifacts/live-viewer');

const skip = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` : '';
if (skip) console.warn(`[e2e live-viewer] skipped: ${skip}.`);

/**
 * Input side fed to the net: small, because WebGL runs on SwiftShader (a CPU) here. Measured
 * on a loaded 2-core machine: about 4 frames/s at 32², 1.5 at 64², 0.3 at 224².
 */
const SIZE = 32;
/** A layer with 16 units of 8×8 at this input size (Darknet's leaky_re_lu_3: 56²×16 at 224). */
const LAYER = 'leaky_re_lu_3';
const FLAT_FRAMES = 300;

// Pattern A: black and white vertical bars (grey on average). Pattern B: red and blue
// horizontal bands with a green disc (no grey at all). Told apart by the input's mean colour.
const barsA: Pattern = (x) => ((x >> 3) % 2 ? [255, 255, 255] : [0, 0, 0]);
const bandsB: Pattern = (x, y) => ((x - 80) ** 2 + (y - 60) ** 2 < 30 ** 2 ? [0, 230, 0] : (y >> 4) % 2 ? [230, 0, 0] : [0, 0, 230]);
const isA = (s: Snapshot) => Math.abs(s.input.mean[0] - s.input.mean[1]) < 25 && Math.abs(s.input.mean[1] - s.input.mean[2]) < 25;

const fmt = (v: readonly number[]) => v.map((x) => x.toFixed(1)).join('/');

type Hook = DebugHook;

describe.skipIf(!!skip)('live viewer in Chromium with a fake camera', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  const y4m = join(tmpdir(), `deepvis-e2e-${process.pid}.y4m`);

  const hook = <T>(fn: (h: Hook) => T | Promise<T>): Promise<T> =>
    page.evaluate(`(${fn.toString()})(window.__deepvis)`) as Promise<T>;
  const nextFrame = () => hook((h) => h.nextFrame());
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeY4m(y4m, [barsA, bandsB], { width: 160, height: 120, fps: 10, framesEach: 10 });
    writeFileSync(labelsOfObjects, JSON.stringify(IMAGENET.map((name, id) => ({ id, name }))));
    const port = await freePort();
    server = await createServer({
      configFile: join(ROOT, 'examples/live-viewer/vite.config.ts'),
      // No file watching: an edit elsewhere in the repo must not reload the page mid-test.
      server: { port, strictPort: true, host: '127.0.0.1', hmr: false, watch: null },
      logLevel: 'warn',
    });
    await server.listen();
    base = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-quic', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`, '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(y4m, { force: true });
    rmSync(labelsOfObjects, { force: true });
  });

  it('starts on the webcam and draws every pane', async () => {
    const t0 = Date.now();
    await page.goto(`${base}?input=webcam&backend=webgl&size=${SIZE}&layer=${LAYER}&mode=guided&filter=norm`);
    await page.waitForFunction(() => !!window.__deepvis?.ready && window.__deepvis.frames >= 3, null, { timeout: 150_000 });
    const info = await hook((h) => ({ backend: h.backend, layer: h.layer, error: h.error, grid: h.grid, frameMs: h.frameMs }));
    console.log(`[e2e live-viewer] ready after ${((Date.now() - t0) / 1000).toFixed(1)} s; ${JSON.stringify(info)}`);
    expect(info.backend).toBe('webgl');
    expect(info.layer).toBe(LAYER);
    expect(info.error).toBe('');
    // 16 units of 8×8 → 4 × 4 tiles with 1-px padding around and between: 4·9 + 1 = 37 pixels square.
    expect(info.grid).toMatchObject({ channels: 16, tileHeight: 8, tileWidth: 8, cols: 4, rows: 4, width: 37, height: 37 });
    const s = await nextFrame();
    expect([s.input.width, s.input.height]).toEqual([SIZE, SIZE]);
    expect([s.grid.width, s.grid.height]).toEqual([37, 37]);
    expect([s.unit.width, s.unit.height]).toEqual([8, 8]); // the unit at its own resolution, enlarged by CSS
    expect([s.backward.width, s.backward.height]).toEqual([SIZE, SIZE]);
    console.log(`[e2e live-viewer] mean RGB: input ${fmt(s.input.mean)}, grid ${fmt(s.grid.mean)}, unit ${fmt(s.unit.mean)}, backward ${fmt(s.backward.mean)}`);
    for (const pane of [s.input, s.grid]) expect(Math.max(...pane.mean)).toBeGreaterThan(10); // not black
    expect(await page.locator('[data-dv=predictions] li').count()).toBe(5);
    await shot('01-started.png');
  });

  it('the grid changes when the camera frames change', async () => {
    const seen: Snapshot[] = [];
    for (let i = 0; i < 60 && !(seen.filter(isA).length >= 3 && seen.filter((s) => !isA(s)).length >= 3); i++) {
      seen.push(await nextFrame());
    }
    const a = seen.filter(isA);
    const b = seen.filter((s) => !isA(s));
    console.log(`[e2e live-viewer] ${seen.length} frames: ${a.length} of pattern A, ${b.length} of B; ` +
      `distinct grids A ${new Set(a.map((s) => s.grid.hash)).size}, B ${new Set(b.map((s) => s.grid.hash)).size}`);
    expect(a.length).toBeGreaterThanOrEqual(3);
    expect(b.length).toBeGreaterThanOrEqual(3);
    const gridsA = new Set(a.map((s) => s.grid.hash));
    const gridsB = new Set(b.map((s) => s.grid.hash));
    for (const h of gridsB) expect(gridsA.has(h)).toBe(false);
    // Each pattern gives one grid: the grid is a function of the frame (and nothing else changed).
    expect([gridsA.size, gridsB.size]).toEqual([1, 1]);
    // The enlarged unit follows the frames too.
    const unitsA = new Set(a.map((s) => s.unit.hash));
    expect(b.some((s) => !unitsA.has(s.unit.hash))).toBe(true);
    await shot('02-pattern-' + (isA(seen[seen.length - 1]) ? 'a' : 'b') + '.png');
  });

  it('clicking a tile selects that unit and updates the enlarged and backward panes', async () => {
    await page.keyboard.press('Space'); // freeze frame: from now on only the selection changes
    expect(await hook((h) => h.frozen)).toBe(true);
    const before = await nextFrame();
    const grid = (await hook((h) => h.grid))!;
    const selected = await hook((h) => h.selected);
    const target = selected === grid.cols + 2 ? grid.cols + 1 : grid.cols + 2; // row 1, col 1 or 2
    const row = Math.floor(target / grid.cols);
    const col = target % grid.cols;
    // Tile centre in grid pixels (1-px padding around and between tiles), then in page pixels.
    const gx = 1 + col * (grid.tileWidth + 1) + grid.tileWidth / 2;
    const gy = 1 + row * (grid.tileHeight + 1) + grid.tileHeight / 2;
    const box = (await page.locator('canvas[data-dv=grid]').boundingBox())!;
    await page.mouse.click(box.x + (gx * box.width) / grid.width, box.y + (gy * box.height) / grid.height);
    const after = await nextFrame();
    expect(await hook((h) => h.selected)).toBe(target);
    expect(after.input.hash).toBe(before.input.hash); // same frame…
    expect(after.grid.hash).not.toBe(before.grid.hash); // …the cursor frame moved…
    expect(after.unit.hash).not.toBe(before.unit.hash); // …another unit enlarged…
    expect(after.backward.hash).not.toBe(before.backward.hash); // …and its backward view.
    await shot('03-selected-unit.png');

    // Keys move the cursor: → one unit, ↓ one row.
    await page.keyboard.press('ArrowRight');
    await nextFrame();
    expect(await hook((h) => h.selected)).toBe(target + 1);
    await page.keyboard.press('ArrowDown');
    const moved = await nextFrame();
    expect(await hook((h) => h.selected)).toBe(target + 1 + grid.cols);
    expect(moved.unit.hash).not.toBe(after.unit.hash);
    await page.keyboard.press('Space'); // back to live
    expect(await hook((h) => h.frozen)).toBe(false);
  });

  it(`the tensor count stays flat over ${FLAT_FRAMES} frames`, { timeout: 360_000 }, async () => {
    const start = await nextFrame();
    const t0 = Date.now();
    const counts: number[] = [];
    let end = start;
    while (end.frame < start.frame + FLAT_FRAMES) {
      await page.waitForTimeout(2000);
      end = await nextFrame();
      counts.push(end.tensors);
    }
    const t1 = Date.now();
    const fps = ((end.frame - start.frame) * 1000) / (t1 - t0);
    const info = await hook((h) => ({ frameMs: h.frameMs, error: h.error }));
    console.log(`[e2e live-viewer] ${end.frame - start.frame} frames at ${SIZE}² with the backward view: ${fps.toFixed(1)} fps, ` +
      `${info.frameMs.toFixed(0)} ms/frame in the pipeline; tensors ${start.tensors} → ${counts.join(', ')}`);
    expect(end.frame - start.frame).toBeGreaterThanOrEqual(FLAT_FRAMES);
    expect(Math.max(...counts)).toBe(start.tensors);
    expect(Math.min(...counts)).toBe(start.tensors);
    expect(info.error).toBe('');
    await shot('04-after-300-frames.png');
  });

  it('optimizes the selected unit on demand, drawing the image as it goes', async () => {
    const tensorsBefore = (await nextFrame()).tensors;
    await page.selectOption('[data-dv=optimize-steps]', '50');
    await page.click('[data-dv=optimize]');
    const canvasHash = () => page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-dv=optimized]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let h = 0x811c9dc5;
      for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193);
      return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
    });
    const stepShown = async () => Number(/step (\d+)\//.exec((await page.textContent('[data-dv=optimized-caption]')) ?? '')?.[1] ?? 0);
    await page.waitForFunction(() => /step ([1-9]\d*)\//.test(document.querySelector('[data-dv=optimized-caption]')?.textContent ?? ''), null, { timeout: 120_000 });
    const first = { step: await stepShown(), hash: await canvasHash() };
    await page.waitForFunction((s) => Number(/step (\d+)\//.exec(document.querySelector('[data-dv=optimized-caption]')?.textContent ?? '')?.[1] ?? 0) > s, first.step, { timeout: 120_000 });
    const later = { step: await stepShown(), hash: await canvasHash() };
    console.log(`[e2e live-viewer] optimized image: step ${first.step} → ${later.step}; ${await page.textContent('[data-dv=optimized-caption]')}`);
    expect(first.hash).toMatch(new RegExp(`^${SIZE}x${SIZE}:`));
    expect(later.hash).not.toBe(first.hash); // it streams
    await shot('05-optimizing.png');
    await page.waitForFunction(() => !window.__deepvis!.optimizing, null, { timeout: 120_000 });
    expect(await stepShown()).toBe(50);
    // The frames kept running meanwhile, and the run left no tensors behind.
    expect((await nextFrame()).tensors).toBe(tensorsBefore);
  });

  it('optimizes in the modern style, drawn as the toolbox showed it (norm01c), not the raw clip', { timeout: 600_000 }, async () => {
    const tensorsBefore = (await nextFrame()).tensors;
    /** The optimized canvas's RGB bytes. */
    const canvasRgb = () => page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-dv=optimized]')!;
      return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).filter((_, i) => i % 4 !== 3);
    });
    const stats = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
    };
    const previous = await canvasRgb(); // preset 3's image of the case before

    await page.selectOption('[data-dv=optimize-style]', 'lucid');
    // The menu hands the keys back to the grid, like the viewer's other menus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-dv'))).toBe('grid');
    await page.selectOption('[data-dv=optimize-steps]', '50');
    expect(await hook((h) => [h.viewer.state.optimizeStyle, h.viewer.state.optimizeDisplay, h.viewer.state.optimizeSteps])).toEqual(['lucid', 'norm01c', 50]);
    await page.click('[data-dv=optimize]');
    expect(await hook((h) => h.optimizing)).toBe(true);
    await page.waitForFunction(() => !window.__deepvis!.optimizing, null, { timeout: 540_000 });
    const caption = (await page.textContent('[data-dv=optimized-caption]')) ?? '';
    expect(caption).toMatch(/lucid \(modern\) · step 50\/50 · a = /);
    const shown = await canvasRgb();
    await shot('05-optimized-lucid.png');
    // The same image in the raw display: the pane redraws the finished run's image.
    await page.selectOption('[data-dv=optimize-display]', 'raw');
    await page.waitForFunction((before) => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-dv=optimized]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return d.some((v, i) => i % 4 !== 3 && v !== before[(i >> 2) * 3 + (i % 4)]);
    }, shown, { timeout: 30_000 });
    const raw = await canvasRgb();
    expect(await page.textContent('[data-dv=optimized-caption]')).toBe(caption);
    const a = stats(shown);
    const r = stats(raw);
    console.log(`[e2e live-viewer] lucid, 50 steps: norm01c mean ${a.mean.toFixed(1)} std ${a.std.toFixed(1)}; raw mean ${r.mean.toFixed(1)} std ${r.std.toFixed(1)}; ${caption}`);
    expect(shown).toHaveLength(SIZE * SIZE * 3);
    expect(shown).not.toEqual(previous); // another style, another picture
    // Not the raw clip: grey is the mean image here, and the largest deviation reaches 0 or 255.
    expect(shown.reduce((sum, v, i) => sum + Math.abs(v - raw[i]), 0) / shown.length).toBeGreaterThan(5);
    // Exactly the toolbox's norm01c of the raw picture, (x − mean) / (2 · max|x − mean|) + 0.5,
    // up to the rounding of the raw bytes.
    const peak = Math.max(...raw.map((x, i) => Math.abs(x - IMAGENET_MEAN[i % 3])));
    const diffs = raw.map((x, i) => Math.abs(((x - IMAGENET_MEAN[i % 3]) / (2 * peak) + 0.5) * 255 - shown[i]));
    expect(Math.max(...diffs)).toBeLessThan(4);
    expect(diffs.reduce((x, y) => x + y, 0) / diffs.length).toBeLessThan(1);
    expect(Math.min(...shown) === 0 || Math.max(...shown) === 255).toBe(true);
    // The run and the redraw left no tensors behind.
    expect((await nextFrame()).tensors).toBe(tensorsBefore);
    await page.selectOption('[data-dv=optimize-display]', 'norm01c');
    await page.selectOption('[data-dv=optimize-style]', '3');
  });

  it('draws Grad-CAM of the top class from the shown layer in the backward pane', async () => {
    const before = await nextFrame();
    await page.selectOption('[data-dv=mode]', 'gradcam');
    await nextFrame(); // the frame that was running when the mode changed
    const cam = await nextFrame();
    const caption = await page.textContent('[data-dv=backward-caption]');
    console.log(`[e2e live-viewer] ${caption}; backward mean RGB ${fmt(cam.backward.mean)}`);
    expect(caption).toMatch(/^Grad-CAM of .+ from this layer$/);
    expect([cam.backward.width, cam.backward.height]).toEqual([SIZE, SIZE]);
    expect(cam.backward.hash).not.toBe(before.backward.hash);
    // The jet ramp over the input: coloured, not the grey of a norm view.
    const [r, g, b] = cam.backward.mean;
    expect(Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b))).toBeGreaterThan(5);
    expect((await nextFrame()).tensors).toBe(cam.tensors);
    expect(await hook((h) => h.error)).toBe('');
    await shot('06-gradcam.png');
    await page.selectOption('[data-dv=mode]', 'guided');
  });

  it('switches backend (wasm; webgpu where there is an adapter), shows a photo and tiles a fully connected layer', async () => {
    const live = await nextFrame();
    await page.selectOption('[data-dv=backend]', 'wasm');
    await page.waitForFunction(() => window.__deepvis!.backend === 'wasm' && window.__deepvis!.ready, null, { timeout: 60_000 });
    const onWasm = await nextFrame();
    expect(await hook((h) => h.error)).toBe('');
    expect(await hook((h) => h.layer)).toBe(LAYER);
    expect(onWasm.grid.width).toBe(live.grid.width);

    await page.selectOption('[data-dv=source]', 'sample:dog'); // the dog photo shipped with deepvis
    await page.waitForFunction(() => document.querySelector('[data-dv=input-caption]')?.textContent === 'image', null, { timeout: 30_000 });
    const photo = await nextFrame();
    expect(photo.input.hash).not.toBe(onWasm.input.hash);
    expect(await page.locator('[data-dv=predictions] li').count()).toBe(5);

    // The logits (global average pooling, 1000 units): one 4×4 block per unit, 32 × 32 blocks.
    await hook((h) => h.setLayer('global_average_pooling2d_1'));
    const fc = await nextFrame();
    const grid = (await hook((h) => h.grid))!;
    expect(grid).toMatchObject({ channels: 1000, cols: 32, rows: 32, width: 161, height: 161 });
    expect([fc.grid.width, fc.grid.height]).toEqual([161, 161]);
    const box = (await page.locator('canvas[data-dv=grid]').boundingBox())!;
    const unit = 5 * 32 + 7; // row 5, col 7
    await page.mouse.click(box.x + ((1 + 7 * 5 + 2) * box.width) / 161, box.y + ((1 + 5 * 5 + 2) * box.height) / 161);
    await nextFrame();
    expect(await hook((h) => h.selected)).toBe(unit);
    await shot('06-photo-fully-connected-wasm.png');

    // WebGPU: taken where the browser has an adapter; otherwise the page says so and stays on wasm.
    await page.selectOption('[data-dv=backend]', 'webgpu');
    await page.waitForFunction(() => window.__deepvis!.ready && (window.__deepvis!.backend === 'webgpu' || window.__deepvis!.error !== ''), null, { timeout: 60_000 });
    const after = await hook((h) => ({ backend: h.backend, error: h.error }));
    console.log(`[e2e live-viewer] webgpu: ${JSON.stringify(after)}`);
    if (after.backend === 'webgpu') expect(after.error).toBe('');
    else expect([after.backend, after.error]).toEqual(['wasm', expect.stringMatching(/webgpu|WebGPU/)]);
    await nextFrame();
  });

  // ---- the defects of issue 14, each shown fixed ---------------------------------------------
  const message = () => page.locator('[data-dv=messages]');
  const caption = (name: string) => page.textContent(`[data-dv=${name}-caption]`);

  it('after a menu is used, the arrow keys move the unit (not the menu)', async () => {
    await hook((h) => h.setLayer('leaky_re_lu_3'));
    await hook((h) => h.select(2));
    await nextFrame();
    await page.selectOption('[data-dv=normalize]', 'channel');
    await page.keyboard.press('ArrowRight');
    await nextFrame();
    expect(await hook((h) => h.selected)).toBe(3);
    expect(await page.inputValue('[data-dv=normalize]')).toBe('channel');
    await page.selectOption('[data-dv=normalize]', 'layer');
  });

  it('the backward pane is cleared, with the reason, when it is off or Grad-CAM cannot run', async () => {
    await page.selectOption('[data-dv=mode]', 'gradcam');
    await nextFrame();
    const cam = await nextFrame();
    expect(Math.max(...cam.backward.mean)).toBeGreaterThan(5);
    await page.click('[data-dv=backward-on]');
    await nextFrame();
    const off = await nextFrame();
    expect(await caption('backward')).toBe('off');
    expect(off.backward.mean).toEqual([0, 0, 0]);
    await page.click('[data-dv=backward-on]');
    await nextFrame();
    expect(Math.max(...(await nextFrame()).backward.mean)).toBeGreaterThan(5);
    await hook((h) => h.setLayer('global_average_pooling2d_1'));
    await nextFrame();
    const fc = await nextFrame();
    expect(await caption('backward')).toMatch(/^Grad-CAM needs a layer of maps/);
    expect(fc.backward.mean).toEqual([0, 0, 0]);
    await page.selectOption('[data-dv=mode]', 'guided');
  });

  it('class units are named (ImageNet names on the logits)', async () => {
    await hook((h) => h.select(130)); // Darknet's index 130
    await nextFrame();
    expect(await caption('unit')).toBe(`${IMAGENET[130]} (130)`);
    expect(await caption('grid')).toContain(`${IMAGENET[130]} (130)`);
    await hook((h) => h.setLayer('leaky_re_lu_3'));
    await nextFrame();
    expect(await caption('unit')).toBe('unit 0 of 16');
  });

  it('a failed model load keeps the model shown and says why at the top', async () => {
    const before = await hook((h) => ({ model: h.model, frames: h.frames }));
    await page.selectOption('[data-dv=model]', 'url');
    await page.fill('[data-dv=model-url]', `${base}no-such-model/model.json`);
    await page.click('[data-dv=model-load]');
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/(Cannot fetch the model|The model) .*no-such-model\/model\.json(: HTTP 404| is not JSON)\./);
    await nextFrame();
    const after = await hook((h) => ({ model: h.model, frames: h.frames, ready: h.ready }));
    expect(after).toMatchObject({ model: before.model, ready: true });
    expect(after.frames).toBeGreaterThan(before.frames);
    expect(await page.textContent('[data-dv=status]')).not.toMatch(/loading/);
    // Where the person looks: above the controls and the panes, in view.
    const [box, panes] = [await message().boundingBox(), await page.locator('canvas[data-dv=grid]').boundingBox()];
    expect(box!.y + box!.height).toBeLessThan(panes!.y);
    expect(box!.y).toBeLessThan(120);
    await shot('07-failed-model-load.png');
  });

  it('a model.json chosen without its weight files is refused naming them; extension-less shards load', async () => {
    const files = page.locator('[data-dv=model-files]');
    expect(await files.getAttribute('accept')).toBeNull(); // no filter hiding group1-shard1of1
    await page.selectOption('[data-dv=model]', 'files');
    await files.setInputFiles([join(ROOT, 'assets/darknet-tiny/model.json')]);
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toContain('model.json needs weight files that were not chosen: weights.bin.');
    expect(await hook((h) => h.model)).toBe('Darknet-Tiny (ImageNet)');
    if (!SHARED_DARKNET || !existsSync(join(SHARED_DARKNET, 'model.json'))) return;
    // The float32 conversion: 31 extension-less shards, with labels given as objects.
    const shards = readdirSync(SHARED_DARKNET).filter((f) => /^group\d+-shard\d+of\d+$/.test(f)).map((f) => join(SHARED_DARKNET, f));
    expect(shards.length).toBeGreaterThan(10);
    await files.setInputFiles([join(SHARED_DARKNET, 'model.json'), ...shards, labelsOfObjects]);
    await page.waitForFunction(() => window.__deepvis!.model === 'model.json' && window.__deepvis!.ready, null, { timeout: 60_000 });
    await nextFrame();
    const top = await page.locator('[data-dv=predictions] li').allTextContents();
    console.log(`[e2e live-viewer] top-5 with labels given as objects: ${top.join(' | ')}`);
    expect(top).toHaveLength(5);
    for (const line of top) {
      expect(line).not.toContain('[object Object]');
      expect(IMAGENET).toContain(line.replace(/^\s*[\d.]+%\s+/, ''));
    }
    expect(await message().textContent()).not.toMatch(/needs weight files|Cannot fetch/);
  });

  it('?size=abc opens the viewer at the default size and says what it ignored', async () => {
    const other = await page.context().newPage();
    try {
      await other.goto(`${base}?size=abc&input=sample&sample=owl&backend=wasm&layer=${LAYER}&backward=0`);
      await other.waitForFunction(() => !!window.__deepvis?.ready && window.__deepvis.frames >= 1, null, { timeout: 120_000 });
      expect(await other.textContent('[data-dv=messages]')).toMatch(/Ignoring size=abc: Option 'size' must be an integer from 16 to 1024/);
      expect(await other.evaluate(() => window.__deepvis!.viewer.state.size)).toBe(224);
      expect(await other.evaluate(() => document.querySelector<HTMLCanvasElement>('canvas[data-dv=input]')!.width)).toBe(224);
    } finally {
      await other.close();
    }
  });

  it('a 512-unit grid fits the window, and a narrow window does not overflow', async () => {
    await page.setViewportSize({ width: 1920, height: 800 });
    await hook((h) => h.setLayer('leaky_re_lu_12'));
    await nextFrame();
    await nextFrame();
    expect(await hook((h) => h.grid!.channels)).toBe(512);
    const box = (await page.locator('canvas[data-dv=grid]').boundingBox())!;
    console.log(`[e2e live-viewer] 512-unit grid at 1920×800: ${box.width.toFixed(0)}×${box.height.toFixed(0)} CSS px`);
    expect(box.height).toBeLessThanOrEqual(800);
    expect(box.height).toBeGreaterThan(500); // as large as the window allows
    await shot('08-grid-512-units.png');
    await page.setViewportSize({ width: 380, height: 800 });
    await nextFrame();
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await shot('09-narrow-window.png');
    await page.setViewportSize({ width: 1280, height: 800 });
    await hook((h) => h.setLayer('leaky_re_lu_3'));
  });

  it('a refused camera says why and shows a photo (and the message stays)', async () => {
    const refusing = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--deny-permission-prompts'] });
    try {
      const p = await (await refusing.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await p.goto(`${base}?input=webcam&backend=wasm&size=${SIZE}&layer=${LAYER}`);
      // A still photo runs one frame, then one per change: the message must survive both.
      await p.waitForFunction(() => !!window.__deepvis?.ready && window.__deepvis.frames >= 1, null, { timeout: 120_000 });
      await p.evaluate(() => window.__deepvis!.select(5));
      await p.evaluate(() => window.__deepvis!.nextFrame());
      expect(await p.evaluate(() => window.__deepvis!.input)).toBe('image');
      expect(await p.textContent('[data-dv=messages]')).toBe("Webcam: the camera was refused (allow it in the browser's site settings, then choose webcam again). Showing the photo 'cat' instead.");
      await p.screenshot({ path: join(ARTIFACTS, '10-camera-refused.png') });
    } finally {
      await refusing.close();
    }
  });

  it('logged no errors in the page (but the expected one of a refused WebGPU)', () => {
    expect(consoleErrors.filter((e) => !/webgpu|WebGPU/.test(e))).toEqual([]);
  });
});
