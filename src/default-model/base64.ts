/**
 * Base64 → bytes with `atob`, which browsers and Node (≥ 16) both provide: no `Buffer`,
 * no fetch, no file.
 *
 * @example
 * ```ts
 * new Uint8Array(base64ToArrayBuffer('AAE=')); // Uint8Array [0, 1]
 * ```
 */
export function base64ToArrayBuffer(base64: string): ArrayBuffer {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}
