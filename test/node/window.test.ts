// The one place deepvis does window arithmetic (src/net/window.ts), checked against tfjs's own
// (computeConv2DInfo, which every convolution and pool kernel runs) over a grid of cases.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { layerWindow, windowAxis, windowSpan } from '../../src/net/window';
import type { LayerGeometry } from '../../src/net/types';

describe('window arithmetic', () => {
  it('hand-made cases', () => {
    expect(windowAxis(224, 3, 2, 'same')).toEqual({ out: 112, before: 0 });
    expect(windowAxis(225, 3, 2, 'same')).toEqual({ out: 113, before: 1 });
    expect(windowAxis(7, 3, 2, 'valid')).toEqual({ out: 3, before: 0 });
    expect(windowAxis(10, 3, 1, [1, 1])).toEqual({ out: 10, before: 1 });
    expect(windowAxis(2, 5, 1, 'valid').out).toBe(-2);
    expect(windowSpan(3, 2)).toBe(5);
    expect(windowSpan(1, 4)).toBe(1);
  });

  it('layerWindow equals tfjs\'s computeConv2DInfo on every size, kernel, stride, dilation and padding of a grid', () => {
    let checked = 0;
    for (const size of [5, 6, 7, 9, 13, 16]) {
      for (const [k, s, d] of [[1, 1, 1], [2, 2, 1], [3, 1, 1], [3, 2, 1], [3, 3, 1], [4, 2, 1], [5, 2, 1], [3, 1, 2], [2, 1, 3]]) {
        for (const padding of ['same', 'valid', [[2, 1], [0, 3]]] as LayerGeometry['padding'][]) {
          const g: LayerGeometry = { kernel: [k, k + 1], strides: [s, s], dilations: [d, d], padding };
          const pad = typeof padding === 'string' ? padding : [[0, 0], [...padding[0]], [...padding[1]], [0, 0]];
          const info = tf.backend_util.computeConv2DInfo([1, size, size + 2, 1], [k, k + 1, 1, 1], [s, s], [d, d], pad as 'same');
          if (info.outHeight < 1 || info.outWidth < 1) continue;
          expect(layerWindow(g, 0, size), `${size} k${k} s${s} d${d} ${JSON.stringify(padding)} rows`).toEqual({ out: info.outHeight, before: info.padInfo.top });
          expect(layerWindow(g, 1, size + 2), `${size} k${k} s${s} d${d} ${JSON.stringify(padding)} columns`).toEqual({ out: info.outWidth, before: info.padInfo.left });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(120);
  });
});
