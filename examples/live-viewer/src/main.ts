// The live viewer page: controls, keys, the frame loop and the debug hook. The library does
// the work (see pipeline.ts); this file only wires the DOM to it.
import * as tf from '@tensorflow/tfjs-core';
import { ATTRIBUTION_METHODS, toNet, type LayerInfo, type Net } from './deepvis';
import { BACKENDS, selectBackend, type BackendName } from './backend';
import { freeze, grab, hasFrame, openImage, openVideoFile, openWebcam, type Source } from './input';
import { INPUT_RANGES, disposeModel, loadDarknet, loadFromFiles, loadFromUrl, type LoadedModel } from './model';
import { renderFrame, type BackwardMode, type FrameResult, type LayerGrid, type Panes, type ViewState } from './pipeline';
import { installDebugHook, type Snapshot } from './debug';
import { setupOptimizer, type Optimizer } from './optimized';

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
};
const ui = {
  status: $('status'),
  error: $('error'),
  source: $<HTMLSelectElement>('source'),
  imageUrl: $<HTMLInputElement>('image-url'),
  mediaFile: $<HTMLInputElement>('media-file'),
  freeze: $<HTMLButtonElement>('freeze'),
  size: $<HTMLInputElement>('size'),
  modelSource: $<HTMLSelectElement>('model-source'),
  modelUrl: $<HTMLInputElement>('model-url'),
  labelsUrl: $<HTMLInputElement>('labels-url'),
  modelFiles: $<HTMLInputElement>('model-files'),
  modelLoad: $<HTMLButtonElement>('model-load'),
  range: $<HTMLSelectElement>('range'),
  backend: $<HTMLSelectElement>('backend'),
  layer: $<HTMLSelectElement>('layer'),
  normalize: $<HTMLSelectElement>('normalize'),
  boost: $<HTMLSelectElement>('boost'),
  gamma: $<HTMLSelectElement>('gamma'),
  backwardOn: $<HTMLInputElement>('backward-on'),
  mode: $<HTMLSelectElement>('mode'),
  filter: $<HTMLSelectElement>('filter'),
  seed: $<HTMLSelectElement>('seed'),
  predictions: $<HTMLOListElement>('predictions'),
  inputCaption: $('input-caption'),
  gridCaption: $('grid-caption'),
  unitCaption: $('unit-caption'),
  backwardCaption: $('backward-caption'),
};
const panes: Panes = {
  input: $<HTMLCanvasElement>('input-canvas'),
  grid: $<HTMLCanvasElement>('grid'),
  unit: $<HTMLCanvasElement>('unit'),
  backward: $<HTMLCanvasElement>('backward'),
};

const state: ViewState = {
  layer: params.get('layer') ?? '',
  selected: Number(params.get('unit') ?? 0),
  pinned: null,
  mode: (params.get('mode') as BackwardMode | null) ?? 'guided',
  filter: (params.get('filter') as ViewState['filter'] | null) ?? 'norm',
  seed: (params.get('seed') as ViewState['seed'] | null) ?? 'unit',
  normalize: 'layer',
  boost: 0,
  gamma: 1,
  backwardOn: params.get('backward') !== '0',
  size: Number(params.get('size') ?? 224),
};

// ---- what is running -------------------------------------------------------------------
let backend: BackendName = (params.get('backend') as BackendName | null) ?? 'webgl';
let backendDetail = '';
let loader: () => Promise<LoadedModel> = loadDarknet;
let loaded: LoadedModel | null = null;
let optimizer: Optimizer | null = null;
let net: Net | null = null;
let rangeName = params.get('range') ?? '[0, 1]';
/** The frame source, and the live one behind it while a frame is frozen. */
let source: Source | null = null;
let liveSource: Source | null = null;
let ready = false;
let dirty = true;
let busy = false;
let frames = 0;
/** Frames begun (a frame in flight when a test asks for the next one does not count). */
let started = 0;
let timer: number | undefined;
/** How often an idle viewer (no frame yet, or a still source) looks again, in ms. */
const IDLE_MS = 50;
let grid: LayerGrid | null = null;
/** Median time of the recent frames in the pipeline, ms. */
let frameMs = 0;
/** Frames per second over the recent frames. */
let fps = 0;
let lastError = '';
/** Whether the error shown came from a frame (cleared by the next good frame) or from a person's action. */
let frameError = false;
/** End times and durations of the last few frames (a median ignores the slow first ones). */
const frameTimes: number[] = [];
const frameDurations: number[] = [];
const RECENT = 10;
const frameWaiters: { after: number; resolve: (s: Snapshot) => void }[] = [];

/** Reconfigurations and frames run one at a time, in order. */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn);
  queue = run.catch(() => undefined);
  return run;
}

function showError(e: unknown): void {
  lastError = e instanceof Error ? e.message : String(e);
  ui.error.textContent = lastError;
  console.error(e);
}
function clearError(): void {
  lastError = '';
  ui.error.textContent = '';
}
function invalidate(): void {
  dirty = true;
  if (!busy) kick(0);
}

// ---- model, net, backend ---------------------------------------------------------------
/** Layers the grid can show: `[h, w, c]` maps and `[n]` vectors. */
function viewableLayers(n: Net): LayerInfo[] {
  return n.layers.filter((l) => l.outputShape.length === 3 || l.outputShape.length === 1);
}

async function buildNet(): Promise<void> {
  await optimizer?.stop(); // it runs on the net about to go
  net?.dispose();
  net = null;
  if (!loaded) return;
  net = toNet(loaded.model, { inputRange: INPUT_RANGES[rangeName] });
  const shown = viewableLayers(net);
  // Units per layer only: the map size depends on the input size (the grid caption shows it).
  ui.layer.replaceChildren(...shown.map((l) => new Option(`${l.name} (${l.outputShape[l.outputShape.length - 1] ?? '?'})`, l.name)));
  if (!shown.some((l) => l.name === state.layer)) {
    const rect = shown.filter((l) => l.outputShape.length === 3 && l.activation && /relu/i.test(l.activation));
    state.layer = (rect.length ? rect[Math.floor(rect.length / 2)] : shown[shown.length - 1]).name;
  }
  ui.layer.value = state.layer;
  const [h] = net.inputShape;
  ui.size.disabled = !net.fullyConvolutional && h !== null;
  if (ui.size.disabled) state.size = h!;
  ui.size.value = String(state.size);
  invalidate();
}

/** Stops the optimizer and releases the net and the model (their tensors belong to the current backend). */
async function dropModel(): Promise<void> {
  ready = false;
  await optimizer?.stop();
  net?.dispose();
  net = null;
  disposeModel(loaded);
  loaded = null;
}

async function reloadModel(): Promise<void> {
  await dropModel();
  ui.status.textContent = 'loading the model…';
  loaded = await loader();
  await buildNet();
  ready = true;
}

async function switchBackend(name: BackendName): Promise<void> {
  // Tensors belong to a backend: drop the net and model, select, then load them again.
  await dropModel();
  try {
    backendDetail = await selectBackend(name);
    backend = name;
  } catch (e) {
    // Say why, and go on with the backend we had (or the first that works).
    showError(e);
    const fallbacks = [...new Set<BackendName>([backend, 'webgl', 'wasm'])].filter((b) => b !== name);
    for (const b of fallbacks) {
      try {
        backendDetail = await selectBackend(b);
        backend = b;
        break;
      } catch {
        // try the next one
      }
    }
  }
  ui.backend.value = backend;
  await reloadModel();
}

// ---- input -----------------------------------------------------------------------------
async function setSource(next: Promise<Source>): Promise<void> {
  const s = await next;
  source?.close();
  if (liveSource && liveSource !== source) liveSource.close();
  source = s;
  liveSource = null;
  ui.freeze.textContent = 'freeze';
  ui.inputCaption.textContent = s.kind;
  clearError();
  invalidate();
}

function toggleFreeze(): void {
  if (liveSource) {
    source = liveSource;
    liveSource = null;
  } else if (source?.live && hasFrame(source)) {
    liveSource = source;
    source = freeze(source);
  }
  ui.freeze.textContent = liveSource ? 'unfreeze' : 'freeze';
  ui.inputCaption.textContent = source?.kind ?? '';
  invalidate();
}

async function openFromUi(): Promise<void> {
  const kind = ui.source.value;
  ui.imageUrl.hidden = kind !== 'image-url';
  if (kind === 'webcam') await setSource(openWebcam());
  else if (kind === 'sample') await setSource(openImage(`/samples/${params.get('sample') ?? 'dog'}.jpg`));
  else if (kind === 'image-url' && ui.imageUrl.value) await setSource(openImage(ui.imageUrl.value));
  else if (kind === 'image-file' || kind === 'video-file') {
    ui.mediaFile.accept = kind === 'image-file' ? 'image/*' : 'video/*';
    ui.mediaFile.click();
  }
}

// ---- selection -------------------------------------------------------------------------
function select(unit: number): void {
  const n = grid?.channels ?? Infinity;
  state.selected = Math.max(0, Math.min(n - 1, Math.round(unit)));
  invalidate();
}

function setLayer(name: string): void {
  if (!net || !net.layers.some((l) => l.name === name)) throw new Error(`no layer ${name}`);
  state.layer = name;
  state.selected = 0;
  state.pinned = null;
  grid = null;
  ui.layer.value = name;
  invalidate();
}

function cycle(select: HTMLSelectElement, step = 1): void {
  select.selectedIndex = (select.selectedIndex + step + select.options.length) % select.options.length;
  select.dispatchEvent(new Event('change'));
}

// ---- the frame loop --------------------------------------------------------------------
function snapshotOf(frame: number): Snapshot {
  return { frame, tensors: tf.memory().numTensors, ...canvasHashes() };
}

function canvasHashes(): Omit<Snapshot, 'frame' | 'tensors'> {
  const read = (c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    const mean = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      for (let k = 0; k < 3; k++) {
        h = Math.imul(h ^ data[i + k], 0x01000193);
        mean[k] += data[i + k];
      }
    }
    const n = data.length / 4;
    return { hash: (h >>> 0).toString(16), mean: mean.map((m) => m / n), width: c.width, height: c.height };
  };
  return { input: read(panes.input), grid: read(panes.grid), unit: read(panes.unit), backward: read(panes.backward) };
}

function onFrame(r: FrameResult, id: number): void {
  frames++;
  grid = r.grid;
  if (state.selected >= r.grid.channels) state.selected = r.grid.channels - 1;
  const now = performance.now();
  frameTimes.push(now);
  frameDurations.push(r.totalMs);
  if (frameTimes.length > RECENT) { frameTimes.shift(); frameDurations.shift(); }
  const n = frameTimes.length;
  fps = n > 1 ? ((n - 1) * 1000) / (frameTimes[n - 1] - frameTimes[0]) : 0;
  frameMs = [...frameDurations].sort((a, b) => a - b)[Math.floor(n / 2)];

  const g = r.grid;
  ui.gridCaption.textContent = `${state.layer} · ${g.channels} units ${g.spatial ? `of ${g.tileHeight}×${g.tileWidth}` : '(fully connected)'} · ${g.layout.cols}×${g.layout.rows} tiles`;
  ui.unitCaption.textContent = `#${state.selected} of ${g.channels}`;
  ui.backwardCaption.textContent = r.backwardCaption;
  ui.predictions.replaceChildren(...r.predictions.map((p) => {
    const li = document.createElement('li');
    li.textContent = `${(100 * p.probability).toFixed(1).padStart(5)}%  ${p.label}`;
    return li;
  }));
  ui.status.textContent = `${backendDetail} · ${fps.toFixed(1)} fps · ${frameMs.toFixed(0)} ms/frame` +
    `${state.backwardOn ? ' with backward' : ''} · ${tf.memory().numTensors} tensors · frame ${frames}`;
  const due = frameWaiters.filter((w) => w.after < id);
  if (due.length) {
    const snap = snapshotOf(frames);
    for (const w of due) {
      frameWaiters.splice(frameWaiters.indexOf(w), 1);
      w.resolve(snap);
    }
  }
}

async function step(): Promise<void> {
  if (!net || !source || !ready || !hasFrame(source)) return;
  dirty = false;
  const id = ++started;
  const t0 = performance.now();
  const pixels = grab(source, state.size);
  try {
    const result = await renderFrame(net, pixels, state, panes, loaded?.labels ?? []);
    onFrame({ ...result, totalMs: performance.now() - t0 }, id); // the frame's time includes grabbing it
    if (frameError) { clearError(); frameError = false; }
  } finally {
    pixels.dispose();
  }
}

/**
 * The loop: a live source runs frame after frame (each frame awaits its readback, so the
 * page keeps rendering in between); a still one runs only when something changed.
 */
function tick(): void {
  timer = undefined;
  if (busy) return;
  if (!ready || !source || !hasFrame(source) || (!source.live && !dirty)) return kick(IDLE_MS);
  busy = true;
  serial(step).catch((e) => { showError(e); frameError = true; }).finally(() => { busy = false; kick(0); });
}

function kick(delay: number): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = window.setTimeout(tick, delay);
}

// ---- wiring ----------------------------------------------------------------------------
function wire(): void {
  ui.range.replaceChildren(...Object.keys(INPUT_RANGES).map((k) => new Option(k, k)));
  ui.range.value = rangeName;
  ui.backend.replaceChildren(...BACKENDS.map((b) => new Option(b, b)));
  ui.backend.value = backend;
  ui.mode.replaceChildren(...ATTRIBUTION_METHODS.map((m) => new Option(m.label, m.name)));
  ui.mode.value = state.mode;
  ui.filter.value = state.filter;
  ui.seed.value = state.seed;
  ui.backwardOn.checked = state.backwardOn;

  ui.source.addEventListener('change', () => void serial(openFromUi).catch(showError));
  ui.imageUrl.addEventListener('change', () => void serial(openFromUi).catch(showError));
  ui.mediaFile.addEventListener('change', () => {
    const f = ui.mediaFile.files?.[0];
    if (f) void serial(() => setSource(f.type.startsWith('video/') ? openVideoFile(f) : openImage(f))).catch(showError);
  });
  ui.freeze.addEventListener('click', toggleFreeze);
  ui.size.addEventListener('change', () => {
    const v = Math.round(Number(ui.size.value));
    if (v >= 16 && v <= 1024) { state.size = v; invalidate(); }
  });

  const modelInputs = () => {
    const kind = ui.modelSource.value;
    ui.modelUrl.hidden = ui.labelsUrl.hidden = kind !== 'url';
    ui.modelFiles.hidden = kind !== 'files';
    ui.modelLoad.hidden = kind === 'files';
  };
  ui.modelSource.addEventListener('change', () => {
    modelInputs();
    if (ui.modelSource.value === 'darknet') ui.modelLoad.click();
  });
  ui.modelLoad.addEventListener('click', () => {
    const kind = ui.modelSource.value;
    if (kind === 'url' && !ui.modelUrl.value) return showError('Enter the URL of a model.json.');
    const url = ui.modelUrl.value;
    const labels = ui.labelsUrl.value || null;
    loader = kind === 'url' ? () => loadFromUrl(url, labels) : loadDarknet;
    void serial(reloadModel).then(clearError, showError);
  });
  ui.modelFiles.addEventListener('change', () => {
    const files = Array.from(ui.modelFiles.files ?? []);
    if (!files.length) return;
    loader = () => loadFromFiles(files);
    void serial(reloadModel).then(clearError, showError);
  });
  modelInputs();
  ui.range.addEventListener('change', () => {
    rangeName = ui.range.value;
    void serial(buildNet).catch(showError);
  });
  ui.backend.addEventListener('change', () => void serial(() => switchBackend(ui.backend.value as BackendName)).catch(showError));

  ui.layer.addEventListener('change', () => setLayer(ui.layer.value));
  ui.normalize.addEventListener('change', () => { state.normalize = ui.normalize.value as ViewState['normalize']; invalidate(); });
  ui.boost.addEventListener('change', () => { state.boost = Number(ui.boost.value); invalidate(); });
  ui.gamma.addEventListener('change', () => { state.gamma = Number(ui.gamma.value); invalidate(); });
  ui.backwardOn.addEventListener('change', () => { state.backwardOn = ui.backwardOn.checked; invalidate(); });
  ui.mode.addEventListener('change', () => { state.mode = ui.mode.value as BackwardMode; invalidate(); });
  ui.filter.addEventListener('change', () => { state.filter = ui.filter.value as ViewState['filter']; invalidate(); });
  ui.seed.addEventListener('change', () => { state.seed = ui.seed.value as ViewState['seed']; invalidate(); });

  panes.grid.addEventListener('click', (e) => {
    if (!grid) return;
    const rect = panes.grid.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) * panes.grid.width) / rect.width);
    const y = Math.floor(((e.clientY - rect.top) * panes.grid.height) / rect.height);
    const unit = grid.layout.channelAt(y, x);
    if (unit !== null) select(unit);
    panes.grid.focus();
  });

  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) return;
    const cols = grid?.layout.cols ?? 1;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
    if (e.key in moves) select(state.selected + moves[e.key]);
    else if (e.key === ',' || e.key === '.') cycle(ui.layer, e.key === ',' ? -1 : 1);
    else if (e.key === ' ') toggleFreeze();
    else if (e.key === 'b') cycle(ui.mode);
    else if (e.key === 'f') cycle(ui.filter);
    else if (e.key === 's') cycle(ui.seed);
    else if (e.key === 'n') cycle(ui.normalize);
    else if (e.key === 'p') { state.pinned = state.pinned === null ? state.selected : null; invalidate(); }
    else if (e.key === 'o') $<HTMLButtonElement>('optimize').click();
    else return;
    e.preventDefault();
  });
  addEventListener('pagehide', () => { source?.close(); liveSource?.close(); });
}

async function main(): Promise<void> {
  wire();
  installDebugHook({
    get ready() { return ready; },
    get frames() { return frames; },
    numTensors: () => tf.memory().numTensors,
    get selected() { return state.selected; },
    get pinned() { return state.pinned; },
    get layer() { return state.layer; },
    get backend() { return tf.getBackend(); },
    get fps() { return fps; },
    get frameMs() { return frameMs; },
    get error() { return lastError; },
    get grid() {
      return grid && { channels: grid.channels, tileHeight: grid.tileHeight, tileWidth: grid.tileWidth, cols: grid.layout.cols, rows: grid.layout.rows, width: grid.layout.width, height: grid.layout.height };
    },
    select,
    setLayer,
    freeze: toggleFreeze,
    get frozen() { return liveSource !== null; },
    get optimizing() { return optimizer?.running ?? false; },
    nextFrame: () => new Promise<Snapshot>((resolve) => { frameWaiters.push({ after: started, resolve }); invalidate(); }),
  });
  optimizer = setupOptimizer({
    button: $<HTMLButtonElement>('optimize'),
    steps: $<HTMLSelectElement>('optimize-steps'),
    canvas: $<HTMLCanvasElement>('optimized'),
    caption: $('optimized-caption'),
    current: () => (net ? { net, layer: state.layer, unit: state.selected, size: state.size } : null),
    onError: showError,
  });
  ui.source.value = params.get('input') ?? 'webcam';
  ui.imageUrl.value = params.get('image') ?? '';
  try {
    await serial(() => switchBackend(backend));
  } catch (e) {
    showError(e);
    return;
  }
  kick(0);
  try {
    await serial(openFromUi);
  } catch (e) {
    // No camera (or it was refused): fall back to a sample photo so the page still shows something.
    showError(e);
    if (ui.source.value === 'webcam') {
      ui.source.value = 'sample';
      await serial(openFromUi).catch(showError);
    }
  }
}

void main();
