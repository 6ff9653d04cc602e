import * as tf from '@tensorflow/tfjs-core';

/** The parts of the wasm backend this module reads (tfjs-backend-wasm's internals, not its API). */
interface WasmInternals {
  dataIdMap?: { get(dataId: object): { memoryOffset?: number | null } | undefined };
  wasm?: { HEAPU8?: Uint8Array };
}

/**
 * A tensor's values as float32 for one synchronous JavaScript pass. On the wasm backend
 * this is a view into the wasm heap rather than `dataSync()`'s copy (for the 52 layers of
 * Darknet-Tiny at 224², the copies take 10–20 ms, ~10% of laying their grids out). The view
 * is only valid until the next tfjs op: an op may grow the wasm memory, which detaches the
 * buffer under it, or free the tensor. So: read it at once, run no op meanwhile, never keep
 * it. Any other backend, any missing internal, or a dtype other than float32 falls back to
 * `dataSync()` (converted to float32 where needed).
 *
 * @example
 * ```ts
 * const values = readValuesNow(map);
 * const bytes = tileArraysRgba(values, spec);   // no tfjs op between the read and the pass
 * ```
 */
export function readValuesNow(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmInternals;
    const offset = backend.dataIdMap?.get(t.dataId)?.memoryOffset;
    const heap = backend.wasm?.HEAPU8?.buffer;
    if (heap && typeof offset === 'number' && offset % 4 === 0 && offset + 4 * t.size <= heap.byteLength) {
      return new Float32Array(heap, offset, t.size);
    }
  }
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}
