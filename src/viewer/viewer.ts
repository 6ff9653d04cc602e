// The viewer: controls, panes, the frame loop and the handle. The panes draw; this file only
// keeps the state, runs frames one at a time and wires the controls to the state.
import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';
import { INPUT_RANGES } from '../net/input-ranges';
import { defaultViewerLayer, viewableLayers } from '../net/shortlist';
import { toNet } from '../net/to-net';
import type { InputRange, Net } from '../net/types';
import { activeBackend } from '../backends/capabilities';
import { defaultBackends, type BackendSetup } from './backends';
import { el, select } from './dom';
import { runFrame } from './frame';
import { samplePhotos } from '../default-model/photos';
import { IMAGENET_MODEL_SPEC, loadModelSpec, type GraphModelLoader, type LoadedModel, type ModelSpec } from './models';
import type { AttributionMethod } from '../attribution/types';
import { BACKWARD_MODES, backwardPane } from './panes/backward';
import { gridPane } from './panes/grid';
import { inputPane } from './panes/input';
import { optimizedPane, STYLE_LABELS } from './panes/optimized';
import { unitCaption, type FramePane, type LayerGrid } from './panes/pane';
import { predictionsPane } from './panes/predictions';
import { unitPane } from './panes/unit';
import { unitColumn } from './panes/unit-column';
import { freeze, grab, hasFrame, openSource, type InputSpec, type Source } from './sources';
import { SIZE_RANGE, STATE_CHOICES, viewerState, type ViewerState } from './state';
import { injectViewerCss } from './style';

/** Options of {@link mountViewer}. */
export interface ViewerOptions {
  /** The model shown first. Default: the first of `models`. */
  model?: ModelSpec;
  /**
   * Models offered by name in the model menu (beside "model.json URL" and "local files").
   * Default: Darknet-Tiny (ImageNet), shipped with deepvis ({@link IMAGENET_MODEL_SPEC}).
   */
  models?: Readonly<Record<string, ModelSpec>>;
  /** What is shown first. Default `'webcam'` (a refused camera says why and shows the first sample). */
  input?: InputSpec;
  /** Photos offered by name in the input menu (URLs). Default: the twelve photos shipped with deepvis. */
  samples?: Readonly<Record<string, string>>;
  /** The backend to start on. Default: the first the viewer offers (WebGL). */
  backend?: string;
  /** Backends beside webgl and wasm (e.g. `{ webgpu: async () => … }`), each selecting itself and saying what it got. */
  backends?: Readonly<Record<string, BackendSetup>>;
  /** Where the tfjs wasm binaries are served (a folder URL ending in `/`). */
  wasmPaths?: string;
  /** Loads graph models (`loadGraphModel` of @tensorflow/tfjs-converter); layers models need nothing. */
  loadGraphModel?: GraphModelLoader;
  /** The state to open with (layer, unit, backward mode…). */
  state?: Partial<ViewerState>;
  /** A unit atlas folder URL (ending in `/`, holding atlas.json) for the per-unit column. */
  atlas?: string;
  /** The backward pane's modes. Default {@link BACKWARD_MODES}: every registered attribution method. */
  modes?: readonly AttributionMethod[];
  /** Messages to show from the start (e.g. URL parameters that were ignored). */
  notices?: readonly string[];
}

/** What one frame showed, for `nextFrame` and the `frame` event. */
export interface FrameInfo {
  /** Frames drawn so far. */
  readonly frame: number;
  /** Milliseconds the frame took, from grabbing the input to the last pane drawn. */
  readonly ms: number;
  /** `tf.memory().numTensors` right after the frame. */
  readonly tensors: number;
}

/** The viewer's events and what each carries. */
export interface ViewerEvents {
  /** A unit was selected (click, keys, `selectUnit`), or the layer changed. */
  unitselected: { readonly layer: string; readonly unit: number; readonly name: string };
  /** A frame was drawn. */
  frame: FrameInfo;
  /** Something failed; `message` is also shown in the viewer. */
  error: { readonly message: string; readonly topic: string };
  /** A model was loaded and is shown. */
  model: { readonly name: string; readonly classes: number };
}

/** What the viewer is doing, for status lines and tests. */
export interface ViewerInfo {
  /** A model is loaded and frames may run. */
  readonly ready: boolean;
  readonly frames: number;
  readonly fps: number;
  /** Median time of the recent frames, ms. */
  readonly frameMs: number;
  /** tfjs' backend now. */
  readonly backend: string;
  readonly grid: { channels: number; tileHeight: number; tileWidth: number; cols: number; rows: number; width: number; height: number } | null;
  /** The messages shown now, joined ('' when none). */
  readonly error: string;
  readonly frozen: boolean;
  readonly optimizing: boolean;
  /** The input shown: 'webcam', 'video', 'image' or 'frozen' ('' before one opens). */
  readonly input: string;
  /** The model's name ('' before one loads). */
  readonly model: string;
}

/** The handle {@link mountViewer} returns. */
export interface ViewerHandle {
  /** The viewer's root element (inside the container). */
  readonly element: HTMLElement;
  /** The state now (read only: change it through the methods). */
  readonly state: Readonly<ViewerState>;
  readonly info: ViewerInfo;
  /** Resolves once the first model is loaded and the first input opened (or failed, with a message shown). */
  readonly ready: Promise<void>;
  /** Loads a model; the one shown stays until the new one has loaded (a failure keeps it and says why). */
  setModel(spec: ModelSpec): Promise<void>;
  /** Opens an input; the one shown stays until the new one is open. */
  setInput(spec: InputSpec): Promise<void>;
  /** Switches the backend (the model is reloaded on it). */
  setBackend(name: string): Promise<void>;
  /** Selects a unit, optionally on another layer. */
  selectUnit(unit: number, layer?: string): void;
  /** Changes any part of the state (checked as `viewerState` checks it). */
  setState(partial: Partial<ViewerState>): void;
  /** Freezes or unfreezes the frame (toggles without an argument). */
  freeze(on?: boolean): void;
  /** Starts or stops optimizing the selected unit's image. */
  toggleOptimize(): void;
  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof ViewerEvents>(event: E, listener: (detail: ViewerEvents[E]) => void): () => void;
  /** Resolves right after the next frame begun after the call is drawn (one runs even on a still input). */
  nextFrame(): Promise<FrameInfo>;
  /** Stops everything, releases the camera, the model and every tensor, and removes the viewer. */
  dispose(): Promise<void>;
}

/** How often an idle viewer (no frame yet, or a still input) looks again, in ms. */
const IDLE_MS = 50;
const RECENT = 10;

/**
 * Mounts the live viewer into `container`: the input, the chosen layer's units as a grid,
 * the selected unit enlarged, its backward view, the top-5 classes, its optimized image and,
 * with an atlas, its top-9 dataset images. Framework-agnostic: call it from any page, and
 * `dispose()` the handle when the element goes. Its CSS is added to the document once.
 *
 * @example
 * ```ts
 * import { mountViewer } from 'deepvis/viewer';
 * // The webcam through Darknet-Tiny (shipped with deepvis), offline.
 * const viewer = mountViewer(document.getElementById('viewer')!);
 * // Or your model: mountViewer(el, { model: { url: '/models/mine/model.json', labels: '/models/mine/labels.json' } })
 * viewer.on('unitselected', ({ layer, unit, name }) => console.log(layer, unit, name));
 * await viewer.ready;
 * viewer.selectUnit(12, 'leaky_re_lu_5');
 * ```
 */
export function mountViewer(container: HTMLElement, options: ViewerOptions = {}): ViewerHandle {
  if (!(container instanceof HTMLElement)) throw new DeepvisError('BAD_OPTION', 'mountViewer needs an element to mount into (got no HTMLElement).');
  injectViewerCss(container.ownerDocument);
  const modes = options.modes ?? BACKWARD_MODES;
  const state = viewerState(options.state);
  if (!modes.some((m) => m.name === state.mode)) state.mode = modes[0].name;
  const backends: Record<string, BackendSetup> = { ...defaultBackends(options.wasmPaths), ...options.backends };
  const models = options.models ?? { [IMAGENET_MODEL_SPEC.name!]: IMAGENET_MODEL_SPEC };
  const samples = options.samples ?? Object.fromEntries(samplePhotos().map((p) => [p.name, p.url.href]));

  // ---- what is running -----------------------------------------------------------------
  let backend = options.backend ?? Object.keys(backends)[0];
  let backendDetail = '';
  let loaded: LoadedModel | null = null;
  let net: Net | null = null;
  let modelSpec: ModelSpec | null = null;
  let source: Source | null = null;
  let liveSource: Source | null = null;
  let ready = false;
  let disposed = false;
  let dirty = true;
  let busy = false;
  let frames = 0;
  let started = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let grid: LayerGrid | null = null;
  let frameMs = 0;
  let fps = 0;
  let loading = '';
  const frameTimes: number[] = [];
  const frameDurations: number[] = [];
  const frameWaiters: { after: number; resolve: (f: FrameInfo) => void }[] = [];
  const listeners = new Map<string, Set<(detail: never) => void>>();
  const messages = new Map<string, string>();

  const emit = <E extends keyof ViewerEvents>(event: E, detail: ViewerEvents[E]) => {
    for (const fn of listeners.get(event) ?? []) (fn as (d: ViewerEvents[E]) => void)(detail);
  };

  /** Reconfigurations and frames run one at a time, in order. */
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  }

  // ---- the DOM ---------------------------------------------------------------------------
  const status = el('span', { class: 'dv-status', 'data-dv': 'status', 'aria-live': 'polite' }, 'loading…');
  const messageBox = el('ul', { class: 'dv-messages', 'data-dv': 'messages', role: 'alert', hidden: true });
  const ui = {
    source: select('source', [
      ['webcam', 'webcam'],
      ...Object.keys(samples).map((n) => [`sample:${n}`, `photo: ${n}`] as const),
      ['image-file', 'image file…'],
      ['video-file', 'video file…'],
      ['image-url', 'image URL'],
    ], 'Where frames come from'),
    imageUrl: el('input', { type: 'url', 'data-dv': 'image-url', placeholder: 'https://… (CORS)', hidden: true }),
    mediaFile: el('input', { type: 'file', 'data-dv': 'media-file', accept: 'image/*,video/*', hidden: true }),
    freeze: el('button', { type: 'button', 'data-dv': 'freeze', title: 'Freeze frame (Space)' }, 'freeze'),
    size: el('input', { type: 'number', 'data-dv': 'size', min: SIZE_RANGE.min, max: SIZE_RANGE.max, step: 16, value: String(state.size) }),
    model: select('model', [
      ...Object.keys(models).map((n) => [`named:${n}`, n] as const),
      ['url', 'model.json URL'],
      ['files', 'local files…'],
    ]),
    modelUrl: el('input', { type: 'url', 'data-dv': 'model-url', placeholder: '…/model.json', hidden: true }),
    labelsUrl: el('input', { type: 'url', 'data-dv': 'labels-url', placeholder: 'labels.json URL (optional)', hidden: true }),
    // No `accept` filter: weight shards often have no extension.
    modelFiles: el('input', { type: 'file', 'data-dv': 'model-files', multiple: true, hidden: true, title: 'model.json, every weight shard it lists, optionally a labels .json' }),
    modelLoad: el('button', { type: 'button', 'data-dv': 'model-load', hidden: true }, 'load'),
    range: select('range', Object.keys(INPUT_RANGES).map((k) => [k, k] as const), 'How 0–255 pixels map to the model input'),
    backend: select('backend', Object.keys(backends).map((b) => [b, b] as const)),
    layer: select('layer', [], 'Layer shown in the grid (, and . step through layers)'),
    normalize: select('normalize', STATE_CHOICES.normalize.map((v) => [v, v] as const)),
    boost: select('boost', STATE_CHOICES.boost.map((v) => [String(v), String(v)] as const)),
    gamma: select('gamma', STATE_CHOICES.gamma.map((v) => [String(v), String(v)] as const)),
    backwardOn: el('input', { type: 'checkbox', 'data-dv': 'backward-on', checked: state.backwardOn }),
    mode: select('mode', modes.map((m) => [m.name, m.label] as const), 'b cycles'),
    filter: select('filter', STATE_CHOICES.filter.map((v) => [v, v] as const), 'f cycles'),
    seed: select('seed', [['unit', 'seed: max unit'], ['activation', 'seed: whole map']], 's cycles'),
    optimizeStyle: select('optimize-style', STATE_CHOICES.optimizeStyle.map((v) => [v, STYLE_LABELS[v]] as const), 'Style of the optimized image: a paper preset (Table 1) or the modern style (Fourier, decorrelated colour, transforms, Adam)'),
    optimizeDisplay: select('optimize-display', STATE_CHOICES.optimizeDisplay.map((v) => [v, v] as const), 'norm01c: stretched about the mean image, as the toolbox showed it; raw: the pixels as optimized'),
    optimizeSteps: select('optimize-steps', STATE_CHOICES.optimizeSteps.map((v) => [String(v), String(v)] as const), 'Steps'),
  };
  const label = (text: string, control: HTMLElement) => el('label', {}, `${text} `, control);
  const fieldset = (legend: string, ...children: HTMLElement[]) => el('fieldset', {}, el('legend', {}, legend), ...children);
  const controls = el('form', { class: 'dv-controls' },
    fieldset('Input', ui.source, ui.imageUrl, ui.mediaFile, ui.freeze, label('size', ui.size)),
    fieldset('Model', ui.model, ui.modelUrl, ui.labelsUrl, ui.modelFiles, ui.modelLoad, label('input range', ui.range), label('backend', ui.backend)),
    fieldset('Layer', ui.layer, label('normalize', ui.normalize), label('boost', ui.boost), label('gamma', ui.gamma)),
    fieldset('Backward', el('label', {}, ui.backwardOn, ' live'), ui.mode, ui.filter, ui.seed),
  );

  const input = inputPane();
  const gridP = gridPane((unit) => select_(unit));
  const panes: FramePane[] = [input, predictionsPane(), gridP, unitPane(), backwardPane(modes)];
  const optimized = optimizedPane(
    () => (net ? { net, layer: state.layer, unit: state.selected, size: state.size, style: state.optimizeStyle, steps: state.optimizeSteps } : null),
    () => state.optimizeDisplay,
    (e) => showError('optimize', e),
    ui.optimizeStyle, ui.optimizeDisplay, ui.optimizeSteps,
  );
  const column = unitColumn(options.atlas ?? null, (e) => showError('atlas', e));
  const byName = (n: string) => panes.find((p) => p.name === n)!.element;
  const root = el('div', { class: 'dv-viewer', 'data-dv': 'viewer' },
    el('header', { class: 'dv-bar' }, el('strong', {}, 'deepvis'), status),
    messageBox,
    controls,
    el('div', { class: 'dv-panes' },
      el('div', { class: 'dv-col dv-col-input' }, byName('input'), byName('predictions')),
      el('div', { class: 'dv-col dv-col-grid' }, byName('grid')),
      el('div', { class: 'dv-col dv-col-unit' }, byName('unit'), byName('backward'), optimized.element),
      el('div', { class: 'dv-col dv-col-atlas' }, column.element),
    ),
    el('footer', { class: 'dv-keys' }, 'Keys: ← → ↑ ↓ move the unit · , . previous / next layer · Space freeze · b mode · f filter · s seed · n normalize · p pin the backward unit · o optimize'),
  );
  controls.addEventListener('submit', (e) => e.preventDefault());
  container.append(root);

  // ---- messages: where the person looks, each kept until its cause is gone ----------------
  function renderMessages(): void {
    messageBox.replaceChildren(...[...messages.values()].map((m) => el('li', {}, m)));
    messageBox.hidden = messages.size === 0;
  }
  function showError(topic: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    messages.set(topic, message);
    renderMessages();
    emit('error', { message, topic });
  }
  function clearMessage(topic: string): void {
    if (messages.delete(topic)) renderMessages();
  }
  options.notices?.forEach((n, i) => messages.set(`notice${i}`, n));
  renderMessages();

  function invalidate(): void {
    dirty = true;
    if (!busy) kick(0);
  }

  function renderStatus(): void {
    if (loading) status.textContent = loading;
    else if (!ready) status.textContent = loaded ? 'waiting for the input…' : 'no model';
    else status.textContent = `${loaded?.name ?? ''} · ${backendDetail} · ${fps.toFixed(1)} fps · ${frameMs.toFixed(0)} ms/frame${state.backwardOn ? ' with backward' : ''} · ${tf.memory().numTensors} tensors · frame ${frames}`;
  }

  // ---- model, net, backend -------------------------------------------------------------
  function useNet(next: Net): void {
    net = next;
    const shown = viewableLayers(next);
    ui.layer.replaceChildren(...shown.map((l) => new Option(`${l.name} (${l.outputShape[l.outputShape.length - 1] ?? '?'})`, l.name)));
    if (!shown.some((l) => l.name === state.layer)) {
      if (state.layer) showError('layer', `This model has no layer '${state.layer}': showing ${defaultViewerLayer(next)}.`);
      state.layer = defaultViewerLayer(next);
    }
    ui.layer.value = state.layer;
    const [h] = next.inputShape;
    ui.size.disabled = !next.fullyConvolutional && h !== null;
    if (ui.size.disabled) state.size = h!;
    ui.size.value = String(state.size);
    invalidate();
  }

  /** Compiles the loaded model with the input range into a Net; the old Net goes only once the new one is built. */
  function buildNet(range: InputRange): void {
    if (!loaded) return;
    const next = toNet(loaded.model, { inputRange: range });
    net?.dispose();
    useNet(next);
  }

  /** Loads `spec`; the model shown stays until the new one is ready, and stays if it fails. */
  async function loadModel(spec: ModelSpec): Promise<void> {
    loading = 'loading the model…';
    renderStatus();
    try {
      const next = await loadModelSpec(spec, options.loadGraphModel);
      let nextNet: Net;
      try {
        nextNet = toNet(next.model, { inputRange: next.inputRange });
      } catch (e) {
        (next.model as { dispose?: () => void }).dispose?.();
        throw e;
      }
      await optimized.stop(); // it runs on the net about to go
      net?.dispose();
      (loaded?.model as { dispose?: () => void } | undefined)?.dispose?.();
      loaded = next;
      modelSpec = spec;
      ui.range.value = Object.keys(INPUT_RANGES).find((k) => INPUT_RANGES[k] === next.inputRange || JSON.stringify(INPUT_RANGES[k]) === JSON.stringify(next.inputRange)) ?? ui.range.value;
      useNet(nextNet);
      ready = true;
      clearMessage('model');
      emit('model', { name: next.name, classes: next.labels.length });
    } catch (e) {
      showError('model', e);
      throw e;
    } finally {
      loading = '';
      renderStatus();
    }
  }

  /** Releases the net and the model (their tensors belong to the current backend). */
  async function dropModel(): Promise<void> {
    ready = false;
    await optimized.stop();
    net?.dispose();
    net = null;
    (loaded?.model as { dispose?: () => void } | undefined)?.dispose?.();
    loaded = null;
  }

  async function switchBackend(name: string): Promise<void> {
    const setup = backends[name];
    if (!setup) throw new DeepvisError('BAD_OPTION', `Unknown backend '${name}': use one of ${Object.keys(backends).join(', ')}.`);
    // Tensors belong to a backend: drop the net and model, select, then load them again.
    await dropModel();
    try {
      backendDetail = await setup();
      backend = name;
      clearMessage('backend');
    } catch (e) {
      showError('backend', e);
      for (const b of [...new Set([backend, ...Object.keys(defaultBackends())])].filter((b) => b !== name && backends[b])) {
        try {
          backendDetail = await backends[b]();
          backend = b;
          break;
        } catch {
          // try the next one
        }
      }
    }
    ui.backend.value = backend;
    if (modelSpec) await loadModel(modelSpec);
  }

  // ---- input -----------------------------------------------------------------------------
  async function setSource(spec: InputSpec): Promise<void> {
    const s = await openSource(spec);
    if (disposed) return s.close();
    source?.close();
    if (liveSource && liveSource !== source) liveSource.close();
    source = s;
    liveSource = null;
    ui.freeze.textContent = 'freeze';
    input.caption.textContent = s.kind;
    clearMessage('input');
    invalidate();
  }

  function toggleFreeze(on?: boolean): void {
    const frozen = liveSource !== null;
    if (on === frozen) return;
    if (liveSource) {
      source = liveSource;
      liveSource = null;
    } else if (source?.live && hasFrame(source)) {
      liveSource = source;
      source = freeze(source);
    }
    ui.freeze.textContent = liveSource ? 'unfreeze' : 'freeze';
    input.caption.textContent = source?.kind ?? '';
    invalidate();
  }

  /** Opens `spec`; a refused webcam falls back to the first sample photo and says why (the message stays). */
  async function openInput(spec: InputSpec): Promise<void> {
    try {
      await setSource(spec);
    } catch (e) {
      const first = Object.keys(samples)[0];
      if (spec === 'webcam' && first !== undefined && !source) {
        await setSource({ image: samples[first] });
        ui.source.value = `sample:${first}`;
        showError('input', `${(e as Error).message} Showing the photo '${first}' instead.`);
      } else {
        showError('input', e);
      }
      throw e;
    }
  }

  async function openFromUi(): Promise<void> {
    const kind = ui.source.value;
    ui.imageUrl.hidden = kind !== 'image-url';
    if (kind === 'webcam') await openInput('webcam');
    else if (kind.startsWith('sample:')) await openInput({ image: samples[kind.slice(7)] });
    else if (kind === 'image-url' && ui.imageUrl.value) await openInput({ image: ui.imageUrl.value });
    else if (kind === 'image-file' || kind === 'video-file') {
      ui.mediaFile.accept = kind === 'image-file' ? 'image/*' : 'video/*';
      ui.mediaFile.click();
    }
  }

  // ---- selection -------------------------------------------------------------------------
  function announce(): void {
    const name = net && grid ? unitCaption({ net, state, grid, labels: loaded?.labels ?? [] }, state.selected) : `unit ${state.selected}`;
    emit('unitselected', { layer: state.layer, unit: state.selected, name });
    column.show(state.layer, state.selected, name);
  }

  function select_(unit: number): void {
    const n = grid?.channels ?? Infinity;
    const next = Math.max(0, Math.min(n - 1, Math.round(unit)));
    if (next !== state.selected) {
      state.selected = next;
      announce();
    }
    invalidate();
  }

  function setLayer(name: string): void {
    if (!net || !viewableLayers(net).some((l) => l.name === name)) {
      throw new DeepvisError('UNKNOWN_LAYER', `No layer '${name}' a grid can show: use one of ${net ? viewableLayers(net).map((l) => l.name).join(', ') : '(no model yet)'}.`);
    }
    state.layer = name;
    state.selected = 0;
    state.pinned = null;
    grid = null;
    ui.layer.value = name;
    clearMessage('layer');
    announce();
    invalidate();
  }

  function cycle(control: HTMLSelectElement, step = 1): void {
    control.selectedIndex = (control.selectedIndex + step + control.options.length) % control.options.length;
    control.dispatchEvent(new Event('change'));
  }

  // ---- the frame loop --------------------------------------------------------------------
  function onFrame(g: LayerGrid, ms: number, id: number): void {
    frames++;
    const layerChanged = grid === null;
    grid = g;
    if (state.selected >= g.channels) state.selected = g.channels - 1;
    if (layerChanged) announce();
    const now = performance.now();
    frameTimes.push(now);
    frameDurations.push(ms);
    if (frameTimes.length > RECENT) { frameTimes.shift(); frameDurations.shift(); }
    const n = frameTimes.length;
    fps = n > 1 ? ((n - 1) * 1000) / (frameTimes[n - 1] - frameTimes[0]) : 0;
    frameMs = [...frameDurations].sort((a, b) => a - b)[Math.floor(n / 2)];
    renderStatus();
    const info: FrameInfo = { frame: frames, ms, tensors: tf.memory().numTensors };
    emit('frame', info);
    for (const w of frameWaiters.filter((x) => x.after < id)) {
      frameWaiters.splice(frameWaiters.indexOf(w), 1);
      w.resolve(info);
    }
  }

  async function step(): Promise<void> {
    if (!net || !source || !ready || !hasFrame(source) || disposed) return;
    dirty = false;
    const id = ++started;
    const t0 = performance.now();
    const pixels = grab(source, state.size);
    try {
      const g = await runFrame(net, pixels, state, panes, loaded?.labels ?? []);
      onFrame(g, performance.now() - t0, id);
      clearMessage('frame');
    } finally {
      pixels.dispose();
    }
  }

  /**
   * A live input runs frame after frame (each frame awaits its readback, so the page keeps
   * rendering in between); a still one runs only when something changed.
   */
  function tick(): void {
    timer = undefined;
    if (busy || disposed) return;
    if (!ready || !source || !hasFrame(source) || (!source.live && !dirty)) return kick(IDLE_MS);
    busy = true;
    serial(step).catch((e) => showError('frame', e)).finally(() => { busy = false; kick(0); });
  }

  function kick(delay: number): void {
    if (disposed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  // ---- wiring ----------------------------------------------------------------------------
  /** After a menu is used, the keys go back to the grid (arrows move the unit, not the menu). */
  const backToGrid = () => gridP.canvas.focus({ preventScroll: true });
  const onChange = (control: HTMLElement, fn: () => void) => control.addEventListener('change', () => {
    fn();
    if (control instanceof HTMLSelectElement || (control instanceof HTMLInputElement && control.type === 'checkbox')) backToGrid();
  });
  const reportTo = (topic: string) => (e: unknown) => showError(topic, e);

  /** The controls show the state. */
  function showState(): void {
    ui.mode.value = state.mode;
    ui.filter.value = state.filter;
    ui.seed.value = state.seed;
    ui.normalize.value = state.normalize;
    ui.boost.value = String(state.boost);
    ui.gamma.value = String(state.gamma);
    ui.backwardOn.checked = state.backwardOn;
    ui.size.value = String(state.size);
    ui.optimizeStyle.value = state.optimizeStyle;
    ui.optimizeDisplay.value = state.optimizeDisplay;
    ui.optimizeSteps.value = String(state.optimizeSteps);
  }
  ui.range.value = Object.keys(INPUT_RANGES)[0];
  ui.backend.value = backend;
  showState();

  onChange(ui.source, () => void serial(openFromUi).catch(() => undefined));
  ui.imageUrl.addEventListener('change', () => void serial(openFromUi).catch(() => undefined));
  ui.mediaFile.addEventListener('change', () => {
    const f = ui.mediaFile.files?.[0];
    if (f) void serial(() => openInput(f.type.startsWith('video/') ? { video: f } : { image: f })).catch(() => undefined);
  });
  ui.freeze.addEventListener('click', () => toggleFreeze());
  ui.size.addEventListener('change', () => {
    const v = Math.round(Number(ui.size.value));
    if (v >= SIZE_RANGE.min && v <= SIZE_RANGE.max) {
      state.size = v;
      clearMessage('size');
      invalidate();
    } else {
      showError('size', `The size must be a whole number from ${SIZE_RANGE.min} to ${SIZE_RANGE.max}; keeping ${state.size}.`);
      ui.size.value = String(state.size);
    }
  });
  const modelInputs = () => {
    const kind = ui.model.value;
    ui.modelUrl.hidden = ui.labelsUrl.hidden = kind !== 'url';
    ui.modelFiles.hidden = kind !== 'files';
    ui.modelLoad.hidden = kind !== 'url';
  };
  onChange(ui.model, () => {
    modelInputs();
    const kind = ui.model.value;
    if (kind.startsWith('named:')) void serial(() => loadModel(models[kind.slice(6)])).catch(() => undefined);
  });
  ui.modelLoad.addEventListener('click', () => {
    if (!ui.modelUrl.value) return showError('model', 'Enter the URL of a model.json.');
    const spec: ModelSpec = { url: ui.modelUrl.value, ...(ui.labelsUrl.value ? { labels: ui.labelsUrl.value } : {}), inputRange: INPUT_RANGES[ui.range.value] };
    void serial(() => loadModel(spec)).catch(() => undefined);
  });
  ui.modelFiles.addEventListener('change', () => {
    const files = Array.from(ui.modelFiles.files ?? []);
    if (files.length) void serial(() => loadModel({ files, inputRange: INPUT_RANGES[ui.range.value] })).catch(() => undefined);
  });
  modelInputs();
  onChange(ui.range, () => void serial(async () => buildNet(INPUT_RANGES[ui.range.value])).catch(reportTo('model')));
  onChange(ui.backend, () => void serial(() => switchBackend(ui.backend.value)).catch(reportTo('backend')));
  onChange(ui.layer, () => setLayer(ui.layer.value));
  onChange(ui.normalize, () => { state.normalize = ui.normalize.value as ViewerState['normalize']; invalidate(); });
  onChange(ui.boost, () => { state.boost = Number(ui.boost.value); invalidate(); });
  onChange(ui.gamma, () => { state.gamma = Number(ui.gamma.value); invalidate(); });
  onChange(ui.backwardOn, () => { state.backwardOn = ui.backwardOn.checked; invalidate(); });
  onChange(ui.mode, () => { state.mode = ui.mode.value; invalidate(); });
  onChange(ui.filter, () => { state.filter = ui.filter.value as ViewerState['filter']; invalidate(); });
  onChange(ui.seed, () => { state.seed = ui.seed.value as ViewerState['seed']; invalidate(); });
  onChange(ui.optimizeStyle, () => { state.optimizeStyle = ui.optimizeStyle.value as ViewerState['optimizeStyle']; });
  onChange(ui.optimizeDisplay, () => {
    state.optimizeDisplay = ui.optimizeDisplay.value as ViewerState['optimizeDisplay'];
    optimized.redraw().catch(reportTo('optimize'));
  });
  onChange(ui.optimizeSteps, () => { state.optimizeSteps = Number(ui.optimizeSteps.value); });

  const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox') || t.isContentEditable);
  function onKey(e: KeyboardEvent): void {
    const t = e.target as Node | null;
    // Keys belong to this viewer when it has the focus, or nothing else does.
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || !(t === root.ownerDocument.body || root.contains(t))) return;
    if (e.target instanceof HTMLSelectElement && e.key.startsWith('Arrow')) return; // an open menu's own keys
    const cols = grid?.layout.cols ?? 1;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
    if (e.key in moves) select_(state.selected + moves[e.key]);
    else if (e.key === ',' || e.key === '.') cycle(ui.layer, e.key === ',' ? -1 : 1);
    else if (e.key === ' ') toggleFreeze();
    else if (e.key === 'b') cycle(ui.mode);
    else if (e.key === 'f') cycle(ui.filter);
    else if (e.key === 's') cycle(ui.seed);
    else if (e.key === 'n') cycle(ui.normalize);
    else if (e.key === 'p') { state.pinned = state.pinned === null ? state.selected : null; invalidate(); }
    else if (e.key === 'o') optimized.toggle();
    else return;
    e.preventDefault();
  }
  root.ownerDocument.addEventListener('keydown', onKey);

  // ---- start -----------------------------------------------------------------------------
  const firstModel = options.model ?? Object.values(models)[0] ?? null;
  const named = Object.keys(models).find((n) => models[n] === firstModel);
  if (named !== undefined) ui.model.value = `named:${named}`;
  else if (firstModel && 'url' in firstModel) {
    ui.model.value = 'url';
    ui.modelUrl.value = firstModel.url;
    if (typeof firstModel.labels === 'string') ui.labelsUrl.value = firstModel.labels;
  } else if (firstModel && 'files' in firstModel) ui.model.value = 'files';
  modelInputs();
  const firstInput = options.input ?? 'webcam';
  if (typeof firstInput === 'object' && 'image' in firstInput && typeof firstInput.image === 'string') {
    const sample = Object.entries(samples).find(([, url]) => url === firstInput.image);
    if (sample) ui.source.value = `sample:${sample[0]}`;
  } else if (firstInput === 'webcam') ui.source.value = 'webcam';

  const readyPromise = (async () => {
    try {
      await serial(async () => {
        backendDetail = '';
        await switchBackend(backend);
      });
      if (firstModel) await serial(() => loadModel(firstModel));
      else showError('model', 'No model: give mountViewer a model, or load one with the Model controls.');
    } catch {
      // shown
    }
    kick(0);
    await serial(() => openInput(firstInput)).catch(() => undefined);
  })();

  const handle: ViewerHandle = {
    element: root,
    get state() { return { ...state }; },
    get info(): ViewerInfo {
      return {
        ready,
        frames,
        fps,
        frameMs,
        backend: activeBackend(),
        grid: grid && { channels: grid.channels, tileHeight: grid.tileHeight, tileWidth: grid.tileWidth, cols: grid.layout.cols, rows: grid.layout.rows, width: grid.layout.width, height: grid.layout.height },
        error: [...messages.values()].join(' '),
        frozen: liveSource !== null,
        optimizing: optimized.running,
        input: source?.kind ?? '',
        model: loaded?.name ?? '',
      };
    },
    ready: readyPromise,
    setModel: (spec) => serial(() => loadModel(spec)),
    setInput: (spec) => serial(() => openInput(spec)),
    setBackend: (name) => serial(() => switchBackend(name)),
    selectUnit(unit, layer) {
      if (layer !== undefined && layer !== state.layer) setLayer(layer);
      select_(unit);
    },
    setState(partial) {
      const next = viewerState({ ...state, ...partial });
      if (!modes.some((m) => m.name === next.mode)) throw new DeepvisError('BAD_OPTION', `Unknown backward mode '${next.mode}': use one of ${modes.map((m) => m.name).join(', ')}.`);
      if (next.layer !== state.layer) setLayer(next.layer);
      const redraw = next.optimizeDisplay !== state.optimizeDisplay;
      Object.assign(state, next);
      showState();
      if (redraw) optimized.redraw().catch(reportTo('optimize'));
      invalidate();
    },
    freeze: toggleFreeze,
    toggleOptimize: () => optimized.toggle(),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (detail: never) => void);
      return () => void set.delete(listener as (detail: never) => void);
    },
    nextFrame: () => new Promise<FrameInfo>((resolve) => { frameWaiters.push({ after: started, resolve }); invalidate(); }),
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      root.ownerDocument.removeEventListener('keydown', onKey);
      column.dispose();
      await serial(async () => {
        await dropModel();
        source?.close();
        liveSource?.close();
        source = liveSource = null;
      });
      root.remove();
    },
  };
  return handle;
}
