// Backward views that can be seen: `deepvis backward` on shared photos with Darknet-Tiny
// draws guided backprop, deconv, the raw filter and SmoothGrad with a median pixel well
// above black (the views' defaults: the 99.5th percentile scale and gamma 0.5).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DARKNET, HAS_DARKNET, SHARED } from '../helpers/shared';

const root = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'deepvis-views-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI; resolves its exit code and stderr. */
const cli = (args: string[]) => new Promise<{ code: number; stderr: string }>((done) => {
  execFile(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, timeout: 170_000 }, (e, _out, stderr) => {
    done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stderr });
  });
});

/** The median over pixels of each pixel's brightest channel (0–255). */
function medianPixel(file: string): number {
  const png = PNG.sync.read(readFileSync(file));
  const v: number[] = [];
  for (let i = 0; i < png.data.length; i += 4) v.push(Math.max(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!));
  v.sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
}

describe.skipIf(!HAS_DARKNET || process.env.DEEPVIS_BACKEND !== 'wasm')('deepvis backward views on photos', () => {
  it.each([
    ['guided', ['--mode', 'guided'], 'guided-norm', 25],
    ['deconv', ['--mode', 'deconv'], 'deconv-norm', 60],
    ['guided, raw filter', ['--mode', 'guided', '--filter', 'raw'], 'guided-raw', 25],
    ['guided SmoothGrad', ['--mode', 'guided', '--smooth', '4'], 'smoothgrad-guided-norm', 25],
  ] as const)('%s: median pixel well above black', async (name, extra, suffix, floor) => {
    const out = join(tmp, suffix);
    const r = await cli(['backward', '--model', DARKNET, '--images', join(SHARED, 'images/darknet-samples-7'), '--limit', '3', '--out', out, '-q', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const views = readdirSync(join(out, 'backward')).filter((f) => f.endsWith(`-${suffix}.png`));
    expect(views).toHaveLength(3);
    const medians = views.map((f) => medianPixel(join(out, 'backward', f)));
    console.log(`[backward views] ${name}: median pixels ${medians.join(', ')}`);
    for (const m of medians) expect(m).toBeGreaterThan(floor);
  });
});
