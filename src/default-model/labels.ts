/**
 * The default model's class names, in output order: the ten Fashion-MNIST classes.
 *
 * @example
 * ```ts
 * const net = await loadDefaultNet();
 * const scores = net.predict(pixels);                   // [n, 10]
 * const best = tf.argMax(scores, 1).dataSync()[0];
 * console.log(DEFAULT_MODEL_LABELS[best]);              // 'Ankle boot'
 * ```
 */
export const DEFAULT_MODEL_LABELS: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
