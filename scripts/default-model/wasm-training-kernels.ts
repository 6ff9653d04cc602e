/**
 * Lets tfjs-layers train convolutions fast on the wasm backend, in this script only: the
 * missing filter-gradient kernels come from deepvis's `registerWasmGradientKernels`, and
 * wasm's slow `Conv2DBackpropInput` is replaced by the backend's own forward `Conv2D` of
 * the padded dy with the flipped, transposed filter (stride 1, dilation 1, NHWC).
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * await model.fit(xs, ys); // conv layers now train on wasm
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradientKernels, Scope, type WasmBackend } from '../../src/backends/wasm-kernels';

type Info = tf.TensorInfo;

function padInfo(xShape: number[], filterShape: number[], attrs: Record<string, unknown>) {
  const strides = attrs.strides as number | [number, number];
  const [sy, sx] = typeof strides === 'number' ? [strides, strides] : strides;
  if (sy !== 1 || sx !== 1 || attrs.dataFormat === 'NCHW') throw new Error('wasm training kernels support stride 1, NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    1, 1, attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined);
  return info.padInfo;
}

/**
 * Registers the missing gradient kernels and replaces `Conv2DBackpropInput` for the wasm
 * backend with a forward-convolution version.
 *
 * @example
 * ```ts
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(): void {
  registerWasmGradientKernels();
  if (tf.getKernel('Conv2DBackpropInput', 'wasm')) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const s = new Scope(backend as unknown as WasmBackend);
      const { dy, filter } = inputs as { dy: Info; filter: Info };
      const inputShape = (attrs as { inputShape: number[] }).inputShape;
      const [kh, kw] = filter.shape;
      const p = padInfo(inputShape, filter.shape, attrs as Record<string, unknown>);
      const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
      const wT = s.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
      return s.finish(s.run('Conv2D', { x: dy, filter: wT }, {
        strides: 1, dilations: 1, dataFormat: 'NHWC',
        pad: [[0, 0], [kh - 1 - p.top, kh - 1 - p.bottom], [kw - 1 - p.left, kw - 1 - p.right], [0, 0]],
      }));
    },
  });
}
