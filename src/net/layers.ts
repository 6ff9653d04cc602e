import * as tf from '@tensorflow/tfjs-core';
import { activationFromIdentifier, type Activation } from './activations';
import type { LayerGeometry } from './types';
import { convolve, prepareBackwardKernel } from './conv-grad';
import { maxPool } from './pool-grad';

/**
 * The minimal view of a tfjs-layers Layer the compiler reads: public methods only
 * (`getClassName`, `getConfig`, `getWeights`, `apply`).
 */
export interface LayerLike {
  readonly name: string;
  getClassName(): string;
  getConfig(): Record<string, any>;
  getWeights(): tf.Tensor[];
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[] | unknown;
}

/** An affine layer whose kernel and bias BatchNorm can be folded into. */
export interface Affine {
  /** Runs the layer's linear part with the given kernel(s) and bias. */
  run(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor;
  /** The kernel that BN scales per output channel. */
  kernel: tf.Tensor;
  bias: tf.Tensor | null;
  /** Scales the kernel by a per-output-channel factor. */
  scaleKernel(kernel: tf.Tensor, scale: tf.Tensor): tf.Tensor;
  /** Which convolution `run` applies the kernel with, for a prepared backward kernel. */
  convKind?: 'conv' | 'depthwise';
}

/** A layer compiled to plain tfjs-core ops: a linear part, then an activation. */
export interface CompiledLayer {
  /** The layer's value before its activation. */
  linear(xs: tf.Tensor[]): tf.Tensor;
  activation: Activation | null;
  geometry?: LayerGeometry;
  /** Present on Conv2D / DepthwiseConv2D / SeparableConv2D / Dense: what BN can fold into. */
  affine?: Affine;
  /** Present on BatchNormalization: per-channel scale and shift, `y = x·scale + shift`. */
  batchNorm?: { scale: tf.Tensor; shift: tf.Tensor };
  /** True for layers that are only an activation (their input is the pre-activation value). */
  activationOnly?: boolean;
  /** True for layers that tie the net to one input size (Flatten, Reshape). */
  fixesSize?: boolean;
  /** Tensors this compiled layer created and owns. */
  owned: tf.Tensor[];
}

/** Why a layer cannot be compiled (it then falls back to its own `apply`). */
export class NotCompilable extends Error {}

const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]);

function requireChannelsLast(config: Record<string, any>): void {
  if (config.dataFormat && config.dataFormat !== 'channelsLast') {
    throw new NotCompilable(`dataFormat ${config.dataFormat}`);
  }
}

function activationOf(config: Record<string, any>): Activation {
  const act = activationFromIdentifier(config.activation);
  if (!act) throw new NotCompilable(`activation '${config.activation}'`);
  return act;
}

function padding(config: Record<string, any>): 'same' | 'valid' {
  if (config.padding !== 'same' && config.padding !== 'valid') throw new NotCompilable(`padding '${config.padding}'`);
  return config.padding;
}

function geometry(kernel: number[] | number, config: Record<string, any>): LayerGeometry {
  return {
    kernel: pair(kernel),
    strides: pair(config.strides ?? kernel),
    dilations: pair(config.dilationRate ?? 1),
    padding: padding(config),
  };
}

const addBias = (y: tf.Tensor, bias: tf.Tensor | null) => (bias ? tf.add(y, bias) : y);

/**
 * A dilated kernel written out with zeros between taps. tfjs has no gradient for dilated
 * convolutions; the equivalent undilated convolution has one (and the same 'same' padding,
 * which tfjs computes from the effective kernel size).
 */
function dilateKernel(kernel: tf.Tensor, [dy, dx]: readonly [number, number]): tf.Tensor {
  if (dy === 1 && dx === 1) return kernel;
  const [kh, kw] = kernel.shape as number[];
  return tf.tidy(() => {
    const spread = (t: tf.Tensor, axis: number, d: number, n: number) => {
      if (d === 1) return t;
      const parts: tf.Tensor[] = [];
      tf.unstack(t, axis).forEach((slice, i) => {
        parts.push(slice);
        if (i < n - 1) for (let z = 1; z < d; z++) parts.push(tf.zerosLike(slice));
      });
      return tf.stack(parts, axis);
    };
    return spread(spread(kernel, 0, dy, kh), 1, dx, kw);
  });
}

/** Shared by Conv2D and DepthwiseConv2D: the op, with dilations written into the kernel. */
function windowed(
  layer: LayerLike,
  c: Record<string, any>,
  kind: 'conv' | 'depthwise',
  scaleKernel: Affine['scaleKernel'],
): CompiledLayer {
  const [weight, bias = null] = layer.getWeights();
  const g = geometry(c.kernelSize, c);
  const dilated = g.dilations[0] > 1 || g.dilations[1] > 1;
  if (dilated && (g.strides[0] > 1 || g.strides[1] > 1)) throw new NotCompilable('dilation with stride > 1');
  const kernel = dilateKernel(weight, g.dilations);
  const back = prepareBackwardKernel(kind, kernel as tf.Tensor4D);
  const run = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor | null) =>
    addBias(convolve(kind, x as tf.Tensor4D, k as tf.Tensor4D, g.strides, g.padding as 'same'), b);
  return {
    linear: ([x]) => run(x, kernel, bias),
    activation: activationOf(c),
    geometry: g,
    affine: { run, kernel, bias, scaleKernel, convKind: kind },
    owned: [...(dilated ? [kernel] : []), ...(back ? [back] : [])],
  };
}

const conv2d = (layer: LayerLike, c: Record<string, any>) => windowed(layer, c, 'conv', (k, s) => tf.mul(k, s));

// Output channel i·multiplier + m comes from kernel[..., i, m].
const depthwiseConv2d = (layer: LayerLike, c: Record<string, any>) =>
  windowed(layer, c, 'depthwise', (k, s) => tf.mul(k, tf.reshape(s, [k.shape[2] as number, k.shape[3] as number])));

function separableConv2d(layer: LayerLike, c: Record<string, any>): CompiledLayer {
  const [weight, pointwise, bias = null] = layer.getWeights();
  const g = geometry(c.kernelSize, c);
  const dilated = g.dilations[0] > 1 || g.dilations[1] > 1;
  if (dilated && (g.strides[0] > 1 || g.strides[1] > 1)) throw new NotCompilable('dilation with stride > 1');
  const depthwise = dilateKernel(weight, g.dilations);
  const backs = [prepareBackwardKernel('depthwise', depthwise as tf.Tensor4D), prepareBackwardKernel('conv', pointwise as tf.Tensor4D)];
  const run = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor | null) => {
    const d = convolve('depthwise', x as tf.Tensor4D, depthwise as tf.Tensor4D, g.strides, g.padding as 'same');
    return addBias(convolve('conv', d, k as tf.Tensor4D, [1, 1], 'valid'), b);
  };
  return {
    linear: ([x]) => run(x, pointwise, bias),
    activation: activationOf(c),
    geometry: g,
    affine: { run, kernel: pointwise, bias, scaleKernel: (k, s) => tf.mul(k, s), convKind: 'conv' },
    owned: [...(dilated ? [depthwise] : []), ...backs.filter((b): b is tf.Tensor4D => !!b)],
  };
}

function dense(layer: LayerLike, c: Record<string, any>): CompiledLayer {
  const [kernel, bias = null] = layer.getWeights();
  const run = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor | null) => {
    if (x.rank === 2) return addBias(tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D), b);
    const lead = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, x.shape[x.rank - 1] as number]) as tf.Tensor2D;
    return addBias(tf.reshape(tf.matMul(flat, k as tf.Tensor2D), [...lead, k.shape[1] as number]), b);
  };
  return {
    linear: ([x]) => run(x, kernel, bias),
    activation: activationOf(c),
    affine: { run, kernel, bias, scaleKernel: (k, s) => tf.mul(k, s) },
    owned: [],
  };
}

function batchNormalization(layer: LayerLike, c: Record<string, any>): CompiledLayer {
  if (c.axis !== -1 && !(Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1)) {
    throw new NotCompilable(`axis ${JSON.stringify(c.axis)}`);
  }
  const weights = [...layer.getWeights()];
  const gamma = c.scale ? weights.shift()! : null;
  const beta = c.center ? weights.shift()! : null;
  const [mean, variance] = weights;
  const [scale, shift] = tf.tidy(() => {
    const s = tf.div(gamma ?? 1, tf.sqrt(tf.add(variance, c.epsilon)));
    const b = tf.sub(beta ?? 0, tf.mul(mean, s));
    return [s, b];
  });
  return {
    linear: ([x]) => tf.add(tf.mul(x, scale), shift),
    activation: null,
    batchNorm: { scale, shift },
    owned: [scale, shift],
  };
}

function pooling(kind: 'max' | 'avg', c: Record<string, any>): CompiledLayer {
  requireChannelsLast(c);
  const g = geometry(c.poolSize, c);
  const op = kind === 'max' ? maxPool : (x: tf.Tensor4D, k: readonly [number, number], s: readonly [number, number], p: 'same' | 'valid') =>
    tf.avgPool(x, k as [number, number], s as [number, number], p);
  return {
    linear: ([x]) => op(x as tf.Tensor4D, g.kernel, g.strides, g.padding as 'same'),
    activation: null,
    geometry: g,
    owned: [],
  };
}

const plain = (linear: (xs: tf.Tensor[]) => tf.Tensor, activation: Activation | null = null): CompiledLayer =>
  ({ linear, activation, owned: [] });

const identity = plain(([x]) => x);

/** A layer that is only an activation: its input is its pre-activation value. */
const activationLayer = (activation: Activation): CompiledLayer => ({ ...plain(([x]) => x, activation), activationOnly: true });

/** Compiles one layer, or throws {@link NotCompilable}. */
export function compileLayer(layer: LayerLike): CompiledLayer {
  const c = layer.getConfig();
  const className = layer.getClassName();
  if ('dataFormat' in c) requireChannelsLast(c);
  switch (className) {
    case 'InputLayer':
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      return identity;
    case 'Conv2D': return conv2d(layer, c);
    case 'DepthwiseConv2D': return depthwiseConv2d(layer, c);
    case 'SeparableConv2D': return separableConv2d(layer, c);
    case 'Dense': return dense(layer, c);
    case 'BatchNormalization': return batchNormalization(layer, c);
    case 'Activation': return activationLayer(activationOf(c));
    case 'ReLU': return activationLayer(c.maxValue === 6 ? { kind: 'relu6', max: 6 } : c.maxValue != null ? { kind: 'relu', max: c.maxValue } : { kind: 'relu' });
    case 'LeakyReLU': return activationLayer({ kind: 'leakyRelu', alpha: c.alpha ?? 0.3 });
    case 'ELU': return activationLayer({ kind: 'elu', alpha: c.alpha ?? 1 });
    case 'Softmax': return activationLayer({ kind: 'softmax', axis: c.axis ?? -1 });
    case 'MaxPooling2D': return pooling('max', c);
    case 'AveragePooling2D': return pooling('avg', c);
    case 'GlobalAveragePooling2D': return plain(([x]) => tf.mean(x, [1, 2]));
    case 'GlobalMaxPooling2D': return plain(([x]) => tf.max(x, [1, 2]));
    case 'Add': return plain((xs) => xs.reduce((a, b) => tf.add(a, b)));
    case 'Multiply': return plain((xs) => xs.reduce((a, b) => tf.mul(a, b)));
    case 'Subtract': return plain(([a, b]) => tf.sub(a, b));
    case 'Average': return plain((xs) => tf.div(xs.reduce((a, b) => tf.add(a, b)), xs.length));
    case 'Maximum': return plain((xs) => xs.reduce((a, b) => tf.maximum(a, b)));
    case 'Minimum': return plain((xs) => xs.reduce((a, b) => tf.minimum(a, b)));
    case 'Concatenate': return plain((xs) => tf.concat(xs, c.axis ?? -1));
    case 'Flatten': return { ...plain(([x]) => tf.reshape(x, [x.shape[0], -1])), fixesSize: true };
    case 'Reshape': return { ...plain(([x]) => tf.reshape(x, [x.shape[0], ...c.targetShape])), fixesSize: true };
    case 'ZeroPadding2D': {
      const [[top, bottom], [left, right]] = normalizePadding(c.padding);
      // A 1×1 window with explicit padding: what receptive fields need to know about it.
      const g: LayerGeometry = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: [[top, bottom], [left, right]] };
      return { ...plain(([x]) => tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])), geometry: g };
    }
    default:
      throw new NotCompilable(`no compiled form for ${className}`);
  }
}

function normalizePadding(p: number | [number, number] | [[number, number], [number, number]]): [[number, number], [number, number]] {
  if (typeof p === 'number') return [[p, p], [p, p]];
  if (typeof p[0] === 'number') return [[p[0], p[0]], [p[1] as number, p[1] as number]];
  return p as [[number, number], [number, number]];
}
