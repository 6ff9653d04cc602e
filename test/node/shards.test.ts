// Past one machine: `deepvis topk --shard i/N` slices, `deepvis merge`, and checkpoints that let
// a killed scan resume; on the shared photos through Darknet-Tiny, the results equal one run.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOption, shardSlice } from '../../src/cli/shards';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

const root = resolve(__dirname, '../..');
const main = join(root, 'src/cli/main.ts');

interface Run { code: number; stdout: string; stderr: string }

function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, timeout: 170_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const topOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'top.json'), 'utf8'));

describe('shard slices', () => {
  it('cut the list between whole batches, every item in exactly one shard', () => {
    const list = Array.from({ length: 20 }, (_, i) => i);
    expect([0, 1, 2].map((index) => shardSlice(list, { index, count: 3 }, 8))).toEqual([list.slice(0, 8), list.slice(8, 16), list.slice(16)]);
    expect([0, 1].map((index) => shardSlice(list, { index, count: 2 }, 8))).toEqual([list.slice(0, 8), list.slice(8)]);
    // More shards than batches: some shards are empty, none overlap.
    expect([0, 1, 2, 3].map((index) => shardSlice(list, { index, count: 4 }, 8).length)).toEqual([0, 8, 8, 4]);
    expect(shardOption({ shard: '2/4' })).toEqual({ index: 2, count: 4 });
    expect(shardOption({})).toBeUndefined();
    for (const bad of ['4/4', '1', '-1/2', 'a/b', '0/0']) expect(() => shardOption({ shard: bad })).toThrow(/--shard must be i\/N with 0 ≤ i < N/);
  });
});

describe.skipIf(!HAS_DARKNET || process.env.DEEPVIS_BACKEND !== 'wasm')('deepvis topk --shard and deepvis merge on the shared photos', () => {
  let tmp: string;
  const photos = sharedImages();
  const common = ['--model', DARKNET, '--layer', 'leaky_re_lu_3', '--backend', 'wasm', '-q'];

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'deepvis-shards-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('three shards merged equal one run, bit for bit, and merge draws the gallery', async () => {
    const images = photos.slice(0, 20).flatMap((p) => ['--images', p]);
    const opts = [...common, ...images, '--size', '64', '--k', '4'];
    // The one run on two worker threads (3 batches: 3 jobs), the shards in their own processes.
    const one = await cli('topk', ...opts, '--workers', '2', '--units', '0', '--out', join(tmp, 'one'));
    expect(one.code, one.stderr).toBe(0);
    for (const i of [0, 1, 2]) {
      const shard = await cli('topk', ...opts, '--workers', '1', '--shard', `${i}/3`, '--out', join(tmp, `shard${i}`));
      expect(shard.code, shard.stderr).toBe(0);
      expect(topOf(join(tmp, `shard${i}`)).shard).toEqual({ index: i, count: 3 });
    }
    expect([0, 1, 2].map((i) => topOf(join(tmp, `shard${i}`)).top.images)).toEqual([8, 8, 4]);
    const merged = await cli('merge', '--model', DARKNET, '-q', '--units', '0,1', ...[0, 1, 2].flatMap((i) => ['--shards', join(tmp, `shard${i}`)]), '--out', join(tmp, 'merged'));
    expect(merged.code, merged.stderr).toBe(0);
    const expected = topOf(join(tmp, 'one'));
    expect(topOf(join(tmp, 'merged')).top).toEqual(expected.top);
    expect(expected.top.images).toBe(20);
    expect(expected.top.layers.leaky_re_lu_3.units).toHaveLength(16);
    expect(existsSync(join(tmp, 'merged', 'leaky_re_lu_3-unit-1.png'))).toBe(true);
    expect(readFileSync(join(tmp, 'merged', 'index.html'), 'utf8')).toContain('leaky_re_lu_3-unit-0.png');
    // A missing shard is named.
    const missing = await cli('merge', '--model', DARKNET, '--shards', join(tmp, 'shard0'), '--shards', join(tmp, 'shard2'), '--out', join(tmp, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Shards 1 of 3 are missing.');
  }, 600_000); // five CLI processes, each loading the model

  it('a scan killed with SIGKILL resumes from its checkpoint and gives the uninterrupted result', async () => {
    const opts = [...common, '--images', join(photos[0], '../..'), '--size', '96', '--k', '3', '--units', '0', '--workers', '1', '--checkpoint-every', '8'];
    const out = join(tmp, 'killed');
    const checkpoint = `${out}.checkpoint.json`;
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'topk', ...opts, '--out', out], { cwd: root, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
    while (!existsSync(checkpoint) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8'));
    expect(saved.done).toBeGreaterThanOrEqual(8);
    expect(saved.done).toBeLessThan(photos.length);
    expect(existsSync(out)).toBe(false);

    const resumed = await cli('topk', ...opts.filter((o) => o !== '-q'), '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${checkpoint}: ${saved.done} of ${photos.length} images already scanned`);
    expect(existsSync(checkpoint)).toBe(false);
    const whole = await cli('topk', ...opts, '--out', join(tmp, 'whole'));
    expect(whole.code, whole.stderr).toBe(0);
    expect(topOf(out).top).toEqual(topOf(join(tmp, 'whole')).top);
    expect(topOf(out).top.images).toBe(photos.length);
  }, 600_000); // three CLI processes over the 87 photos
});
