import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption, formatValue } from '../errors';
import type { LayerInfo, Net } from '../net/types';
import type { BoundObjective, Objective } from './types';
import { constant } from '../constant';

/** Where a channel is read: the map's centre (the toolbox's choice), a position, or its spatial mean. */
export type ChannelAt = 'center' | 'mean' | readonly [number, number];

/** Options for {@link channel}. */
export interface ChannelOptions {
  /** Default `'center'`: `[floor(h / 2), floor(w / 2)]`, as the toolbox. */
  at?: ChannelAt;
}

function checkChannel(info: LayerInfo, c: number): void {
  const count = info.outputShape[info.outputShape.length - 1];
  if (!Number.isInteger(c) || c < 0 || (count !== null && c >= count)) {
    throw new DeepvisError('OUT_OF_RANGE', `Channel ${formatValue(c)} is out of range for layer '${info.name}': it has ${count} channels (0–${(count ?? 1) - 1}).`);
  }
}

/** Checks a position against a map of size h × w. */
function checkPosition(layer: string, y: number, x: number, h: number, w: number): void {
  if (!Number.isInteger(y) || !Number.isInteger(x) || y < 0 || x < 0 || y >= h || x >= w) {
    throw new DeepvisError('OUT_OF_RANGE', `Position [${y}, ${x}] is outside layer '${layer}', whose map is ${h}×${w} (y 0–${h - 1}, x 0–${w - 1}) at this input size.`);
  }
}

/** A layer's channel values at one place, `[n, channels]`: the centre, `[y, x]`, the spatial mean, or a dense layer itself. */
function channelsAt(y: tf.Tensor, at: ChannelAt, layer: string, who: string): tf.Tensor2D {
  if (y.rank === 2) return y as tf.Tensor2D;
  if (y.rank !== 4) throw new DeepvisError('UNSUPPORTED', `${who}() reads [n, h, w, c] or [n, c] layers; '${layer}' gives rank ${y.rank}.`);
  const [, h, w, k] = y.shape;
  if (at === 'mean') return tf.mean(y, [1, 2]) as tf.Tensor2D;
  const [py, px] = at === 'center' ? [Math.floor(h / 2), Math.floor(w / 2)] : at;
  checkPosition(layer, py, px, h, w);
  return tf.reshape(tf.slice(y, [0, py, px, 0], [-1, 1, 1, -1]), [-1, k]) as tf.Tensor2D;
}

/**
 * One channel of a layer: its value at the centre of the map (default, as the toolbox),
 * at `[y, x]`, or averaged over space (`'mean'`). On a dense layer, the unit itself.
 *
 * @example
 * ```ts
 * const o = channel('leaky_re_lu_13', 42);                 // centre
 * const m = channel('leaky_re_lu_13', 42, { at: 'mean' });
 * ```
 */
export function channel(layer: string, c: number, options: ChannelOptions = {}): Objective {
  const at = options.at ?? 'center';
  checkOption(at === 'center' || at === 'mean' || (Array.isArray(at) && at.length === 2), 'at', "'center', 'mean' or [y, x]", at);
  const where = typeof at === 'string' ? at : `[${at.join(', ')}]`;
  return {
    name: `${layer}:${c}@${where}`,
    bind(net: Net): BoundObjective {
      const info = net.layer(layer);
      checkChannel(info, c);
      if (Array.isArray(at)) {
        // The table's map size holds only where the input size is fixed; otherwise each pass checks.
        const [h, w] = info.outputShape;
        if (!net.fullyConvolutional && info.outputShape.length === 3 && h !== null && w !== null) checkPosition(layer, at[0], at[1], h, w);
        else checkOption(at.every((v) => Number.isInteger(v) && v >= 0), 'at', '[y, x] with integers ≥ 0', at);
      }
      // The unit's value [n] and its layer's values at the same place [n, channels].
      const read = (y: tf.Tensor): { unit: tf.Tensor1D; all: tf.Tensor2D } => {
        checkChannel({ ...info, outputShape: y.shape.slice(1) }, c);
        const all = channelsAt(y, at, layer, 'channel');
        return { unit: tf.reshape(tf.slice(all, [0, c], [-1, 1]), [-1]) as tf.Tensor1D, all };
      };
      return {
        taps: [layer],
        value: (taps) => read(taps[layer]).unit,
        isArgmax: (taps) => tf.tidy(() => tf.cast(tf.equal(tf.argMax(read(taps[layer]).all, 1), constant(c, 'int32')), 'float32') as tf.Tensor1D),
      };
    },
  };
}

/**
 * One neuron: channel `c` of `layer` at position `[y, x]`. Shorthand for
 * `channel(layer, c, { at: [y, x] })`.
 *
 * @example
 * ```ts
 * const o = neuron('leaky_re_lu_5', 3, 10, 12);
 * ```
 */
export function neuron(layer: string, c: number, y: number, x: number): Objective {
  return channel(layer, c, { at: [y, x] });
}

/**
 * The pre-softmax score of class `k` (the tap `net.logits`).
 *
 * @example
 * ```ts
 * const flamingo = classLogit(130);
 * ```
 */
export function classLogit(k: number): Objective {
  return {
    name: `logit:${k}`,
    bind(net) {
      const info = net.layer(net.logits);
      const count = info.outputShape[info.outputShape.length - 1];
      if (!Number.isInteger(k) || k < 0 || (count !== null && k >= count)) {
        throw new DeepvisError('OUT_OF_RANGE', `Class ${formatValue(k)} is out of range: the model has ${count} classes (0–${(count ?? 1) - 1}).`);
      }
      return channel(net.logits, k).bind(net);
    },
  };
}

/** Options for {@link objective}. */
export interface CustomObjectiveOptions {
  /** The taps `fn` reads. Default: every layer of the net (one full forward pass). */
  taps?: readonly string[];
}

/**
 * A custom objective: `fn` receives the taps of one forward pass and returns one score
 * per image `[n]` (or a scalar for a batch of one). Name the taps it reads to skip the rest.
 *
 * @example
 * ```ts
 * const energy = objective('conv3 energy', (t) => tf.mean(tf.square(t.leaky_re_lu_7), [1, 2, 3]), { taps: ['leaky_re_lu_7'] });
 * ```
 */
export function objective(
  name: string,
  fn: (taps: Record<string, tf.Tensor>, net: Net) => tf.Tensor,
  options: CustomObjectiveOptions = {},
): Objective {
  checkOption(typeof name === 'string', 'name', 'a string', name);
  checkOption(typeof fn === 'function', 'fn', 'a function of the taps', fn);
  const wanted = options.taps;
  checkOption(wanted === undefined || (Array.isArray(wanted) && wanted.every((t) => typeof t === 'string')), 'taps', 'an array of layer names', wanted);
  return {
    name,
    bind(net) {
      const taps = wanted ?? net.layers.map((l) => l.name);
      for (const t of taps) net.layer(t);
      return {
        taps,
        value: (values) => {
          const v = fn(values, net);
          if (!v || typeof v !== 'object' || !('rank' in v) || v.rank > 1) {
            throw new DeepvisError('BAD_VALUE', `Objective '${name}' must return one score per image ([n] tensor) or a scalar; got ${v && typeof v === 'object' && 'shape' in v ? `shape [${(v as tf.Tensor).shape.join(', ')}]` : typeof v}.`);
          }
          return tf.reshape(v, [-1]) as tf.Tensor1D;
        },
      };
    },
  };
}

/**
 * The sum of objectives (their taps read in one forward pass).
 *
 * @example
 * ```ts
 * const both = add(classLogit(1), classLogit(2));
 * ```
 */
export function add(...objectives: Objective[]): Objective {
  objectives.forEach((o, i) => checkOption(!!o && typeof o.bind === 'function', `objectives[${i}]`, 'an Objective', o));
  return {
    name: objectives.map((o) => o.name).join(' + '),
    bind(net) {
      const bound = objectives.map((o) => o.bind(net));
      return {
        taps: [...new Set(bound.flatMap((b) => b.taps))],
        value: (taps) => tf.tidy(() => bound.map((b) => b.value(taps)).reduce((a, b) => tf.add(a, b))),
      };
    },
  };
}

/**
 * An objective times a constant. A single unit stays a single unit for the argmax test
 * when `factor > 0`.
 *
 * @example
 * ```ts
 * const half = scale(channel('conv2d_5', 0), 0.5);
 * ```
 */
export function scale(o: Objective, factor: number): Objective {
  checkOption(Number.isFinite(factor), 'factor', 'a finite number', factor);
  return {
    name: `${factor} * (${o.name})`,
    bind(net) {
      const b = o.bind(net);
      return {
        taps: b.taps,
        value: (taps) => tf.tidy(() => tf.mul(b.value(taps), factor)),
        isArgmax: factor > 0 ? b.isArgmax : undefined,
      };
    },
  };
}

/**
 * The negation of an objective: maximizing it minimizes the original.
 *
 * @example
 * ```ts
 * const suppress = negate(classLogit(9));
 * ```
 */
export function negate(o: Objective): Objective {
  const n = scale(o, -1);
  return { name: `-(${o.name})`, bind: n.bind };
}

/**
 * The energy of a whole layer: the mean of its squared activations per image (DeepDream's
 * objective; maximizing it amplifies whatever the layer already sees).
 *
 * @example
 * ```ts
 * const dream = layerNorm('leaky_re_lu_9');
 * ```
 */
export function layerNorm(layer: string): Objective {
  return onLayer(`‖${layer}‖²`, layer, (y) => tf.mean(tf.reshape(tf.square(y), [y.shape[0], -1]), 1) as tf.Tensor1D);
}

/** An objective read from one layer: `score(y)` gives one number per image (inside a `tidy`). */
function onLayer(name: string, layer: string, score: (y: tf.Tensor) => tf.Tensor1D): Objective {
  return {
    name,
    bind(net) {
      net.layer(layer);
      return { taps: [layer], value: (taps) => tf.tidy(() => score(taps[layer])) };
    },
  };
}

/**
 * A direction in a layer's channel space: `⟨v, y⟩`, the layer's channel vector `y` read at the
 * spatial mean (default), the centre or `[y, x]`, dotted with `vector` (one number per channel).
 *
 * @example
 * ```ts
 * const o = direction('leaky_re_lu_13', Array.from({ length: 1024 }, (_, c) => (c === 42 ? 1 : c === 7 ? -1 : 0)));
 * ```
 */
export function direction(layer: string, vector: readonly number[], options: ChannelOptions = {}): Objective {
  const at = options.at ?? 'mean';
  checkOption(at === 'center' || at === 'mean' || (Array.isArray(at) && at.length === 2), 'at', "'center', 'mean' or [y, x]", at);
  checkOption(Array.isArray(vector) && vector.length > 0 && vector.every(Number.isFinite), 'vector', 'a non-empty array of finite numbers, one per channel', vector);
  return {
    name: `${layer}·direction@${typeof at === 'string' ? at : `[${at.join(', ')}]`}`,
    bind(net) {
      const info = net.layer(layer);
      const count = info.outputShape[info.outputShape.length - 1];
      if (count !== null && count !== vector.length) {
        throw new DeepvisError('BAD_SHAPE', `direction(): layer '${layer}' has ${count} channels but the vector has ${vector.length} numbers; give one per channel.`);
      }
      return {
        taps: [layer],
        value: (taps) => tf.tidy(() => tf.reshape(tf.matMul(channelsAt(taps[layer], at, layer, 'direction'), tf.tensor2d([...vector], [vector.length, 1])), [-1]) as tf.Tensor1D),
      };
    },
  };
}

/**
 * Diversity across the batch (Lucid's): image i scores `−Σ_{j≠i} cos(G_i, G_j) / n`, with `G_i`
 * the Gram matrix of `layer`'s channels over positions in image i, so the batch's total is the
 * negated sum of pairwise style similarities. Add it to each image's objective in a batch run
 * (one image alone scores 0).
 *
 * @example
 * ```ts
 * const objectives = [0, 1, 2, 3].map(() => add(channel('leaky_re_lu_11', 9, { at: 'mean' }), scale(diversity('leaky_re_lu_7'), 10)));
 * ```
 */
export function diversity(layer: string): Objective {
  return onLayer(`diversity(${layer})`, layer, (y) => {
    if (y.rank !== 4) throw new DeepvisError('UNSUPPORTED', `diversity() reads [n, h, w, c] layers; '${layer}' gives rank ${y.rank}.`);
    const [n, h, w, k] = y.shape;
    const a = tf.reshape(y, [n, h * w, k]);
    const gram = tf.reshape(tf.matMul(a, a, true, false), [n, k * k]);
    const unit = tf.div(gram, tf.add(tf.norm(gram, 'euclidean', 1, true), constant(1e-12)));
    const similarity = tf.matMul(unit, unit, false, true);
    return tf.div(tf.sub(tf.sum(tf.mul(unit, unit), 1), tf.sum(similarity, 1)), constant(n)) as tf.Tensor1D;
  });
}

/**
 * Interpolation between two objectives across a batch of `n` images: image i maximizes
 * `(1 − t)·a + t·b` with `t = i / (n − 1)`, from `a` alone to `b` alone. Run them together, with
 * a shared start, to see one feature turn into the other.
 *
 * @example
 * ```ts
 * const results = await optimizeUnits(net, interpolate(classLogit(424), classLogit(9), 5), { ...LUCID_PRESET, size: 128 });
 * ```
 */
export function interpolate(a: Objective, b: Objective, n: number): Objective[] {
  checkOption(!!a && typeof a.bind === 'function', 'a', 'an Objective', a);
  checkOption(!!b && typeof b.bind === 'function', 'b', 'an Objective', b);
  checkOption(Number.isInteger(n) && n >= 2, 'n', 'an integer ≥ 2', n);
  return Array.from({ length: n }, (_, i) => {
    const t = i / (n - 1);
    const mixed = add(scale(a, 1 - t), scale(b, t));
    return { name: `${(1 - t).toFixed(2)}·(${a.name}) + ${t.toFixed(2)}·(${b.name})`, bind: mixed.bind };
  });
}
