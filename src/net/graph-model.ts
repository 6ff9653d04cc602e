import * as tf from '@tensorflow/tfjs-core';
import { graphModelNodes, type GraphDefNode } from '../backends/tfjs-internals';
import { DeepvisError, unknownName } from '../errors';
import { checkPixels, inputChannels } from './check-pixels';
import { addAt } from './add-at';
import { describeLayers } from './describe';
import { withRuledRectifiers } from './graph-rules';
import { pixelMapping, type PixelMapping } from './pixel-space';
import type { ActivationKind, ForwardOptions, LayerInfo, Net, ToNetOptions } from './types';

/** The part of a tfjs-converter `GraphModel` deepvis uses (a real `GraphModel` is one). */
export interface GraphModelLike {
  readonly inputs: readonly { name: string; shape?: number[] }[];
  readonly outputNodes: readonly string[];
  execute(inputs: Record<string, tf.Tensor>, outputs: string[]): tf.Tensor | tf.Tensor[];
}


export function isGraphModel(model: unknown): model is GraphModelLike {
  const m = model as Partial<GraphModelLike> | null;
  return !!m && typeof m.execute === 'function' && Array.isArray(m.outputNodes) && !('layers' in (m as object));
}

const ACTIVATION_OPS: Record<string, ActivationKind> = {
  Relu: 'relu', Relu6: 'relu6', LeakyRelu: 'leakyRelu', Elu: 'elu', Selu: 'selu', Softmax: 'softmax',
  Sigmoid: 'sigmoid', Tanh: 'tanh', Softplus: 'softplus', Softsign: 'softsign',
};

/**
 * The activation a node ends in: its own op, or the last of a fused op's `fused_ops`
 * (`_FusedConv2D` … `Relu`, as tfjs-converter writes convolutions), base64 in the GraphDef.
 */
function nodeActivation(n: GraphDefNode): ActivationKind | null {
  const fused = n.attr?.fused_ops?.list?.s ?? [];
  const last = fused.length > 0 ? atob(fused[fused.length - 1]) : n.op;
  return ACTIVATION_OPS[last] ?? null;
}

const list = (y: tf.Tensor | tf.Tensor[]) => (Array.isArray(y) ? y : [y]);

/** The graph's nodes, from the GraphDef the model was loaded from (empty if unavailable). */
function graphNodes(model: GraphModelLike): GraphDefNode[] {
  return graphModelNodes(model).filter((n) => n.op !== 'Const' && n.op !== 'NoOp');
}

/**
 * Each node's output shape without the batch (the GraphDef has none), from one pass of a grey
 * image at the model's size (224 where it is free, and then the maps' h and w stay `null`);
 * none where that pass fails.
 */
function probeShapes(model: GraphModelLike, inputName: string, mapping: PixelMapping, [h, w, c]: (number | null)[], nodes: GraphDefNode[]): Map<string, (number | null)[]> {
  const found = new Map<string, (number | null)[]>();
  const names = nodes.filter((n) => n.op !== 'Placeholder').map((n) => n.name);
  for (const n of nodes) if (n.op === 'Placeholder') found.set(n.name, [h, w, c]);
  try {
    tf.tidy(() => {
      const x = mapping.toModelInput(tf.fill([1, h ?? 224, w ?? 224, 3], 128) as tf.Tensor4D);
      list(model.execute({ [inputName]: x }, names)).forEach((y, i) => {
        found.set(names[i], y.shape.slice(1).map((d, k) => (y.rank === 4 && k < 2 && [h, w][k] === null ? null : d)));
      });
    });
  } catch {
    return new Map();
  }
  return found;
}

/**
 * A Net over a GraphModel: taps are node names and forward runs through
 * `GraphModel.execute`. Backward rules act on its Relu, Relu6 and LeakyRelu kernels (fused
 * ones included) through their gradient functions, swapped only while the forward runs.
 */
export function graphModelToNet(model: GraphModelLike, options: ToNetOptions): Net {
  if (model.inputs.length !== 1) {
    throw new DeepvisError('UNSUPPORTED', `deepvis needs a model with one image input; this graph has ${model.inputs.length}.`);
  }
  const input = model.inputs[0];
  const shape = (input.shape ?? [-1, -1, -1, 3]).slice(1).map((d) => (d === -1 || d == null ? null : d));
  const channels = inputChannels(shape);
  const mapping = pixelMapping(options.inputRange, channels, options.mean);
  const nodes = graphNodes(model);
  const clean = (name: string) => name.replace(/^\^/, '').replace(/:\d+$/, '');
  const shapes = probeShapes(model, input.name, mapping, shape, nodes);
  const layers: LayerInfo[] = nodes.map((n) => ({
    name: n.name,
    className: n.op,
    outputShape: shapes.get(n.name) ?? [],
    activation: nodeActivation(n),
    inputs: (n.input ?? []).map(clean).filter((i) => nodes.some((m) => m.name === i)),
    compiled: true,
    note: 'runs through GraphModel.execute',
    hasPreActivation: false,
  }));
  const names = new Set([...layers.map((l) => l.name), ...model.outputNodes]);
  const output = model.outputNodes[0];
  const outLayer = layers.find((l) => l.name === clean(output));
  let disposed = false;

  const resolve = (tap: string) => {
    if (!names.has(tap)) unknownName('node', tap, [...names]);
    return tap;
  };

  const net: Net = {
    layers,
    inputShape: [shape[0], shape[1], channels],
    fullyConvolutional: shape[0] === null && shape[1] === null,
    outputs: model.outputNodes,
    logits: outLayer?.activation === 'softmax' ? outLayer.inputs[0] : output,
    mean: mapping.mean,
    toModelInput: (pixels) => mapping.toModelInput(pixels),
    forward(pixels, opts: ForwardOptions = {}) {
      if (disposed) throw new DeepvisError('DISPOSED', 'This Net was disposed; make a new one with toNet(model).');
      checkPixels(pixels, net);
      const rule = opts.rule ?? 'gradient';
      const taps = (opts.taps ?? model.outputNodes).map(resolve);
      const added = Object.entries(opts.add ?? {}).map(([name, t]) => [resolve(name), t] as const);
      const run = () => tf.tidy(() => {
        const x = mapping.toModelInput(pixels.dtype === 'float32' ? pixels : tf.cast(pixels, 'float32'));
        const feeds: Record<string, tf.Tensor> = { [input.name]: x };
        if (added.length > 0) {
          // The added-to nodes first; then the graph runs on with them fed in (the executor
          // stops at fed nodes).
          const at = list(model.execute(feeds, added.map(([name]) => name)));
          added.forEach(([name, extra], i) => (feeds[name] = addAt(name, at[i], extra)));
        }
        const ys = list(model.execute(feeds, [...taps]));
        return Object.fromEntries(taps.map((t, i) => [t, ys[i]]));
      });
      return rule === 'gradient' ? run() : withRuledRectifiers(rule, run);
    },
    predict(pixels) {
      return net.forward(pixels, { taps: [output] })[output];
    },
    layer(name) {
      const l = layers.find((x) => x.name === resolve(name));
      if (!l) throw new DeepvisError('UNKNOWN_LAYER', `Node '${name}' is an output with no recorded graph node.`);
      return l;
    },
    describe: () => describeLayers(net),
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(mapping.owned);
    },
    get disposed() {
      return disposed;
    },
  };
  return net;
}
