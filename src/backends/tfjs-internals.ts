// Every place deepvis reaches past tfjs's public API, in one file. Written for tfjs 4.22: each
// accessor first checks that the running tfjs-core is that version's line, and warns once
// (naming this file) when it is not, since a private field may then have moved.
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-core release line these accessors were written against. */
export const TFJS_WRITTEN_FOR = '4.22';

let warned = false;

/**
 * Whether the running tfjs-core is the release line the internals were written for; warns
 * once when not (the accessors still try, and check the shapes of what they reach).
 *
 * @example
 * ```ts
 * if (!tfjsInternalsMatch()) console.log('deepvis reaches into a tfjs it was not written for');
 * ```
 */
export function tfjsInternalsMatch(version: string = tf.version_core): boolean {
  const ok = version === TFJS_WRITTEN_FOR || version.startsWith(`${TFJS_WRITTEN_FOR}.`);
  if (!ok && !warned) {
    warned = true;
    console.warn(`deepvis: written for tfjs-core ${TFJS_WRITTEN_FOR}.x, running ${version}; its tfjs internals (src/backends/tfjs-internals.ts) may need updating.`);
  }
  return ok;
}

/** The engine state fields {@link releaseTape} reads. */
interface EngineState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tfjs keeps the tensors a gradient tape saved when the function under `tf.grad` throws,
 * and never frees them; release them so a failing function leaves nothing behind. Does
 * nothing inside a nested gradient or when no tape is left.
 *
 * @example
 * ```ts
 * try { tf.grad(f)(x); } catch (e) { releaseTape(); throw e; }
 * ```
 */
export function releaseTape(): void {
  tfjsInternalsMatch();
  const state = (tf.engine() as unknown as { state?: Partial<EngineState> }).state;
  if (!state || typeof state.gradientDepth !== 'number' || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null;
}

/**
 * tfjs's cpu backend prints a banner advising tfjs-node on its first tensor in Node; deepvis
 * says which backend it picked and what it skipped instead. Marks the registered cpu backend
 * as already used, so the banner never prints (a private flag of tfjs-backend-cpu 4.22).
 * Does nothing when the cpu backend is not registered.
 *
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-cpu');
 * quietCpuBackend();                  // no "Hi, looks like you are running TensorFlow.js in Node.js"
 * ```
 */
export function quietCpuBackend(): void {
  if (!tf.findBackendFactory('cpu')) return;
  tfjsInternalsMatch();
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: unknown } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/**
 * Runs `f` with the gradient functions of some kernels replaced (tfjs's global gradient
 * registry), and puts the previous ones back however `f` ends. tfjs's tape takes each op's
 * gradient function when the op runs, so what `f` records keeps the replacements.
 *
 * @example
 * ```ts
 * const y = withGradients([{ kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy) => ({ x: () => dy as tf.Tensor }) }], () => f(x));
 * ```
 */
export function withGradients<T>(configs: readonly tf.GradConfig[], f: () => T): T {
  tfjsInternalsMatch();
  const own = configs.map((c) => [c.kernelName, tf.getGradient(c.kernelName)] as const);
  try {
    for (const c of configs) tf.registerGradient(c);
    return f();
  } finally {
    for (const [kernelName, config] of own) {
      if (config) tf.registerGradient(config);
      else tf.unregisterGradient(kernelName);
    }
  }
}

/** One node of a GraphDef, as a GraphModel loaded it. */
export interface GraphDefNode {
  name: string;
  op: string;
  input?: string[];
  attr?: { fused_ops?: { list?: { s?: string[] } } };
}

/**
 * The nodes of the GraphDef a GraphModel was loaded from (`GraphModel.artifacts`, not part
 * of its typed API), or an empty list when they are not there.
 *
 * @example
 * ```ts
 * const ops = graphModelNodes(await tf.loadGraphModel(url)).map((n) => n.op);
 * ```
 */
export function graphModelNodes(model: unknown): GraphDefNode[] {
  tfjsInternalsMatch();
  const topology = (model as { artifacts?: { modelTopology?: { node?: unknown } } } | null)?.artifacts?.modelTopology;
  return Array.isArray(topology?.node) ? (topology.node as GraphDefNode[]) : [];
}

/**
 * A kernel made of tensor ops: `f` gets the kernel's inputs as tensors and its attributes,
 * and the new tensor it returns is the kernel's output; what else it makes is freed. Relies
 * on two facts of the tfjs-core 4.22 engine (`runKernelFunc`): ops run inside a kernel are
 * not recorded on a gradient tape, and a `Tensor` a kernel returns is taken as its output as
 * it is. Inputs handed over as bare tensor infos (a kernel called by hand) are wrapped without
 * a copy.
 *
 * @example
 * ```ts
 * tf.registerKernel({ kernelName: 'Square', backendName: 'my-backend', kernelFunc: kernelFromOps(({ x }) => tf.mul(x, x)) });
 * ```
 */
export function kernelFromOps(f: (inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => tf.Tensor): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    tfjsInternalsMatch();
    return tf.tidy(() => {
      const tensors = Object.fromEntries(Object.entries(inputs).map(([name, info]) => {
        if (info instanceof tf.Tensor) return [name, info];
        // A tensor over the same data: the backend's count is raised so that freeing it at the end of the tidy leaves the data.
        (backend as tf.KernelBackend).incRef((info as tf.TensorInfo).dataId);
        return [name, tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo)];
      }));
      return f(tensors, attrs ?? {});
    });
  };
}

/**
 * The output of a kernel that returns its input `x` itself: the same data, its reference
 * count raised on `backend` (the kernel's), so no copy is made. Only for backends whose
 * kernels never write to their inputs.
 *
 * @example
 * ```ts
 * const identity: tf.KernelFunc = ({ inputs, backend }) => shareInput(inputs.x as tf.TensorInfo, backend);
 * ```
 */
export function shareInput(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  tfjsInternalsMatch();
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * The float32 values of `t`, read without a copy where tfjs-backend-wasm 4.22 keeps them: a
 * view into the wasm heap (its `dataIdMap` entry's `memoryOffset`). The view is only valid
 * until the next tensor is made (the heap may grow and move), and must not be written to. On
 * other backends, or for other dtypes, `dataSync()` (which the cpu backend answers without a
 * copy too).
 *
 * @example
 * ```ts
 * const xs = hostFloats(x);        // read at once, before any tensor is made
 * let sum = 0; for (const v of xs) sum += v;
 * ```
 */
export function hostFloats(t: tf.Tensor): Float32Array {
  tfjsInternalsMatch();
  if (t.dtype === 'float32') {
    const info = (tf.engine() as unknown as { state?: { tensorInfo?: WeakMap<object, { backend?: unknown }> } }).state?.tensorInfo?.get(t.dataId);
    const heap = wasmHeap(info?.backend);
    if (heap) return heap.view(t) as Float32Array;
  }
  return t.dataSync() as Float32Array;
}

/** Typed views of tensor data in tfjs-backend-wasm's heap, and new outputs there (see {@link wasmHeap}). */
export interface WasmHeap {
  /** A new output tensor of the kernel (uninitialised). */
  output(shape: readonly number[], dtype: tf.DataType): tf.TensorInfo;
  /** The data of `t` in place: valid until the next output is made (the heap may grow and move). */
  view(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * The heap of a tfjs-backend-wasm 4.22 backend (its `makeOutput`, `dataIdMap` and `wasm.HEAPU8`),
 * for kernels that copy data themselves, or `null` for any other backend (or dtype-less data).
 *
 * @example
 * ```ts
 * const heap = wasmHeap(backend);
 * if (heap) { const out = heap.output([2], 'float32'); heap.view(out).set([1, 2]); }
 * ```
 */
export function wasmHeap(backend: unknown): WasmHeap | null {
  tfjsInternalsMatch();
  const b = backend as {
    wasm?: { HEAPU8?: Uint8Array };
    dataIdMap?: { get(id: object): { memoryOffset?: unknown } | undefined };
    makeOutput?: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
  } | null;
  if (!b?.wasm?.HEAPU8 || !b.dataIdMap || typeof b.makeOutput !== 'function') return null;
  const heap = b.wasm;
  const map = b.dataIdMap;
  const make = b.makeOutput.bind(b);
  return {
    output: (shape, dtype) => make([...shape], dtype),
    view(t) {
      const offset = map.get(t.dataId)?.memoryOffset;
      if (typeof offset !== 'number') throw new Error('deepvis: a wasm tensor without a heap offset');
      const size = t.shape.reduce((a, d) => a * d, 1);
      const buffer = heap.HEAPU8!.buffer;
      if (t.dtype === 'float32') return new Float32Array(buffer, offset, size);
      if (t.dtype === 'int32') return new Int32Array(buffer, offset, size);
      return new Uint8Array(buffer, offset, size);
    },
  };
}

/**
 * A new float32 tensor of `shape` whose values `fill` writes: in place in tfjs-backend-wasm's
 * heap where the current backend is wasm (no JavaScript buffer: on machines where touching fresh
 * memory is slow, as in some virtual machines, a large one costs more than the work), else
 * through a `Float32Array` handed to `tf.tensor`. The caller owns the tensor.
 *
 * @example
 * ```ts
 * const ramp = filledTensor([2, 3], (v) => v.forEach((_, i) => (v[i] = i)));   // [[0, 1, 2], [3, 4, 5]]
 * ```
 */
export function filledTensor(shape: readonly number[], fill: (values: Float32Array) => void): tf.Tensor {
  const heap = wasmHeap(tf.backend());
  if (!heap) {
    const values = new Float32Array(shape.reduce((a, d) => a * d, 1));
    fill(values);
    return tf.tensor(values, [...shape], 'float32');
  }
  const info = heap.output(shape, 'float32');
  fill(heap.view(info) as Float32Array);
  return tf.engine().makeTensorFromTensorInfo(info);
}
