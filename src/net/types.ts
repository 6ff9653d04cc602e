import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { GraphModelLike } from './graph-model';

/**
 * The nonlinearity a layer ends in. Backward rules (deconv, guided backprop) act on the
 * rectifiers: `relu`, `relu6` and `leakyRelu`.
 */
export type ActivationKind =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'softmax'
  | 'sigmoid'
  | 'hardSigmoid'
  | 'tanh'
  | 'swish'
  | 'gelu'
  | 'softplus'
  | 'softsign'
  | 'other';

/**
 * How the backward pass treats a rectifier with forward input z and incoming signal g:
 * - `gradient`: the true derivative (plain backprop);
 * - `deconv`: `max(g, 0)`, ignoring the forward mask (Zeiler & Fergus);
 * - `guided`: `max(g, 0)` times the true derivative (Springenberg et al.).
 */
export type BackwardRule = 'gradient' | 'deconv' | 'guided';

/** Static facts about one layer of a {@link Net}. */
export interface LayerInfo {
  /** The tap name: the layer's own name (nested models: `outer/inner`). */
  readonly name: string;
  /** The tfjs class name (`Conv2D`, `LeakyReLU`…) or graph op. */
  readonly className: string;
  /** Output shape without the batch dimension; `null` entries vary with the input size. */
  readonly outputShape: readonly (number | null)[];
  /** The nonlinearity the layer ends in, if it is one. */
  readonly activation: ActivationKind | null;
  /** Tap names of the layers that feed this one. */
  readonly inputs: readonly string[];
  /** `true` when the Net runs its own plain-op version; `false` when it calls the layer's `apply`. */
  readonly compiled: boolean;
  /** Why a layer fell back to its own `apply`, or what was folded into it. */
  readonly note?: string;
  /** Convolution / pooling geometry, where the layer has one (used for receptive fields). */
  readonly geometry?: LayerGeometry;
  /** Whether a pre-activation tap `name + PRE_ACTIVATION` exists. */
  readonly hasPreActivation: boolean;
}

/** Spatial geometry of a windowed layer (convolution or pooling). */
export interface LayerGeometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: 'same' | 'valid' | readonly [readonly [number, number], readonly [number, number]];
}

/** Suffix of the tap that holds a layer's value before its inline activation. */
export const PRE_ACTIVATION = '/pre';

/**
 * How 0–255 RGB pixels map to the model's own input.
 * - `[0, 1]`, `[-1, 1]`, `[0, 255]`: a linear map of 0–255 onto that range;
 * - `{ mean, std?, bgr? }`: caffe-style `(pixel − mean) / std`, optionally in BGR order
 *   (`mean` and `std` are given in RGB order, 0–255 scale);
 * - a function from the `[n, h, w, 3]` pixel tensor to the model's input.
 */
export type InputRange =
  | readonly [number, number]
  | { readonly mean: readonly number[]; readonly std?: readonly number[]; readonly bgr?: boolean }
  | ((pixels: tf.Tensor4D) => tf.Tensor4D);

/** Options for {@link toNet}. */
export interface ToNetOptions {
  /** How 0–255 pixels map to the model input. Default `[0, 1]`. */
  inputRange?: InputRange;
  /**
   * The RGB pixel value that counts as "zero" in centred pixel space (the toolbox's mean
   * image). Default: the caffe-style mean when one is given, else the ImageNet mean
   * `[123.68, 116.779, 103.939]`.
   */
  mean?: readonly [number, number, number];
  /** Fold BatchNormalization into the preceding convolution or dense layer. Default `true`. */
  foldBatchNorm?: boolean;
}

/** Options for {@link Net.forward}. */
export interface ForwardOptions {
  /** Layer names (or `name/pre`) whose values to return. Default: the model outputs. */
  taps?: readonly string[];
  /** How rectifiers behave in the backward pass. Default `'gradient'`. */
  rule?: BackwardRule;
  /**
   * Tensors added to layers' outputs as the pass computes them (each the shape of its layer's
   * output, or one that broadcasts to it: `[n, 1, 1, c]` adds per channel), which every later
   * layer and tap then sees. Differentiating with respect to one gives the gradient at that
   * layer (summed over the broadcast dimensions):
   * `tf.grad(d => score(net.forward(x, { add: { conv5: d } })))(zeros)`.
   */
  add?: Readonly<Record<string, tf.Tensor>>;
}

/**
 * A model compiled once into a frozen, differentiable, inspectable function of pixels.
 * Made by {@link toNet}. Forward passes accept 0–255 RGB pixels `[n, h, w, 3]`.
 */
export interface Net {
  /** Every layer, in an order where each layer comes after its inputs. */
  readonly layers: readonly LayerInfo[];
  /** The model's input size `[h, w, channels]`; `h`/`w` are `null` when free. */
  readonly inputShape: readonly [number | null, number | null, number];
  /** `true` when the net accepts any spatial size (no Flatten/Dense over space). */
  readonly fullyConvolutional: boolean;
  /** Names of the model outputs. */
  readonly outputs: readonly string[];
  /** The tap that holds the pre-softmax scores of the (first) output. */
  readonly logits: string;
  /** The RGB pixel value that is "zero" in centred pixel space. */
  readonly mean: readonly [number, number, number];
  /** Maps `[n, h, w, 3]` 0–255 pixels to the model's own input. */
  toModelInput(pixels: tf.Tensor4D): tf.Tensor4D;
  /** One pass; returns the named taps (the caller owns them). */
  forward(pixels: tf.Tensor4D, options?: ForwardOptions): Record<string, tf.Tensor>;
  /** The first model output (for a classifier, its scores). */
  predict(pixels: tf.Tensor4D): tf.Tensor;
  /** The info of one layer; throws listing the closest names when unknown. */
  layer(name: string): LayerInfo;
  /** A readable table of the layers: name, class, output shape, activation, compiled or not. */
  describe(): string;
  /** Releases the Net's own tensors (folded weights). The model itself stays the caller's. */
  dispose(): void;
  /** `true` after {@link Net.dispose}. */
  readonly disposed: boolean;
}

/**
 * The models deepvis compiles: a tfjs-layers `LayersModel` (`tf.loadLayersModel`,
 * `tf.sequential`, `tf.model`) or a tfjs-converter `GraphModel` (`loadGraphModel`; typed by
 * the part deepvis uses, so tfjs-converter stays optional).
 */
export type Model = LayersModel | GraphModelLike;

/** What the tools take: a compiled {@link Net}, or a {@link Model} they compile (default options) for the call and release after. */
export type NetOrModel = Net | Model;
