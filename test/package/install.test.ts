// The first hour of a package user, on the tarball `npm pack` made (see global-setup.ts),
// installed from the registry into an empty folder: ESM and CommonJS scripts, strict
// TypeScript over a user file and over the README's code blocks (deepvis's own types checked,
// no skipLibCheck), and the `deepvis` command.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installedVersion, installTarball, ROOT, type Installed } from '../helpers/pack';

const tsc = resolve(ROOT, 'node_modules/.bin/tsc');
const REPO = 'https://github.com/deepvis/deepvis';

/** A user's strictest tsconfig: deepvis's types are checked too (skipLibCheck off). */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true,
    exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, types: ['node'],
  },
};

/** `tsc -p` in the user's folder: the error lines outside node_modules/@tensorflow (whose own .d.ts do not pass these flags). */
function strictErrors(user: Installed, files: readonly string[]): string[] {
  user.write('tsconfig.json', JSON.stringify({ ...STRICT_TSCONFIG, files }));
  const r = user.run(tsc, ['-p', '.'], { timeout: 300_000 });
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  if (r.status !== 0) expect(errors.length, r.stdout + r.stderr).toBeGreaterThan(0);
  return errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'));
}

describe('the packed package, installed into an empty folder', () => {
  let user: Installed;

  beforeAll(() => {
    const tf = installedVersion('@tensorflow/tfjs-core');
    // The peers tfjs-core and tfjs-layers come with deepvis (npm installs required peers); a backend and Node's types are the user's.
    user = installTarball(inject('tarball'), [`@tensorflow/tfjs-backend-cpu@${tf}`, `@types/node@${installedVersion('@types/node')}`]);
  }, 600_000);

  afterAll(() => user?.remove());

  it('is deepvis from the tarball, with its peers from the registry, not links to this repository', () => {
    const pkg = JSON.parse(readFileSync(join(user.dir, 'node_modules/deepvis/package.json'), 'utf8'));
    expect(pkg.name).toBe('deepvis');
    expect(existsSync(join(user.dir, 'node_modules/deepvis/dist/index.js'))).toBe(true);
    expect(existsSync(join(user.dir, 'node_modules/deepvis/src'))).toBe(false);
    for (const peer of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) expect(existsSync(join(user.dir, 'node_modules', peer, 'package.json')), peer).toBe(true);
    const lock = JSON.parse(readFileSync(join(user.dir, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/deepvis'].resolved).toMatch(/^file:.*\.tgz$/);
    const entries = Object.entries(lock.packages as Record<string, { link?: boolean; resolved?: string }>).filter(([k]) => k !== '');
    expect(entries.filter(([, p]) => p.link || (p.resolved?.startsWith('file:') && !p.resolved.endsWith('.tgz'))).map(([k]) => k)).toEqual([]);
    for (const [name] of entries) expect(realpathSync(join(user.dir, name)).startsWith(ROOT), name).toBe(false);
  });

  it('ESM: classifies a shipped photo with the shipped model, images in and names out', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { loadImageNetNet, loadImageNetLabels, readSamplePhoto, fitToNet, topPredictions, classIndex } from 'deepvis';
      import { useNodeBackend, decodeImage } from 'deepvis/node';
      const info = await useNodeBackend();
      const [net, labels] = await Promise.all([loadImageNetNet(), loadImageNetLabels()]);
      const photo = decodeImage(await readSamplePhoto('parrot'));
      const pixels = fitToNet(photo, net);
      const [top] = topPredictions(net, pixels, 1, labels);
      console.log(JSON.stringify({ backend: info.name, shape: pixels.shape, top: top.label, flamingo: classIndex(labels, 'Flamingo') }));`;
    user.write('classify.mjs', script);
    const r = user.run(process.execPath, ['classify.mjs'], { timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ backend: 'cpu', shape: [1, 224, 224, 3], top: 'macaw', flamingo: 424 });
    expect(r.stderr).toBe('');   // no tfjs banner: useNodeBackend said what it picked
  });

  it('CommonJS: require() gives the same library', () => {
    const script = `
      const tf = require('@tensorflow/tfjs-core');
      const tfl = require('@tensorflow/tfjs-layers');
      const { toNet, activations, parseLabels, classIndex, DeepvisError } = require('deepvis');
      const { useNodeBackend } = require('deepvis/node');
      useNodeBackend('cpu').then(() => {
        const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [6, 6, 3], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' })] });
        const net = toNet(model);
        const acts = activations(net, tf.ones([1, 6, 6, 3]), { layers: ['conv'] });
        let code = null;
        try { classIndex(parseLabels('{"0": ["n1", "tench"], "1": ["n2", "goldfish"]}'), 'gold fish'); } catch (e) { code = e instanceof DeepvisError && e.code; }
        console.log(JSON.stringify({ shape: acts.conv.shape, goldfish: classIndex(parseLabels('tench\\ngoldfish'), 'GOLDFISH'), code }));
      });`;
    user.write('layers.cjs', script);
    const r = user.run(process.execPath, ['layers.cjs']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ shape: [1, 4, 4, 2], goldfish: 1, code: 'UNKNOWN_CLASS' });
  });

  it('strict TypeScript (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, no skipLibCheck) accepts deepvis and flags wrong models', () => {
    user.write('user.ts', `
      import * as tfl from '@tensorflow/tfjs-layers';
      import { toNet, optimizeUnit, deepDream, classLogit, PAPER_PRESETS, fitToNet, classIndex, type DeepDreamOptions, type OptimizeOptions, type Model, type NetOrModel } from 'deepvis';
      import { useNodeBackend, readImage, readLabels } from 'deepvis/node';
      import { useWebGL } from 'deepvis/webgl';
      import { useWasm } from 'deepvis/wasm';

      await useNodeBackend('cpu');
      const model: Model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3 })] });
      const net = toNet(model, { inputRange: [0, 1] });
      const o: OptimizeOptions = { steps: 2 };
      const dream: DeepDreamOptions = { ...o, octaves: 2, lr: 10 };
      const either: NetOrModel = Math.random() > 0.5 ? net : model;
      const r = await optimizeUnit(either, classLogit(classIndex(await readLabels('labels.txt'), 'tench')), { ...PAPER_PRESETS[2], steps: 2 });
      const photo = await readImage('photo.jpg');
      await deepDream(net, fitToNet(photo, net), dream);
      r.image.dispose();
      void useWebGL; void useWasm;
      // @ts-expect-error: a string is not a model
      toNet('model.json');
      // @ts-expect-error: nor is a plain object
      await optimizeUnit({ layers: 3 }, classLogit(0));
    `);
    user.write('user.cts', `
      import { toNet, parseLabels } from 'deepvis';
      import * as tfl from '@tensorflow/tfjs-layers';
      export const names: string[] = parseLabels(['a', 'b'], 2);
      export const net = toNet(tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3 })] }));
    `);
    expect(strictErrors(user, ['user.ts', 'user.cts'])).toEqual([]);
  });

  it("the README's code blocks typecheck against the package under the same strict settings", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const files = blocks.map((code, i) => user.write(`readme-${i}.mts`, code)).map((p) => p.slice(user.dir.length + 1));
    expect(strictErrors(user, files)).toEqual([]);
  });

  it("the README's install line installs what its recipes import, and its links are absolute and point at files that exist", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const install = /npm install (deepvis [^\n]+)/.exec(readme)![1]!.split(/\s+/);
    const imported = new Set([...readme.matchAll(/from '((?:@[^/']+\/)?[^/']+)[^']*'/g)].map((m) => m[1]!));
    for (const pkg of imported) if (pkg !== '@tensorflow/tfjs-backend-webgl') expect(install, pkg).toContain(pkg);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.repository.url).toBe(`git+${REPO}.git`);
    expect(pkg.homepage).toBe(`${REPO}#readme`);
    expect(pkg.bugs.url).toBe(`${REPO}/issues`);
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      const target = /^https:\/\/(?:github\.com\/deepvis\/deepvis\/blob|raw\.githubusercontent\.com\/deepvis\/deepvis)\/main\/(.+)$/.exec(link)?.[1];
      expect(target, `${link} is not an absolute link into ${REPO}`).toBeDefined();
      const [path, anchor] = target!.split('#');
      expect(existsSync(join(ROOT, path!)), `${link}: no ${path} in the repository`).toBe(true);
      // A #section is one of the file's headings, as GitHub names them (lower case, spaces to '-', punctuation dropped).
      if (anchor !== undefined) {
        const headings = [...readFileSync(join(ROOT, path!), 'utf8').matchAll(/^#+ (.+)$/gm)]
          .map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-'));
        expect(headings, `${link}: no heading '${anchor}' in ${path}`).toContain(anchor);
      }
    }
    expect(readme).toMatch(/## Development\n[\s\S]*CONTRIBUTING\.md[\s\S]*`npm test`/);
  });

  it('`npx deepvis layers` lists the layers, quietly with -q; the CLI never sends users to `npm ci`', () => {
    const r = user.run('npx', ['--no-install', 'deepvis', 'layers', '-q'], { timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/conv/i);
    expect(r.stderr).toBe('');
    const cli = readFileSync(join(user.dir, 'node_modules/deepvis/dist/cli.js'), 'utf8');
    expect(cli).not.toMatch(/npm ci/);
  });

  it('ships source maps without the sources inside them', () => {
    const listing = execFileSync('tar', ['-tzf', inject('tarball')], { encoding: 'utf8' }).split('\n');
    const maps = listing.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const m of maps) expect(JSON.parse(readFileSync(join(user.dir, 'node_modules/deepvis', m.replace(/^package\//, '')), 'utf8')).sourcesContent, m).toBeUndefined();
  });
});
