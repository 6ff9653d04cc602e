import * as tf from '@tensorflow/tfjs-core';

/**
 * A small seeded uniform generator in [0, 1) (mulberry32): same seed, same sequence.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random();   // 0.6011…
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = (Math.trunc(seed) ^ 0x6d2b79f5) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `tf.randomNormal` with every seed honoured, 0 included. tfjs reads a seed of 0 as "no seed"
 * (a fresh random one each call) and seeds its generator with the seed's decimal string
 * otherwise (tfjs 4.22, `MPRandGauss`); passing that string keeps every other seed's numbers
 * unchanged and makes seed 0 the generator seeded with `'0'`, as `tf.randomUniform` already
 * reads it. The numbers are made on the CPU, so they are the same on every backend. The
 * caller owns the result.
 *
 * @example
 * ```ts
 * const noise = seededNormal([1, 128, 128, 3], 0, 10, 0);   // the same tensor on every call
 * ```
 */
export function seededNormal(shape: readonly number[], mean: number, std: number, seed: number): tf.Tensor {
  return tf.randomNormal([...shape], mean, std, 'float32', String(seed) as unknown as number);
}
