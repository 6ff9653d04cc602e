import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAtlas } from '../../dataset/atlas';
import { missingWeightFiles } from '../../net/model-files';
import { int, str, type OptionTable } from '../args';
import type { Command } from '../command';
import { inputError, usageError } from '../errors';
import { serveFiles, type Mount } from '../serve';

const options: OptionTable = {
  model: { type: 'string', value: 'PATH|URL', help: 'model.json of a tfjs model (a path, a folder holding model.json, or an http(s) URL that allows CORS). Default: Darknet-Tiny (ImageNet), shipped with deepvis.' },
  labels: { type: 'string', value: 'FILE', help: 'class names: a JSON array, objects with a name, or { "0": name }. Default: labels.json beside the model.' },
  atlas: { type: 'string', value: 'DIR', help: "a unit atlas folder (atlas.json, as 'deepvis topk' writes it) for the per-unit column." },
  port: { type: 'string', value: 'N', help: 'the port on 127.0.0.1. Default: a free one.' },
  open: { type: 'boolean', help: 'open the page in the default browser.' },
  quiet: { type: 'boolean', short: 'q', help: 'print only the URL.' },
  help: { type: 'boolean', short: 'h', help: 'show this help.' },
};

/** The prebuilt viewer: dist/viewer-app beside the built CLI, or in the repository after `npm run build`. */
function appFolder(): string {
  const candidates = [new URL('./viewer-app/', import.meta.url), new URL('../../../dist/viewer-app/', import.meta.url)];
  for (const url of candidates) {
    if (url.protocol === 'file:' && existsSync(join(fileURLToPath(url), 'index.html'))) return fileURLToPath(url);
  }
  throw inputError('The prebuilt viewer is missing from this deepvis.', "In a clone of the repository, run 'npm run build' first.");
}

/** The mount and page parameters for `--model`: a served folder with the files model.json lists, or a URL as is. */
function modelMount(spec: string): { mount?: Mount; params: Record<string, string>; labelsBeside?: string } {
  if (/^https?:\/\//i.test(spec)) return { params: { model: spec } };
  const path = existsSync(spec) && statSync(spec).isDirectory() ? join(spec, 'model.json') : spec;
  if (!existsSync(path)) throw inputError(`Model file not found: '${spec}'.`, 'Give --model the path to a TensorFlow.js model.json, or leave it out for Darknet-Tiny.');
  let json: { modelTopology?: unknown; weightsManifest?: { paths: string[] }[] };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw inputError(`Cannot read '${spec}' as JSON: ${(e as Error).message}`, 'Give --model a TensorFlow.js model.json.');
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw inputError(`'${spec}' is not a TensorFlow.js model.json (no modelTopology).`);
  const dir = dirname(path);
  const listed = (json.weightsManifest ?? []).flatMap((g) => g.paths);
  const missing = missingWeightFiles(json, listed.filter((p) => existsSync(join(dir, p))).map((p) => basename(p)));
  if (missing.length > 0) throw inputError(`'${spec}' lists weight files that are not beside it: ${missing.join(', ')}.`, 'Copy them next to model.json.');
  const labels = join(dir, 'labels.json');
  const only = new Set([basename(path), ...listed, ...(existsSync(labels) ? ['labels.json'] : [])]);
  return {
    mount: { prefix: '/model/', dir, only },
    params: { model: `model/${basename(path)}`, ...(existsSync(labels) ? { labels: 'model/labels.json' } : {}) },
  };
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    spawn(cmd, args as string[], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
  } catch {
    // The URL is printed anyway.
  }
}

/** `deepvis viewer`: the live viewer in the browser, served from the package. */
export const viewerCommand: Command = {
  name: 'viewer',
  summary: 'the live viewer (webcam → layers, units, backward views, top-5, per-unit top images) in your browser',
  description: 'Serves the prebuilt viewer shipped in the package and the model on 127.0.0.1 only, prints the URL, ' +
    'and runs until Ctrl-C. Offline: the page, Darknet-Tiny and the tfjs wasm files come from the package. ' +
    "With --atlas, the per-unit column shows each unit's top images from 'deepvis topk'.",
  options,
  examples: [
    'deepvis viewer --open',
    'deepvis topk --model ../shared/models/darknet-tiny-imagenet-tfjs/model.json --images ../shared/images --out atlas && deepvis viewer --atlas atlas',
    'deepvis viewer --model ../shared/models/darknet-tiny-imagenet-tfjs --port 8080',
  ],
  async run(values, io) {
    const port = int(values, 'port', { min: 0, max: 65535 }) ?? 0;
    const mounts: Mount[] = [];
    const params: Record<string, string> = {};
    const modelSpec = str(values, 'model');
    if (modelSpec !== undefined) {
      const m = modelMount(modelSpec);
      if (m.mount) mounts.push(m.mount);
      Object.assign(params, m.params);
    }
    const labels = str(values, 'labels');
    if (labels !== undefined) {
      if (!existsSync(labels) || !statSync(labels).isFile()) throw inputError(`Labels file not found: '${labels}'.`);
      mounts.push({ prefix: '/labels/', dir: dirname(labels), only: new Set([basename(labels)]) });
      params.labels = `labels/${basename(labels)}`;
      if (!params.model) throw usageError('--labels names the classes of a model given with --model.', 'Darknet-Tiny comes with its labels.');
    }
    const atlas = str(values, 'atlas');
    if (atlas !== undefined) {
      const file = join(atlas, 'atlas.json');
      if (!existsSync(file)) throw inputError(`No atlas.json in '${atlas}'.`, "Give --atlas the --out folder of 'deepvis topk'.");
      try {
        parseAtlas(JSON.parse(readFileSync(file, 'utf8')));
      } catch (e) {
        throw inputError(`'${file}': ${(e as Error).message}`);
      }
      mounts.push({ prefix: '/atlas/', dir: atlas });
      params.atlas = 'atlas/';
    }
    mounts.push({ prefix: '/', dir: appFolder() });
    let served: Awaited<ReturnType<typeof serveFiles>>;
    try {
      served = await serveFiles(mounts, port);
    } catch (e) {
      throw inputError(`Cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`, 'Choose another --port (or leave it out for a free one).');
    }
    const query = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2F/g, '/')}`).join('&');
    const url = `http://127.0.0.1:${served.port}/${query ? `?${query}` : ''}`;
    io.out.write(`${url}\n`);
    if (values.quiet !== true) io.err.write('deepvis viewer: serving on 127.0.0.1 only; Ctrl-C stops it.\n');
    if (values.open === true) openBrowser(url);
    await new Promise<void>((resolve) => {
      const stop = () => served.server.close(() => resolve());
      process.once('SIGTERM', stop);
      served.server.on('close', () => process.off('SIGTERM', stop));
    });
    return null;
  },
};
