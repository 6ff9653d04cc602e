// A small GraphModel written by hand as a GraphDef (what tfjs-converter would produce), with its
// weights, so GraphModel support is tested without a converter run.
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

const b64 = (s: string) => (typeof btoa === 'function' ? btoa(s) : Buffer.from(s).toString('base64'));
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const float = { type: 'DT_FLOAT' };

/** Weights of the hand-made graph, so tests can recompute it with plain ops. */
export interface TinyGraphWeights { w1: tf.Tensor4D; b1: tf.Tensor1D; w2: tf.Tensor2D }

/**
 * input[-1,8,8,3] → Conv2D 3×3×4 SAME → BiasAdd → Relu → MaxPool 2×2 → Mean(h,w) → MatMul 4×5 → Softmax.
 * With `fused`, the first three are one `_FusedConv2D` node named 'relu' ending in that
 * activation (LeakyRelu with α 0.1), as tfjs-converter writes convolutions.
 */
export async function tinyGraphModel(fused?: 'Relu' | 'LeakyRelu'): Promise<{ model: GraphModel; weights: TinyGraphWeights }> {
  const { artifacts, weights } = tinyGraphArtifacts(fused);
  return { model: await loadGraphModel(tf.io.fromMemory(artifacts)), weights };
}

/** The same graph as model artifacts (topology, weight specs and bytes), to save as files. */
export function tinyGraphArtifacts(fused?: 'Relu' | 'LeakyRelu'): { artifacts: tf.io.ModelArtifacts; weights: TinyGraphWeights } {
  const weights: TinyGraphWeights = {
    w1: tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 21) as tf.Tensor4D,
    b1: tf.randomUniform([4], -1, 1, 'float32', 22) as tf.Tensor1D,
    w2: tf.randomUniform([4, 5], -1, 1, 'float32', 23) as tf.Tensor2D,
  };
  const axes = tf.tensor1d([1, 2], 'int32');
  const consts = { ...weights, axes };
  const node = (name: string, op: string, input: string[], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
  const constNode = (name: string, t: tf.Tensor) =>
    node(name, 'Const', [], { dtype: { type: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' }, value: { tensor: { dtype: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: t.shape.map((d) => ({ size: String(d) })) } } } });
  const convAttrs = { strides: ints(1, 1, 1, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1) };
  const modelTopology = {
    node: [
      node('input', 'Placeholder', [], { dtype: float, shape: { shape: { dim: [-1, 8, 8, 3].map((d) => ({ size: String(d) })) } } }),
      ...Object.entries(consts).map(([n, t]) => constNode(n, t)),
      ...(fused ? [
        node('relu', '_FusedConv2D', ['input', 'w1', 'b1'], {
          T: float, ...convAttrs, num_args: { i: '1' }, epsilon: { f: 0 }, leakyrelu_alpha: { f: 0.1 },
          fused_ops: { list: { s: [b64('BiasAdd'), b64(fused)] } },
        }),
      ] : [
        node('conv', 'Conv2D', ['input', 'w1'], { T: float, ...convAttrs }),
        node('bias', 'BiasAdd', ['conv', 'b1'], { T: float, data_format: { s: b64('NHWC') } }),
        node('relu', 'Relu', ['bias'], { T: float }),
      ]),
      node('pool', 'MaxPool', ['relu'], { T: float, ksize: ints(1, 2, 2, 1), strides: ints(1, 2, 2, 1), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } }),
      node('mean', 'Mean', ['pool', 'axes'], { T: float, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }),
      node('logits', 'MatMul', ['mean', 'w2'], { T: float, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('probs', 'Softmax', ['logits'], { T: float }),
    ],
    versions: { producer: 1 },
  };
  const entries = Object.entries(consts);
  const weightSpecs = entries.map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype as 'float32' | 'int32' }));
  const parts = entries.map(([, t]) => new Uint8Array((t.dataSync() as Float32Array | Int32Array).slice().buffer));
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (weightData.set(p, offset), offset + p.length), 0);
  axes.dispose();
  return { artifacts: { modelTopology, weightSpecs, weightData: weightData.buffer, format: 'graph-model' }, weights };
}
