import { DeepvisError, checkOption } from '../errors';
import type { LayerGeometry, LayerInfo, Net } from './types';
import { layerWindow, windowSpan } from './window';

/**
 * The input patch one unit of a layer can see: unit `(y, x)` sees input rows
 * `y·stride[0] − padding[0] … y·stride[0] − padding[0] + size[0] − 1` and the columns
 * alike. Rows and columns may lie outside the image (negative, or past its edge).
 * A stride of 0 means every unit sees the same patch (layers after global pooling).
 */
export interface ReceptiveField {
  readonly size: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** Options for {@link receptiveField}. */
export interface ReceptiveFieldOptions {
  /**
   * The input size `[h, w]` the net runs at. 'same' padding with a stride above 1 depends
   * on it. Default: the net's own input size, when fixed.
   */
  inputSize?: readonly [number, number];
}

/** One axis of a field: unit y sees input `y·s − p … y·s + e`; n is the map's size (null: unknown). */
interface Axis {
  readonly s: number;
  readonly p: number;
  readonly e: number;
  readonly n: number | null;
}
type Field = readonly [Axis, Axis];

// Layers that act on each position alone (or mix channels only): the field passes through.
const POINTWISE = new Set([
  'InputLayer', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'BatchNormalization', 'LayerNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax',
  'Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum', 'Concatenate',
]);
// Layers that pool or flatten space: every output sees the whole input.
const GLOBAL = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape']);

/**
 * The receptive field of `layer`'s units, computed from the net's own layer table:
 * kernels, strides, dilations, 'same'/'valid'/explicit paddings (ZeroPadding2D included)
 * and pools, composed from the input. Where branches meet, the field is the envelope
 * of the branches' fields. Layers without spatial positions (after global pooling,
 * Flatten, Dense) see the whole input, with stride 0.
 *
 * @example
 * ```ts
 * const field = receptiveField(net, 'leaky_re_lu_5');   // { size: [22, 22], stride: [4, 4], padding: [9, 9] }
 * const top = 3 * field.stride[0] - field.padding[0];    // first input row unit (3, x) sees
 * ```
 */
export function receptiveField(net: Net, layer: string, options: ReceptiveFieldOptions = {}): ReceptiveField {
  const target = net.layer(layer).name;
  const size = inputSize(net, options.inputSize);
  const info = new Map(net.layers.map((l) => [l.name, l]));
  const memo = new Map<string, Field>();
  const fieldOf = (name: string): Field => {
    const known = memo.get(name);
    if (known) return known;
    const l = info.get(name);
    if (!l) throw new DeepvisError('UNSUPPORTED', `Layer '${name}' is not in the net's layer table; its receptive field is unknown.`);
    const f = l.inputs.length === 0 ? start(size) : step(l, l.inputs.map(fieldOf), target, size);
    memo.set(name, f);
    return f;
  };
  const [fy, fx] = fieldOf(target);
  return { size: [fy.e + fy.p + 1, fx.e + fx.p + 1], stride: [fy.s, fx.s], padding: [fy.p, fx.p] };
}

function inputSize(net: Net, given: readonly [number, number] | undefined): readonly [number | null, number | null] {
  const [h, w] = net.inputShape;
  if (given === undefined) return [h, w];
  checkOption(
    Array.isArray(given) && given.length === 2 && given.every((v) => Number.isInteger(v) && v > 0),
    'inputSize', 'two positive integers [h, w]', given,
  );
  if (!net.fullyConvolutional && ((h !== null && given[0] !== h) || (w !== null && given[1] !== w))) {
    throw new DeepvisError('BAD_OPTION', `Option 'inputSize' must be [${h}, ${w}] for this net (it flattens space); got ${JSON.stringify(given)}.`);
  }
  return given;
}

const start = (size: readonly [number | null, number | null]): Field => [
  { s: 1, p: 0, e: 0, n: size[0] },
  { s: 1, p: 0, e: 0, n: size[1] },
];

/** The field of one layer from the fields of its inputs. */
function step(l: LayerInfo, inputs: Field[], target: string, size: readonly [number | null, number | null]): Field {
  const spatial = l.outputShape.length === 0 || l.outputShape.length === 3;
  const perAxis = (fn: (axis: 0 | 1) => Axis): Field => [fn(0), fn(1)];
  if (GLOBAL.has(l.className) || !spatial) {
    const whole = inputs.map((f) => everything(f, size));
    return perAxis((a) => envelope(whole.map((f) => f[a]), size[a]));
  }
  if (l.geometry) return perAxis((a) => windowed(inputs[0][a], l.geometry!, a, l, target));
  if (POINTWISE.has(l.className) || l.className === 'Dense') return perAxis((a) => envelope(inputs.map((f) => f[a]), size[a]));
  throw new DeepvisError(
    'UNSUPPORTED',
    `Cannot compute the receptive field of '${target}': layer '${l.name}' (${l.className}) has no known geometry` +
      `${l.compiled ? '' : ` (${l.note ?? 'it falls back to its own apply'})`}. Supported: convolutions, pools, ZeroPadding2D, pointwise and merge layers.`,
  );
}

/**
 * A field covering every unit of `f` at once, with stride 0, clipped to the image: a
 * patch every unit shares needs no room for padding.
 */
function everything(f: Field, size: readonly [number | null, number | null]): Field {
  const all = (a: Axis, image: number | null): Axis => {
    const last = a.s === 0 ? a.e : a.n === null ? unknownSize() : (a.n - 1) * a.s + a.e;
    return { s: 0, p: Math.min(a.p, 0), e: image === null ? last : Math.min(last, image - 1), n: null };
  };
  return [all(f[0], size[0]), all(f[1], size[1])];
}

function unknownSize(): never {
  throw new DeepvisError('BAD_OPTION', `This field depends on the input size, which the net leaves free; pass { inputSize: [h, w] }.`);
}

/** The smallest field holding all of `fields` for every unit. */
function envelope(fields: Axis[], image: number | null): Axis {
  const [first] = fields;
  if (fields.every((f) => f.s === first.s)) {
    return { s: first.s, p: Math.max(...fields.map((f) => f.p)), e: Math.max(...fields.map((f) => f.e)), n: first.n };
  }
  // Branches with different strides: one patch that holds every unit of every branch.
  const flat = fields.map((f) => everything([f, f], [image, image])[0]);
  return { s: 0, p: Math.max(...flat.map((f) => f.p)), e: Math.max(...flat.map((f) => f.e)), n: first.n };
}

/** Padding before the first position along one axis, as tfjs computes it. */
function padBefore(g: LayerGeometry, axis: 0 | 1, n: number | null, l: LayerInfo, target: string): number {
  if (n === null && g.padding === 'same' && g.strides[axis] > 1) {
    throw new DeepvisError('BAD_OPTION', `The receptive field of '${target}' depends on the input size (layer '${l.name}' pads 'same' with stride ${g.strides[axis]}) and the net leaves it free; pass { inputSize: [h, w] }.`);
  }
  // Any other padding is the same at every input size.
  return layerWindow(g, axis, n ?? 1).before;
}

/** A window of `kernel` taps `dilation` apart, moved by `stride`: y sees inputs y·t − q … y·t − q + span − 1. */
function windowed(a: Axis, g: LayerGeometry, axis: 0 | 1, l: LayerInfo, target: string): Axis {
  const span = windowSpan(g.kernel[axis], g.dilations[axis]);
  const t = g.strides[axis];
  const n = a.n === null ? null : layerWindow(g, axis, a.n).out;
  if (a.s === 0) return { ...a, n };
  const q = padBefore(g, axis, a.n, l, target);
  return { s: t * a.s, p: q * a.s + a.p, e: (span - 1 - q) * a.s + a.e, n };
}
