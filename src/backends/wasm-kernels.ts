/**
 * The convolution gradient kernels that `@tensorflow/tfjs-backend-wasm` 4.22 does not register
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 * `DepthwiseConv2dNativeBackpropFilter`), built from the backend's own forward kernels so that
 * `tf.grad(x => model.apply(x))` through tfjs-layers convolutions works on wasm; and a
 * `MaxPoolGrad` that routes the gradient as cpu does.
 *
 * Only tfjs-core is imported: registering kernels for 'wasm' needs no wasm package, so this
 * module is safe to load where the wasm backend is not installed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { maxPoolGradValues } from '../net/pool-grad';

type Info = tf.TensorInfo;
type Pad = 'same' | 'valid' | number | number[][];
type Pair = [number, number];

/** The parts of the 4.22 wasm backend used here (its class is not exported with types we can import). */
export interface WasmBackend {
  disposeData(dataId: tf.DataId): boolean;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}

/** Runs registered wasm kernels from inside a kernel and frees their intermediates. */
export class Scope {
  private readonly temps: Info[] = [];
  constructor(readonly backend: WasmBackend) {}

  run(name: string, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`deepvis: the wasm kernel ${name} is missing`);
    const out = k.kernelFunc({ inputs, backend: this.backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as Info;
    this.temps.push(out);
    return out;
  }

  /** Frees every kernel output except `keep`, the one returned to the engine. */
  finish(keep: Info): Info {
    for (const t of this.temps) if (t !== keep) this.backend.disposeData(t.dataId);
    return keep;
  }
}

/** The same data under another shape of equal size: no copy, no reference count (the owner frees it). */
const view = (t: Info, shape: number[]): Info => ({ dataId: t.dataId, shape, dtype: t.dtype });

const pair = (v: unknown): Pair => (v == null ? [1, 1] : typeof v === 'number' ? [v, v] : [(v as number[])[0], (v as number[])[1]]);

function nhwcOnly(kernel: string, dataFormat: unknown): void {
  if (dataFormat === 'NCHW') throw new Error(`deepvis: the wasm ${kernel} kernel supports NHWC data only; transpose NCHW inputs to NHWC`);
}

const explicit = (p: tf.backend_util.PadInfo): number[][] => [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];

/**
 * dW[a,b,i,o] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, i] · dy[n,y,x,o]: a stride-1 forward Conv2D of x
 * seen as `[ci, H, W, n]` with dy seen as a `[ho, wo, n, co]` filter, dilated by the stride s.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as { strides: number | Pair; pad: Pad; dataFormat?: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  nhwcOnly('Conv2DBackpropFilter', a.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad as 'same', a.dimRoundingMode);
  const [kh, kw, ci, co] = a.filterShape;
  const s = new Scope(backend as WasmBackend);
  const xT = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  let r = s.run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1], dilations: [info.strideHeight, info.strideWidth], pad: explicit(info.padInfo), dataFormat: 'NHWC',
  });
  // Rows of xpad past the last window give extra outputs beyond the kernel: drop them.
  if (r.shape[1] !== kh || r.shape[2] !== kw) r = s.run('Slice', { x: r }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
  return s.finish(s.run('Transpose', { x: r }, { perm: [1, 2, 0, 3] }));
}

/**
 * dW[a,b,c,k] = Σ_{n,y,x} xpad[n, y·s + a·d, x·s + b·d, c] · dy[n,y,x,c·m+k]: a depthwise conv of x
 * seen as one image with c·n channels and dy as a `[ho, wo, c·n, m]` filter (dilation s, stride d),
 * then a sum over the batch.
 */
function depthwiseBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as { strides: number | Pair; dilations?: number | Pair; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, pair(a.dilations), a.pad as 'same', a.dimRoundingMode, true);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  // The transposed problem would need stride and dilation both above 1, which tfjs convolutions refuse.
  if (Math.max(sh, sw) > 1 && Math.max(dh, dw) > 1) return depthwiseFilterLoop(x, dy, info, backend as WasmBackend);
  const [kh, kw, c, m] = a.filterShape;
  const [n, H, W] = x.shape;
  const [, ho, wo] = dy.shape;
  const s = new Scope(backend as WasmBackend);
  const xT = s.run('Transpose', { x }, { perm: [1, 2, 3, 0] });
  const dyT = s.run('Transpose', { x: view(dy, [n, ho, wo, c, m]) }, { perm: [1, 2, 3, 0, 4] });
  const r = s.run('DepthwiseConv2dNative', { x: view(xT, [1, H, W, c * n]), filter: view(dyT, [ho, wo, c * n, m]) }, {
    strides: [dh, dw], dilations: [sh, sw], pad: explicit(info.padInfo),
  });
  const [, oh, ow] = r.shape;
  let out = n > 1 ? s.run('Sum', { x: view(r, [oh, ow, c, n, m]) }, { axis: [3], keepDims: false }) : view(r, [oh, ow, c, m]);
  if (oh !== kh || ow !== kw) out = s.run('Slice', { x: out }, { begin: [0, 0, 0, 0], size: [kh, kw, c, m] });
  else if (out.dataId === r.dataId) out = s.run('Reshape', { x: r }, { shape: [kh, kw, c, m] });
  return s.finish(out);
}

/** The depthwise filter gradient as plain loops, for strides and dilations both above 1. */
function depthwiseFilterLoop(x: Info, dy: Info, info: tf.backend_util.Conv2DInfo, backend: WasmBackend): Info {
  const xv = backend.readSync(x.dataId) as Float32Array;
  const dyv = backend.readSync(dy.dataId) as Float32Array;
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: c, outHeight: ho, outWidth: wo, outChannels: C } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const m = C / c;
  const dW = new Float32Array(kh * kw * C);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ho; y++) {
      for (let xo = 0; xo < wo; xo++) {
        const dyAt = ((b * ho + y) * wo + xo) * C;
        for (let i = 0; i < kh; i++) {
          const r = y * sh + i * dh - top;
          if (r < 0 || r >= H) continue;
          for (let j = 0; j < kw; j++) {
            const col = xo * sw + j * dw - left;
            if (col < 0 || col >= W) continue;
            const xAt = ((b * H + r) * W + col) * c;
            const wAt = (i * kw + j) * C;
            for (let ch = 0; ch < c; ch++) {
              const xval = xv[xAt + ch];
              for (let k = 0; k < m; k++) dW[wAt + ch * m + k] += xval * dyv[dyAt + ch * m + k];
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([kh, kw, c, m], 'float32');
  backend.typedArrayFromHeap(out).set(dW);
  return out;
}

/**
 * dx = dy upsampled by the stride (zeros between rows and columns), correlated with the flipped
 * filter at dilation d (a depthwise conv over c·m channels), summed over the multiplier m.
 */
function depthwiseBackpropInput({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as { strides: number | Pair; dilations?: number | Pair; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, pair(a.dilations), a.pad as 'same', a.dimRoundingMode, true);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, effectiveFilterHeight: eh, effectiveFilterWidth: ew } = info;
  const [n, H, W, c] = a.inputShape;
  const [kh, kw, , m] = filter.shape;
  const C = c * m;
  const [, ho, wo] = dy.shape;
  const s = new Scope(backend as WasmBackend);
  // Zeros after each row and column (the trailing ones act as extra bottom/right padding).
  let up = dy;
  if (sh > 1) up = view(s.run('PadV2', { x: view(up, [n, ho, 1, wo * C]) }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0]], constantValue: 0 }), [n, ho * sh, wo, C]);
  if (sw > 1) up = view(s.run('PadV2', { x: view(up, [n * up.shape[1], wo, 1, C]) }, { paddings: [[0, 0], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }), [n, up.shape[1], wo * sw, C]);
  const [, Lh, Lw] = up.shape;
  // Padding of the upsampled dy; a negative one (explicit pads wider than the kernel) becomes a crop.
  const side = (eff: number, before: number, L: number, size: number) => {
    const p = eff - 1 - before;
    const p0 = Math.max(p, 0);
    const crop = p0 - p;
    return { p0, crop, p1: Math.max(0, size + crop + eff - 1 - L - p0) };
  };
  const v = side(eh, info.padInfo.top, Lh, H);
  const h = side(ew, info.padInfo.left, Lw, W);
  const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
  const r = s.run('DepthwiseConv2dNative', { x: up, filter: view(flipped, [kh, kw, C, 1]) }, {
    strides: [1, 1], dilations: [dh, dw], pad: [[0, 0], [v.p0, v.p1], [h.p0, h.p1], [0, 0]],
  });
  const [, oh, ow] = r.shape;
  let out = m > 1 ? s.run('Sum', { x: view(r, [n, oh, ow, c, m]) }, { axis: [4], keepDims: false }) : r;
  if (oh !== H || ow !== W || v.crop > 0 || h.crop > 0) out = s.run('Slice', { x: out }, { begin: [0, v.crop, h.crop, 0], size: [n, H, W, c] });
  return s.finish(out);
}

/**
 * dx of a max pool, each window's dy to its first maximum in row-major order, as on cpu.
 * Replaces wasm 4.22's own, which sends the gradient of a window whose values are all negative
 * (common after a LeakyReLU) to the wrong element.
 */
function maxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as unknown as { filterSize: number | Pair; strides: number | Pair; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad as 'same', a.dimRoundingMode);
  const b = backend as WasmBackend;
  const dx = maxPoolGradValues(
    b.readSync(input.dataId) as Float32Array, input.shape, b.readSync(dy.dataId) as Float32Array, [info.outHeight, info.outWidth],
    [info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], [info.padInfo.top, info.padInfo.left],
  );
  const out = b.makeOutput(input.shape, 'float32');
  b.typedArrayFromHeap(out).set(dx);
  return out;
}

const KERNELS: { name: string; kernelFunc: tf.KernelFunc }[] = [
  { name: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter as tf.KernelFunc },
  { name: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseBackpropInput as tf.KernelFunc },
  { name: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseBackpropFilter as tf.KernelFunc },
];

/**
 * Registers, for the wasm backend, the convolution gradient kernels that
 * `@tensorflow/tfjs-backend-wasm` lacks (`Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput`, `DepthwiseConv2dNativeBackpropFilter`), built from its
 * forward convolution kernels, and replaces its `MaxPoolGrad`, which routes the gradient of a
 * window whose values are all negative to the wrong element. Missing kernels that are there
 * already are left alone, so calling it again (or after tfjs adds them) does nothing. `useWasm()` and
 * `useNodeBackend()` call it for you.
 *
 * @returns The names of the kernels it registered now.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmGradientKernels();            // ['Conv2DBackpropFilter', …] the first time, [] after
 * await tf.setBackend('wasm');
 * const g = tf.grad((x: tf.Tensor4D) => tf.sum(model.apply(x) as tf.Tensor))(image);
 * ```
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const { name, kernelFunc } of KERNELS) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    added.push(name);
  }
  // Wrong where a window is all negative, not missing: replaced once.
  const own = tf.getKernel('MaxPoolGrad', 'wasm');
  if (own?.kernelFunc !== (maxPoolGrad as tf.KernelFunc)) {
    if (own) tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as tf.KernelFunc });
    added.push('MaxPoolGrad');
  }
  return added;
}
