// Every seed is a seed, 0 (the default) included: tfjs reads a random seed of 0 as "no seed",
// so everything that draws random numbers goes through one seeded helper. The same options
// must give the same picture, bit for bit, on each backend.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../../src/net/index';
import { channel, classLogit } from '../../src/objectives/index';
import { optimizeLayer, optimizeUnit, randomSearch, startImage } from '../../src/optimize/index';
import { seededNormal } from '../../src/util/random';
import { smoothBackward } from '../../src/attribution/smooth';
import { sequentialModel } from '../helpers/models';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe(`seeds: the same seed gives the same picture, 0 included (${process.env.DEEPVIS_BACKEND})`, () => {
  const model = sequentialModel();
  const net = toNet(model);
  afterAll(() => net.dispose());

  it('seededNormal: seed 0 repeats itself; every other seed is exactly tf.randomNormal', () => {
    const [a, b, seven, tf7] = [seededNormal([64], 0, 1, 0), seededNormal([64], 0, 1, 0), seededNormal([64], 0, 1, 7),
      tf.randomNormal([64], 0, 1, 'float32', 7)];
    expect(values(a)).toEqual(values(b));
    expect(values(seven)).toEqual(values(tf7));
    expect(values(a)).not.toEqual(values(seven));
    const mean = values(a).reduce((s, v) => s + v, 0) / 64;
    expect(Math.abs(mean)).toBeLessThan(0.5); // still N(0, 1) noise
    tf.dispose([a, b, seven, tf7]);
  });

  it("start images: 'mean_plus_rand' and 'randu' with seed 0 are the same on every call", () => {
    for (const start of ['mean_plus_rand', 'randu'] as const) {
      const [a, b] = [startImage(start, 2, 5, 5, net.mean, 0), startImage(start, 2, 5, 5, net.mean, 0)];
      expect(values(a), start).toEqual(values(b));
      tf.dispose([a, b]);
    }
  });

  it('optimizeUnit with the default seed: two runs give bit-identical images', async () => {
    const run = () => optimizeUnit(net, channel('s_conv1', 1), { steps: 5, size: 10 });
    const [a, b, seven] = [await run(), await run(), await optimizeUnit(net, channel('s_conv1', 1), { steps: 5, size: 10, seed: 7 })];
    expect(values(a.image)).toEqual(values(b.image));
    expect(a.activations).toEqual(b.activations);
    expect(values(a.image)).not.toEqual(values(seven.image));
    tf.dispose([a.image, a.last, b.image, b.last, seven.image, seven.last]);
  });

  it('optimizeLayer and randomSearch with the default seed repeat themselves', async () => {
    const sheet = () => optimizeLayer(net, 's_conv1', { steps: 3, size: 8, channels: [0, 1] });
    const [a, b] = [await sheet(), await sheet()];
    expect(values(a.sheet)).toEqual(values(b.sheet));
    tf.dispose([a.sheet, b.sheet]);
    const search = () => randomSearch(net, classLogit(1), { trials: 2, steps: 3, size: 8, score: (r) => r.best });
    const [s, t] = [await search(), await search()];
    expect(s.map((x) => [x.params, x.score])).toEqual(t.map((x) => [x.params, x.score]));
  });

  it('smoothBackward with the default noise seed: two runs are bit-identical', async () => {
    const pixels = tf.randomUniform([1, 10, 10, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
    const unit = { layer: 's_conv1', channel: 1, samples: 3 };
    const [a, b] = [await smoothBackward(net, pixels, unit), await smoothBackward(net, pixels, unit)];
    expect(values(a)).toEqual(values(b));
    tf.dispose([pixels, a, b]);
  });
});
