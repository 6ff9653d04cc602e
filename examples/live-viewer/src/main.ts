// The live viewer page: deepvis/viewer mounted on the whole page, configured from the URL
// (`?model=…&labels=…&atlas=…&input=webcam|sample|image&sample=dog&image=URL&backend=…`,
// plus the state: layer, unit, mode, filter, seed, normalize, boost, gamma, backward, size).
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { parseInputRange, samplePhotos } from 'deepvis';
import { mountViewer, stateFromParams, type InputSpec, type ModelSpec } from 'deepvis/viewer';
import { installDebugHook } from './debug';

const params = new URLSearchParams(location.search);
const here = (path: string) => new URL(path, location.href).href;
const { state, ignored } = stateFromParams(params);
const notices = ignored.map((why) => `Ignoring ${why}`);

let model: ModelSpec | undefined;
const modelUrl = params.get('model');
if (modelUrl) {
  let inputRange;
  try {
    inputRange = parseInputRange(params.get('range') ?? '0,1');
  } catch (e) {
    notices.push(`Ignoring range=${params.get('range')}: ${(e as Error).message}`);
  }
  const labels = params.get('labels');
  model = { url: here(modelUrl), ...(labels ? { labels: here(labels) } : {}), ...(inputRange ? { inputRange } : {}) };
}

const photos = Object.fromEntries(samplePhotos().map((p) => [p.name, p.url.href]));
const kind = params.get('input') ?? 'webcam';
const sample = params.get('sample') ?? 'dog';
let input: InputSpec = 'webcam';
if (kind === 'sample') {
  if (photos[sample]) input = { image: photos[sample] };
  else notices.push(`Ignoring sample=${sample}: the photos are ${Object.keys(photos).join(', ')}.`);
} else if (kind === 'image' && params.get('image')) input = { image: params.get('image')! };
else if (kind !== 'webcam') notices.push(`Ignoring input=${kind}: use webcam, sample or image.`);

const viewer = mountViewer(document.getElementById('viewer')!, {
  model,
  input,
  samples: photos,
  backend: params.get('backend') ?? 'webgl',
  backends: {
    // Loaded only when chosen.
    webgpu: async () => {
      if (!('gpu' in navigator)) throw new Error('WebGPU is not available in this browser (navigator.gpu is missing).');
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) throw new Error('The webgpu backend could not initialise here.');
      await tf.ready();
      return 'webgpu';
    },
  },
  // The build copies the tfjs wasm binaries here (and the dev server serves them).
  wasmPaths: here('tfjs-wasm/'),
  loadGraphModel,
  state,
  atlas: params.get('atlas') ?? undefined,
  notices,
});
installDebugHook(viewer);
