import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  l2Decay, blurEvery, clipSmallNorm, clipSmallContribution, compose, regularizerFromJSON, rowPercentile,
  type Regularizer, type RegularizerContext,
} from '../../src/regularizers/index';
import { DeepvisError } from '../../src/errors';
import { relativeError } from '../helpers/close';
import fixtures from '../fixtures/regularizers.json';

const ctx = (grad: tf.Tensor4D, step = 0): RegularizerContext => ({ step, steps: 10, grad, random: () => 0.5, mean: [0, 0, 0] });
const values = (r: Regularizer, x: tf.Tensor4D, c: RegularizerContext) => {
  const y = r.apply(x, c);
  const v = Array.from(y.dataSync(), (a) => a + 0); // −0 → 0
  y.dispose();
  return v;
};

describe(`regularizers (${process.env.DEEPVIS_BACKEND})`, () => {
  const [h, w] = fixtures.shape;
  const x = tf.tensor4d(fixtures.x, [1, h, w, 3]);
  const grad = tf.tensor4d(fixtures.grad, [1, h, w, 3]);

  it('l2Decay scales by (1 − decay), exactly', () => {
    const t = tf.tensor4d([10, -20, 30, 0], [1, 1, 1, 4]);
    expect(values(l2Decay(0.3), t, ctx(t))).toEqual(Array.from(new Float32Array([7, -14, 21, 0])));
    expect(values(l2Decay(0), t, ctx(t))).toEqual([10, -20, 30, 0]);
    t.dispose();
  });

  it('rowPercentile interpolates linearly like numpy', () => {
    const { values: v, q, expected } = fixtures.percentiles;
    const t = tf.tensor2d([v, v.map((a) => -a)]);
    q.forEach((p, i) => {
      const r = rowPercentile(t, p);
      expect(r.shape).toEqual([2, 1]);
      expect(r.dataSync()[0]).toBeCloseTo(expected[i], 5);
      r.dispose();
    });
    const four = tf.tensor2d([[4, 1, 3, 2]]);
    const p = [0, 25, 50, 100].map((q) => { const r = rowPercentile(four, q); const a = r.dataSync()[0]; r.dispose(); return a; });
    expect(p).toEqual([1, 1.75, 2.5, 4]);
    tf.dispose([t, four]);
  });

  it('clipSmallNorm zeroes pixels strictly below the percentile, in all channels (hand-made)', () => {
    // Pixel norms 5, 0, 1, 13 → 50th percentile 3: the 0 and 1 pixels go.
    const t = tf.tensor4d([3, 4, 0, 0, 0, 0, 0, 1, 0, 5, 12, 0], [1, 2, 2, 3]);
    expect(values(clipSmallNorm(50), t, ctx(t))).toEqual([3, 4, 0, 0, 0, 0, 0, 0, 0, 5, 12, 0]);
    // 0th percentile is the minimum: nothing is strictly below it.
    expect(values(clipSmallNorm(0), t, ctx(t))).toEqual(Array.from(t.dataSync()));
    // Ties at the threshold stay.
    const tie = tf.tensor4d([1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0], [1, 2, 2, 3]);
    expect(values(clipSmallNorm(50), tie, ctx(tie))).toEqual([1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0]);
    tf.dispose([t, tie]);
  });

  it('clipSmallContribution uses |Σ_c grad·(−x)| (hand-made)', () => {
    const t = tf.tensor4d([1, 1, 1, 2, 0, 0, -3, 0, 0, 1, -1, 0], [1, 2, 2, 3]);
    const g = tf.tensor4d([1, -1, 0, 1, 0, 0, 1, 0, 0, 0.25, 0.5, 0], [1, 2, 2, 3]);
    // Contributions: |−(1−1)| = 0, |−2| = 2, |3| = 3, |−(0.25−0.5)| = 0.25; 50th pct = 1.125.
    expect(values(clipSmallContribution(50), t, ctx(g))).toEqual([0, 0, 0, 2, 0, 0, -3, 0, 0, 0, 0, 0]);
    tf.dispose([t, g]);
  });

  for (const p of ['20', '50', '90'] as const) {
    it(`clipSmallNorm(${p}) and clipSmallContribution(${p}) match numpy on a 6×7 image`, () => {
      expect(relativeError(values(clipSmallNorm(+p), x, ctx(grad)), fixtures.clipSmallNorm[p])).toBeLessThan(1e-6);
      expect(relativeError(values(clipSmallContribution(+p), x, ctx(grad)), fixtures.clipSmallContribution[p])).toBeLessThan(1e-6);
    });
  }

  it('blurEvery blurs only when step % every === 0; width 0 or every 0 never', () => {
    const blur = blurEvery(4, 1);
    const at0 = values(blur, x, ctx(grad, 0));
    expect(values(blur, x, ctx(grad, 1))).toEqual(Array.from(x.dataSync()));
    expect(values(blur, x, ctx(grad, 8))).toEqual(at0);
    expect(at0).not.toEqual(Array.from(x.dataSync()));
    expect(values(blurEvery(0, 1), x, ctx(grad, 0))).toEqual(Array.from(x.dataSync()));
    expect(values(blurEvery(4, 0), x, ctx(grad, 0))).toEqual(Array.from(x.dataSync()));
  });

  fixtures.presets.forEach(({ params: [decay, width, every, normPct, contribPct], step, expected }) => {
    it(`Table 1 row (decay ${decay}, blur ${width}/${every}, norm ${normPct}, contribution ${contribPct}) at step ${step} matches numpy/scipy`, () => {
      const r = compose(l2Decay(decay), blurEvery(every, width), clipSmallNorm(normPct), clipSmallContribution(contribPct));
      expect(relativeError(values(r, x, ctx(grad, step)), expected)).toBeLessThan(2e-6);
    });
  });

  it('works per image in a batch', () => {
    const batch = tf.concat([x, tf.mul(x, 2)]) as tf.Tensor4D;
    const g2 = tf.concat([grad, grad]) as tf.Tensor4D;
    const y = clipSmallNorm(50).apply(batch, ctx(g2));
    const [a, b] = tf.split(y, 2);
    expect(relativeError(a.dataSync(), fixtures.clipSmallNorm['50'])).toBeLessThan(1e-6);
    expect(relativeError(b.dataSync(), fixtures.clipSmallNorm['50'].map((v) => 2 * v))).toBeLessThan(1e-6);
    tf.dispose([batch, g2, y, a, b]);
  });

  it('presets are data: JSON round-trip rebuilds equal regularizers', () => {
    const r = compose(l2Decay(1e-4), blurEvery(4, 1), clipSmallNorm(20), clipSmallContribution(90));
    const json = JSON.stringify(r);
    expect(JSON.parse(json)).toEqual({
      name: 'compose', params: {}, parts: [
        { name: 'l2Decay', params: { decay: 1e-4 } }, { name: 'blurEvery', params: { every: 4, width: 1 } },
        { name: 'clipSmallNorm', params: { percentile: 20 } }, { name: 'clipSmallContribution', params: { percentile: 90 } }],
    });
    const back = regularizerFromJSON(JSON.parse(json));
    expect(JSON.stringify(back)).toBe(json);
    expect(values(back, x, ctx(grad, 0))).toEqual(values(r, x, ctx(grad, 0)));
    expect(() => regularizerFromJSON({ name: 'sharpen' })).toThrowError(/Option 'name' must be one of 'l2Decay'/);
  });

  it('no tensor left behind', () => {
    const r = compose(l2Decay(0.1), blurEvery(1, 0.5), clipSmallNorm(30), clipSmallContribution(30));
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) r.apply(x, ctx(grad, s)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad arguments throw BAD_OPTION naming the option', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => clipSmallNorm(101), /Option 'percentile' must be a percentile between 0 and 100; got 101/],
      [() => clipSmallContribution(-1), /Option 'percentile' must be a percentile between 0 and 100; got -1/],
      [() => clipSmallNorm(NaN), /percentile/],
      [() => l2Decay(-0.1), /Option 'decay' must be a number between 0 and 1; got -0.1/],
      [() => blurEvery(-1, 1), /Option 'every' must be an integer ≥ 0/],
      [() => blurEvery(2.5, 1), /Option 'every'/],
      [() => blurEvery(4, -1), /Option 'width' must be a number ≥ 0/],
      [() => compose(l2Decay(0), undefined as unknown as Regularizer), /Option 'regularizers\[1\]'/],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrowError(message);
      try { f(); } catch (e) { expect((e as DeepvisError).code).toBe('BAD_OPTION'); }
    }
  });
});
