import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; tfjs-layers registers them all (in every module format).
import '@tensorflow/tfjs-layers';
import { DeepvisError, unknownName } from '../errors';
import { applyActivation, type Activation } from './activations';
import { addAt } from './add-at';
import { describeLayers } from './describe';
import { flattenLayersModel, isLayersModel, type GraphNode, type LayersGraph, type LayersModelLike } from './graph';
import { compileLayer, NotCompilable, type CompiledLayer, type LayerLike } from './layers';
import { pixelMapping, type PixelMapping } from './pixel-space';
import { prepareBackwardKernel } from './conv-grad';
import { graphModelToNet, isGraphModel } from './graph-model';
import { checkPixels, inputChannels } from './check-pixels';
import { PRE_ACTIVATION, type ForwardOptions, type LayerInfo, type Model, type Net, type ToNetOptions } from './types';

/** One step of the compiled forward pass. */
interface Step {
  readonly id: string;
  /** Values this step reads (for a folded BatchNorm: the convolution's inputs). */
  readonly inputs: readonly string[];
  readonly linear: (xs: tf.Tensor[]) => tf.Tensor;
  readonly activation: Activation | null;
}

/**
 * Compiles a TensorFlow.js model into a {@link Net}: plain tfjs-core ops, BatchNorm folded
 * into the convolution before it, every layer tappable in one pass, and 0–255 RGB pixels
 * mapped to the model's input.
 *
 * @example
 * ```ts
 * const model = await tf.loadLayersModel('darknet/model.json');
 * const net = toNet(model, { inputRange: [0, 1] });
 * const { leaky_re_lu_5, conv2d_16 } = net.forward(pixels, { taps: ['leaky_re_lu_5', 'conv2d_16'] });
 * console.log(net.describe());
 * ```
 */
export function toNet(model: Model, options: ToNetOptions = {}): Net {
  if (isGraphModel(model)) return graphModelToNet(model, options);
  if (!isLayersModel(model)) {
    throw new DeepvisError('BAD_VALUE', 'toNet expects a tfjs LayersModel (tf.loadLayersModel, tf.sequential, tf.model) or GraphModel (tf.loadGraphModel).');
  }
  return layersModelToNet(model, options);
}

function layersModelToNet(model: LayersModelLike, options: ToNetOptions): Net {
  if (model.inputs.length !== 1) {
    throw new DeepvisError('UNSUPPORTED', `deepvis needs a model with one image input; this one has ${model.inputs.length}.`);
  }
  const inputShape = model.inputs[0].shape.slice(1) as (number | null)[];
  const channels = inputChannels(inputShape);
  if (!weightsAlive(model)) throw new DeepvisError('DISPOSED', 'This model was disposed; load it again, then call toNet on it.');
  const graph = flattenLayersModel(model);
  const mapping = pixelMapping(options.inputRange, channels, options.mean);
  // Everything made so far is released if a later step throws.
  const owned: tf.Tensor[] = [...mapping.owned];
  try {
    return compileNet(model, graph, inputShape, channels, mapping, options, owned);
  } catch (e) {
    tf.dispose(owned);
    throw e;
  }
}

/** Compiles the flattened graph into the Net (its tensors go into `owned` as they are made). */
function compileNet(
  model: LayersModelLike, graph: LayersGraph, inputShape: (number | null)[], channels: number,
  mapping: PixelMapping, options: ToNetOptions, owned: tf.Tensor[],
): Net {
  const compiled = new Map<string, CompiledLayer | { fallback: string }>();
  for (const node of graph.nodes) {
    const c = compileOrFallback(node);
    compiled.set(node.id, c);
    if (!('fallback' in c)) owned.push(...c.owned);
  }

  const consumers = new Map<string, number>();
  for (const node of graph.nodes) for (const i of node.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of graph.outputs) consumers.set(o, (consumers.get(o) ?? 0) + 1);

  const notes = new Map<string, string>();
  const steps = new Map<string, Step>();
  // A folded pair runs unfolded when its convolution is tapped: the convolution once, then the
  // BatchNorm as the per-channel affine it is (a second, folded convolution would cost as much again).
  const unfolded = new Map<string, Step>();
  const foldedConv = new Map<string, string>(); // the convolution of each folded pair, by both ids
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));

  for (const node of graph.nodes) {
    const c = compiled.get(node.id)!;
    if ('fallback' in c) {
      steps.set(node.id, fallbackStep(node));
      continue;
    }
    const producer = node.inputs.length === 1 ? compiled.get(node.inputs[0]) : undefined;
    const canFold = options.foldBatchNorm !== false && c.batchNorm && producer && !('fallback' in producer) &&
      producer.affine && producer.activation?.kind === 'linear' && consumers.get(node.inputs[0]) === 1;
    if (canFold) {
      const { affine } = producer as CompiledLayer;
      const { scale, shift } = c.batchNorm!;
      const [kernel, bias] = tf.tidy(() => [
        affine!.scaleKernel(affine!.kernel, scale),
        tf.add(tf.mul(affine!.bias ?? 0, scale), shift),
      ]);
      owned.push(kernel, bias);
      const back = affine!.convKind && prepareBackwardKernel(affine!.convKind, kernel as tf.Tensor4D);
      if (back) owned.push(back);
      const conv = byId.get(node.inputs[0])!;
      unfolded.set(conv.id, steps.get(conv.id)!);
      unfolded.set(node.id, { id: node.id, inputs: node.inputs, linear: c.linear, activation: c.activation });
      foldedConv.set(conv.id, conv.id).set(node.id, conv.id);
      steps.delete(conv.id);
      steps.set(node.id, { id: node.id, inputs: conv.inputs, linear: ([x]) => affine!.run(x, kernel, bias), activation: null });
      notes.set(node.id, `folded into ${conv.id}`);
      notes.set(conv.id, `${node.id} folded in`);
      continue;
    }
    steps.set(node.id, { id: node.id, inputs: node.inputs, linear: c.linear, activation: c.activation });
  }

  const layers: LayerInfo[] = graph.nodes.map((node) => {
    const c = compiled.get(node.id)!;
    const fallback = 'fallback' in c;
    const act = fallback ? null : c.activation;
    return {
      name: node.id,
      className: node.layer.getClassName(),
      outputShape: node.outputShape,
      activation: act ? act.kind : null,
      inputs: node.inputs,
      compiled: !fallback,
      note: fallback ? `falls back to layer.apply: ${c.fallback}` : notes.get(node.id),
      geometry: fallback ? undefined : c.geometry,
      hasPreActivation: !!act && act.kind !== 'linear' && !(c as CompiledLayer).activationOnly,
    };
  });

  const layerNames = [...layers.map((l) => l.name), ...graph.aliases.keys()];
  const info = new Map(layers.map((l) => [l.name, l]));
  for (const [alias, target] of graph.aliases) info.set(alias, info.get(target)!);
  const fixesSize = [...compiled.values()].some((c) => !('fallback' in c) && c.fixesSize);
  const modelWeights = model.getWeights();
  let disposed = false;

  const resolve = (tap: string): { id: string; pre: boolean } => {
    const pre = tap.endsWith(PRE_ACTIVATION);
    const base = pre ? tap.slice(0, -PRE_ACTIVATION.length) : tap;
    const id = graph.aliases.get(base) ?? base;
    const layer = info.get(id);
    if (!layer) unknownName('layer', tap, layerNames);
    if (pre && !layer.hasPreActivation) {
      throw new DeepvisError('UNKNOWN_LAYER', `Layer '${base}' has no separate pre-activation value (its activation is ${layer.activation ?? 'none'}); tap '${base}' itself or its input.`);
    }
    return { id, pre };
  };

  const resolveAdded = (name: string): string => {
    const { id, pre } = resolve(name);
    if (pre) throw new DeepvisError('BAD_OPTION', `Option 'add' takes layer outputs; '${name}' is a pre-activation tap. Add at '${name.slice(0, -PRE_ACTIVATION.length)}' instead.`);
    return id;
  };

  const checkAlive = () => {
    if (disposed) throw new DeepvisError('DISPOSED', 'This Net was disposed; make a new one with toNet(model).');
    if (modelWeights.some((w) => w.isDisposed)) {
      throw new DeepvisError('DISPOSED', 'The model behind this Net was disposed; load the model again and call toNet on it.');
    }
  };

  const net: Net = {
    layers,
    inputShape: [inputShape[0], inputShape[1], channels],
    fullyConvolutional: !fixesSize,
    outputs: graph.outputs,
    logits: logitsTap(graph.outputs[0], steps, layers),
    mean: mapping.mean,
    toModelInput: (pixels) => mapping.toModelInput(pixels),
    forward(pixels, opts: ForwardOptions = {}) {
      checkAlive();
      checkPixels(pixels, net);
      const taps = (opts.taps ?? graph.outputs).map((t) => ({ tap: t, ...resolve(t) }));
      const rule = opts.rule ?? 'gradient';
      const added = new Map(Object.entries(opts.add ?? {}).map(([name, t]) => [resolveAdded(name), t]));
      return tf.tidy(() => {
        const wanted = new Set(taps.map((t) => t.id));
        const wantPre = new Set(taps.filter((t) => t.pre).map((t) => t.id));
        const values = new Map<string, tf.Tensor>();
        const pres = new Map<string, tf.Tensor>();
        // A folded convolution's own output exists only unfolded: when tapped or added to.
        const stepFor = (id: string) => {
          const conv = foldedConv.get(id);
          return conv !== undefined && (wanted.has(conv) || added.has(conv)) ? unfolded.get(id) : steps.get(id);
        };
        const needed = neededSteps([...wanted], stepFor);
        const set = (id: string, v: tf.Tensor) => values.set(id, added.has(id) ? addAt(id, v, added.get(id)!) : v);
        const x = mapping.toModelInput(pixels.dtype === 'float32' ? pixels : tf.cast(pixels, 'float32'));
        for (const id of graph.inputs) set(id, x);
        for (const node of graph.nodes) {
          if (!needed.has(node.id) || values.has(node.id)) continue;
          const step = stepFor(node.id)!;
          const pre = step.linear(step.inputs.map((i) => values.get(i)!));
          if (wantPre.has(node.id)) pres.set(node.id, pre);
          set(node.id, step.activation ? applyActivation(pre, step.activation, rule) : pre);
        }
        const out: Record<string, tf.Tensor> = {};
        for (const t of taps) out[t.tap] = t.pre ? pres.get(t.id)! : values.get(t.id)!;
        return out;
      });
    },
    predict(pixels) {
      const first = graph.outputs[0];
      return net.forward(pixels, { taps: [first] })[first];
    },
    layer(name) {
      return info.get(resolve(name).id)!;
    },
    describe: () => describeLayers(net),
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(owned);
    },
    get disposed() {
      return disposed;
    },
  };
  return net;
}

/** `false` when the model's weights were disposed (tfjs-layers throws on reading them). */
function weightsAlive(model: LayersModelLike): boolean {
  try {
    return !model.getWeights().some((w) => w.isDisposed);
  } catch {
    return false;
  }
}

function compileOrFallback(node: GraphNode): CompiledLayer | { fallback: string } {
  try {
    return compileLayer(node.layer);
  } catch (e) {
    if (e instanceof NotCompilable) return { fallback: e.message };
    throw e;
  }
}

function fallbackStep(node: GraphNode): Step {
  const layer: LayerLike = node.layer;
  return {
    id: node.id,
    inputs: node.inputs,
    linear: (xs) => {
      const y = layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(y) ? y[node.outputIndex] : y;
    },
    activation: null,
  };
}

/** Every step that must run to produce `targets`. */
function neededSteps(targets: string[], stepFor: (id: string) => Step | undefined): Set<string> {
  const needed = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    stack.push(...(stepFor(id)?.inputs ?? []));
  }
  return needed;
}

/** The tap with the pre-softmax scores of `output`. */
function logitsTap(output: string, steps: Map<string, Step>, layers: LayerInfo[]): string {
  const step = steps.get(output);
  const layer = layers.find((l) => l.name === output)!;
  if (layer.activation !== 'softmax') return output;
  return layer.hasPreActivation ? output + PRE_ACTIVATION : step!.inputs[0];
}
