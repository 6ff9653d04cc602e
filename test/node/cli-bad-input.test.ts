// The deepvis CLI against bad input, as child processes: every failure exits with its documented
// code and a one-line message (plus a hint) and leaves no output, nothing it did not write is
// ever removed or replaced, SIGINT / SIGTERM / SIGHUP leave the output folder exactly as it was,
// remote models time out and check HTTP statuses, and GraphModels work. node-wasm project only
// (the CLI picks its own backend).
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePatternPngs } from '../helpers/pattern-pngs';
import { tinyGraphArtifacts } from '../helpers/graph-model';

const root = resolve(__dirname, '../..');
const main = join(root, 'src/cli/main.ts');
const L = tfl.layers;
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs the CLI with `args` and resolves whatever happens (a 120 s budget per run). */
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root, timeout: 120_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/** Writes a layers model (or GraphModel artifacts) as model.json + weights.bin in `dir`; `edit` changes the weight bytes. */
async function save(what: tfl.LayersModel | tf.io.ModelArtifacts, dir: string, edit: (b: Buffer) => Buffer = (b) => b): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const write = (a: tf.io.ModelArtifacts) => {
    writeFileSync(join(dir, 'weights.bin'), edit(Buffer.from(a.weightData as ArrayBuffer)));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: a.format ?? 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
  };
  if ('save' in what) {
    await what.save(tf.io.withSaveHandler(async (a) => (write(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    what.dispose();
  } else {
    write(what);
  }
  return join(dir, 'model.json');
}

const sequential = (layers: tfl.layers.Layer[]) => tfl.sequential({ layers });
/** 16×16 RGB → conv → pool → conv → GAP → 3 logits (as cli.test's). */
const tinyModel = () => sequential([
  L.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: init(1) }),
  L.maxPooling2d({ poolSize: 2, name: 'pool1' }),
  L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2', kernelInitializer: init(2) }),
  L.globalAveragePooling2d({ name: 'gap' }),
  L.dense({ units: 3, name: 'logits', kernelInitializer: init(3) }),
]);
/** Four 'valid' pools: images of at least 16×16. */
const deepModel = () => sequential([
  L.conv2d({ inputShape: [32, 32, 3], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
  ...[1, 2, 3, 4].map(() => L.maxPooling2d({ poolSize: 2 })),
  L.globalAveragePooling2d({}), L.dense({ units: 2, kernelInitializer: init(2) }),
]);
/** 64 filters: over the 1 GiB budget at 2048². */
const wideModel = () => sequential([
  L.conv2d({ inputShape: [32, 32, 3], filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(4) }),
  L.globalAveragePooling2d({}), L.dense({ units: 2, kernelInitializer: init(5) }),
]);
const inputModel = (shape: number[], dataFormat: 'channelsFirst' | 'channelsLast') =>
  sequential([L.conv2d({ inputShape: shape, filters: 2, kernelSize: 3, dataFormat }), L.flatten(), L.dense({ units: 2 })]);

/** Every file and folder under `dir` (hidden ones too) with a hash of each file's bytes. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? `${f}/` : `${f} ${createHash('sha1').update(readFileSync(p)).digest('hex').slice(0, 12)}`;
  });
}

/** What a failure must look like: the code, one line naming the problem (plus a hint), no stack. */
function expectFailure(run: Run, code: number, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/Unexpected error|\n\s+at /);
  expect(run.stderr.trim().split('\n').length, run.stderr).toBeLessThanOrEqual(2);
}

describe.skipIf(process.env.DEEPVIS_BACKEND !== 'wasm')('deepvis CLI against bad input', () => {
  let tmp: string;
  const m: Record<'tiny' | 'deep' | 'wide' | 'rgba' | 'chfirst' | 'graph' | 'truncated' | 'served', string> = {} as never;
  let images: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'deepvis-cli-bad-'));
    m.tiny = await save(tinyModel(), join(tmp, 'tiny'));
    m.deep = await save(deepModel(), join(tmp, 'deep'));
    m.wide = await save(wideModel(), join(tmp, 'wide'));
    m.rgba = await save(inputModel([16, 16, 4], 'channelsLast'), join(tmp, 'rgba'));
    m.chfirst = await save(inputModel([3, 16, 16], 'channelsFirst'), join(tmp, 'chfirst'));
    const { artifacts, weights } = tinyGraphArtifacts();
    tf.dispose(Object.values(weights));
    m.graph = await save(artifacts, join(tmp, 'graph'));
    m.truncated = await save(tinyModel(), join(tmp, 'truncated'), (b) => b.subarray(0, 100));
    images = writePatternPngs(join(tmp, 'images'));
    writeFileSync(join(tmp, 'truncated.png'), readFileSync(join(images, 'a.png')).subarray(0, 80));
    writeFileSync(join(tmp, 'a-file'), 'not a folder');
    // A server that never answers /hang/…, serves the tiny model's model.json and answers 404 for its weights.
    server = createServer((req, res) => {
      if (req.url?.startsWith('/hang/')) return;
      if (req.url === '/tiny/model.json') return void res.end(readFileSync(m.tiny));
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((ok) => server?.close(ok));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const failures: { args: () => string[]; code: number; message: RegExp; out?: () => string }[] = [
    { args: () => ['optimize', '--model', m.tiny, '--unit', '-1'], code: 2, message: /Option --unit got a value starting with '-'.*\n.*--unit=VALUE/ },
    { args: () => ['optimize', '--model', m.tiny, '--unit=-1'], code: 2, message: /--unit must be an integer ≥ 0; got '-1'/ },
    { args: () => ['backward', '--model', m.tiny, '--images', images, '--mode', 'gradcam', '--cam-layer', 'gap'], code: 2, message: /'gap' gives a vector per image/ },
    { args: () => ['backward', '--model', m.tiny, '--images', images, '--mode', 'gradcam', '--layer', 'conv1', '--cam-layer', 'conv2'], code: 2, message: /The unit's layer 'conv1' is not computed from camLayer 'conv2'/ },
    { args: () => ['optimize', '--model', m.rgba], code: 4, message: /takes 4-channel images/ },
    { args: () => ['optimize', '--model', m.chfirst], code: 4, message: /channels-first/ },
    { args: () => ['optimize', '--model', m.wide, '--size', '2048', '--steps', '1'], code: 2, message: /over deepvis's 1024 MB budget; use at most about \d+×\d+ pixels/ },
    { args: () => ['optimize', '--model', m.deep, '--size', '8', '--steps', '1'], code: 2, message: /at least 16×16 pixels/ },
    { args: () => ['activations', '--model', m.tiny, '--images', join(tmp, 'truncated.png')], code: 3, message: /The PNG does not decode/ },
    { args: () => ['optimize', '--model', m.truncated], code: 3, message: /hold 100 bytes; its weightsManifest lists/ },
    { args: () => ['optimize', '--model', `${base}/hang/model.json`, '--timeout', '1'], code: 3, message: /No answer from 'http:.*\/hang\/model.json' within 1 s/ },
    { args: () => ['optimize', '--model', `${base}/tiny/model.json`], code: 3, message: /'http:.*\/tiny\/weights.bin' answered HTTP 404/ },
    { args: () => ['optimize', '--model', m.tiny, '--timeout', '0'], code: 2, message: /--timeout must be a number/ },
    { args: () => ['optimize', '--model', m.tiny, '--steps', '1'], out: () => join(tmp, 'a-file'), code: 2, message: /Output folder '.*a-file' is a file/ },
    { args: () => ['optimize', '--model', m.tiny, '--steps', '1'], out: () => join(tmp, 'a-file', 'out'), code: 3, message: /Cannot mkdir '.*a-file.*': a part of the path is a file, not a folder \(ENOTDIR\)/ },
    { args: () => ['optimize', '--model', m.tiny, '--steps', '1'], out: () => '/proc/self/deepvis-out', code: 3, message: /\(ENOENT\)/ },
    { args: () => ['optimize', '--model', m.tiny, '--steps', '1'], out: () => '/sys/deepvis-out', code: 3, message: /\((EPERM|EACCES|EROFS)\)/ },
  ];

  it('each bad input exits with its code and one line, leaving no output', async () => {
    // Two at a time: the CI machine has two cores.
    for (let i = 0; i < failures.length; i += 2) {
      await Promise.all(failures.slice(i, i + 2).map(async (c, k) => {
        // Each run its own parent folder: two runs sharing one could each leave it to the other.
        const out = c.out?.() ?? join(tmp, `failed-${i + k}`, 'out');
        const system = out.startsWith('/proc') || out.startsWith('/sys');
        const before = system ? [] : snapshot(dirname(out));
        const run = await cli(...c.args(), '--out', out, '-q');
        expectFailure(run, c.code, c.message);
        if (!system) expect(snapshot(dirname(out)), c.args().join(' ')).toEqual(before);
      }));
    }
    expect(readdirSync(tmp).filter((f) => f.startsWith('failed-'))).toEqual([]); // no parent folder left behind either
  }, 600_000);

  it('GraphModels: optimize takes their units and topk finds their spatial layers', async () => {
    const [opt, top] = await Promise.all([
      cli('optimize', '--model', m.graph, '--unit', '1,4', '--steps', '2', '--out', join(tmp, 'graph-opt'), '-q'),
      cli('topk', '--model', m.graph, '--images', images, '--units', '0,3', '--out', join(tmp, 'graph-top'), '-q'),
    ]);
    expect(opt.code, opt.stderr).toBe(0);
    expect(readdirSync(join(tmp, 'graph-opt', 'images')).sort()).toEqual(['class-1-preset3.png', 'class-4-preset3.png']);
    expect(top.code, top.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'graph-top', 'index.html'), 'utf8')).toMatch(/relu/);
  });

  it('files beside and inside output folders survive every command; deepvis replaces only what it wrote', async () => {
    const keep = join(tmp, 'keep');
    mkdirSync(keep);
    writeFileSync(join(keep, 'beside.txt'), 'beside');
    const runs: [string, string[], string[]][] = [
      ['optimize', ['--unit', '0', '--steps', '1'], ['--unit', '1', '--steps', '1']],
      ['activations', ['--images', images], ['--images', images, '--layer', 'conv1']],
      ['backward', ['--images', images], ['--images', images, '--mode', 'deconv']],
      ['topk', ['--images', images, '--units', '0'], ['--images', images, '--units', '1']],
      ['gallery', ['--images', images, '--classes', '0', '--steps', '1', '--samples', '1', '--units', '0'], ['--images', images, '--classes', '1', '--steps', '1', '--samples', '1', '--units', '1']],
    ];
    const go = (command: string, args: string[]) => cli(command, '--model', m.tiny, ...args, '--out', join(keep, command), '-q');
    for (let i = 0; i < runs.length; i += 2) {
      for (const r of await Promise.all(runs.slice(i, i + 2).map(([c, first]) => go(c, first)))) expect(r.code, r.stderr).toBe(0);
    }
    const firstFiles: Record<string, string[]> = {};
    for (const [command] of runs) {
      const out = join(keep, command);
      firstFiles[command] = JSON.parse(readFileSync(join(out, 'deepvis.json'), 'utf8')).files;
      expect(firstFiles[command].length).toBeGreaterThan(1);
      writeFileSync(join(out, 'mine.txt'), `mine in ${command}`);
      const nested = firstFiles[command].find((f) => f.includes('/'));
      if (nested) writeFileSync(join(out, dirname(nested), 'mine-too.txt'), 'mine too'); // inside a folder deepvis made
    }
    const users = snapshot(keep).filter((f) => f.includes('mine') || f.startsWith('beside'));
    for (let i = 0; i < runs.length; i += 2) {
      for (const r of await Promise.all(runs.slice(i, i + 2).map(([c, , second]) => go(c, second)))) expect(r.code, r.stderr).toBe(0);
    }
    expect(snapshot(keep).filter((f) => f.includes('mine') || f.startsWith('beside'))).toEqual(users);
    for (const [command] of runs) {
      const out = join(keep, command);
      const files = JSON.parse(readFileSync(join(out, 'deepvis.json'), 'utf8')).files as string[];
      for (const f of files) expect(existsSync(join(out, f)), f).toBe(true);
      // What only the first run wrote is gone; what the user wrote is not listed.
      for (const f of firstFiles[command].filter((f) => !files.includes(f))) expect(existsSync(join(out, f)), f).toBe(false);
      expect(files.some((f) => f.includes('mine'))).toBe(false);
    }
    expect(readdirSync(keep).filter((f) => f.startsWith('.'))).toEqual([]); // no run folders left

    // The gallery beside other commands' outputs in one folder: their results stay as they were.
    const shared = join(tmp, 'deepvis-out');
    expect((await cli('optimize', '--model', m.tiny, '--steps', '1', '--out', join(shared, 'optimize'), '-q')).code).toBe(0);
    const optimizeBefore = snapshot(join(shared, 'optimize'));
    const gallery = await cli('gallery', '--model', m.tiny, '--images', images, '--classes', '0', '--steps', '1', '--samples', '1', '--units', '0', '--out', shared, '-q');
    expect(gallery.code, gallery.stderr).toBe(0);
    expect(snapshot(join(shared, 'optimize'))).toEqual(optimizeBefore);

    // A file in the way of a new one is never replaced: the run is refused and nothing changes.
    const out = join(keep, 'optimize');
    writeFileSync(join(out, 'images', 'class-2-preset3.png'), 'a picture of mine');
    const before = snapshot(keep);
    expectFailure(await go('optimize', ['--unit', '2', '--steps', '1']), 2, /class-2-preset3.png' exists and deepvis did not write it; nothing was changed/);
    expect(snapshot(keep)).toEqual(before);
  }, 600_000);

  it('SIGINT, SIGTERM and SIGHUP leave the output folder exactly as before, with a message and their exit codes', async () => {
    const place = join(tmp, 'signals');
    const out = join(place, 'optimize');
    expect((await cli('optimize', '--model', m.tiny, '--steps', '1', '--out', out, '-q')).code).toBe(0);
    writeFileSync(join(out, 'mine.txt'), 'mine');
    writeFileSync(join(place, 'beside.txt'), 'beside');
    // A run folder a killed process left behind (no process has this id): cleaned by the next run.
    mkdirSync(join(place, '.optimize.partial-4194399-abc'));
    writeFileSync(join(place, '.optimize.partial-4194399-abc', 'half.png'), 'half');
    const stale = snapshot(place);
    const before = stale.filter((f) => !f.startsWith('.optimize.partial-4194399'));

    /** Starts a long run into `target`, kills it with `signal` once its run folder exists, resolves how it ended. */
    const killed = (signal: NodeJS.Signals, target: string) => new Promise<Run>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main, 'optimize', '--model', m.tiny, '--steps', '100000', '--out', target, '-q'], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const poll = setInterval(() => {
        let dir = target;
        while (!existsSync(dirname(dir))) dir = dirname(dir);
        if (readdirSync(dirname(dir)).some((f) => f.startsWith(`.${basename(target)}.partial-${child.pid}-`))) {
          clearInterval(poll);
          setTimeout(() => child.kill(signal), 300);
        }
      }, 100);
      child.on('exit', (code, sig) => {
        clearInterval(poll);
        done({ code, signal: sig, stdout: '', stderr });
      });
    });
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
      const run = await killed(signal, out);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toContain(`deepvis: stopped by ${signal}; no output written.`);
      expect(snapshot(place)).toEqual(before);
    }
    // A run into a folder whose parents do not exist yet: interrupted, it leaves none of them.
    const fresh = join(place, 'new', 'deeper', 'out');
    const run = await killed('SIGINT', fresh);
    expect(run.code).toBe(130);
    expect(existsSync(join(place, 'new'))).toBe(false);
    expect(snapshot(place)).toEqual(before);
  }, 600_000);
});
