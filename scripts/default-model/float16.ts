/**
 * float32 → IEEE 754 half precision, rounding to nearest even. tfjs decodes such weights
 * itself (weight spec `quantization: { dtype: 'float16' }`), so only the encoder lives here.
 *
 * @example
 * ```ts
 * const bytes = toFloat16Bytes(new Float32Array([1, -0.5, 65504]));
 * // Uint8Array [0x00, 0x3c, 0x00, 0xb8, 0xff, 0x7b] (little-endian halves)
 * ```
 * @module
 */

const view = new DataView(new ArrayBuffer(4));

/**
 * The half-precision bit pattern of one number.
 *
 * @example
 * ```ts
 * toFloat16Bits(1); // 0x3c00
 * ```
 */
export function toFloat16Bits(value: number): number {
  view.setFloat32(0, value);
  const x = view.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++; // a carry rolls into the exponent, as it should
  return sign | half;
}

/**
 * Encodes float32 values as little-endian half-precision bytes.
 *
 * @example
 * ```ts
 * const bytes = toFloat16Bytes(model.getWeights()[0].dataSync() as Float32Array);
 * ```
 */
export function toFloat16Bytes(values: Float32Array): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 2));
  for (let i = 0; i < values.length; i++) out.setUint16(i * 2, toFloat16Bits(values[i]), true);
  return new Uint8Array(out.buffer);
}
