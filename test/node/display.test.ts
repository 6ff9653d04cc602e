import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { displayImage, norm01c } from '../../src/image/display';
import { errorOf } from '../helpers/errors';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("norm01c and displayImage: the toolbox's display of optimized images", () => {
  // Two pixels, mean [100, 110, 120]: deviations [0, 20, 0] and [-40, 0, 5]; the largest is 40.
  const pixels = () => tf.tensor3d([[[100, 130, 120], [60, 110, 125]]]);
  const mean = [100, 110, 120];

  it('centres on the mean and divides by twice the largest deviation: exact values', () => {
    const image = pixels();
    const unit = norm01c(image, mean);
    expect(values(unit)).toEqual([0.5, 0.75, 0.5, 0, 0.5, 0.5625]);
    const shown = displayImage(image, { mean });
    expect(values(shown)).toEqual([127.5, 191.25, 127.5, 0, 127.5, 143.4375]);
    expect(shown.shape).toEqual([1, 2, 3]);
    tf.dispose([image, unit, shown]);
  });

  it('maps the farthest value to 0 or 1 and keeps the centre at 0.5 whatever the sign', () => {
    const above = tf.tensor3d([[[110], [105], [100]]]);
    expect(values(norm01c(above, 100))).toEqual([1, 0.75, 0.5]);
    const below = tf.tensor3d([[[90], [95]]]);
    expect(values(norm01c(below, 100))).toEqual([0, 0.25]);
    tf.dispose([above, below]);
  });

  it('a batch is stretched image by image; a flat image (the mean itself) is uniform grey', () => {
    const batch = tf.tensor4d([[[[100, 130, 120], [60, 110, 125]]], [[mean, mean]]]);
    const shown = displayImage(batch, { mean });
    expect(values(shown)).toEqual([127.5, 191.25, 127.5, 0, 127.5, 143.4375, ...new Array(6).fill(127.5)]);
    tf.dispose([batch, shown]);
  });

  it("'raw' is the pixels clipped to 0–255", () => {
    const image = tf.tensor3d([[[-3, 12.5, 300]]]);
    expect(values(displayImage(image, { mean, display: 'raw' }))).toEqual([0, 12.5, 255]);
    image.dispose();
  });

  it('leaves no tensors and names what to change on bad input', () => {
    const image = pixels();
    const before = tf.memory().numTensors;
    tf.dispose([displayImage(image, { mean }), norm01c(image, 3), displayImage(image, { mean, display: 'raw' })]);
    expect(errorOf(() => displayImage(image, { mean, display: 'stretch' as 'raw' })))
      .toBe("BAD_OPTION: Option 'display' must be 'norm01c' or 'raw'; got 'stretch'.");
    expect(errorOf(() => displayImage(image, { mean: [1, 2] })))
      .toBe("BAD_OPTION: Option 'mean' must be a finite number or 3 finite numbers (one per channel, e.g. net.mean); got [1,2].");
    const flat = tf.zeros([4, 3]);
    expect(errorOf(() => norm01c(flat as unknown as tf.Tensor3D, 0))).toBe('BAD_SHAPE: norm01c expects an image [h, w, c] or a batch [n, h, w, c]; got [4, 3].');
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([image, flat]);
    const gone = pixels();
    gone.dispose();
    expect(errorOf(() => displayImage(gone, { mean }))).toBe('DISPOSED: displayImage: the image tensor was already disposed.');
  });
});
