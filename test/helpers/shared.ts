import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The shared test data folder (models, photos), or '' when absent. */
export const SHARED = process.env.DEEPVIS_SHARED && existsSync(process.env.DEEPVIS_SHARED) ? process.env.DEEPVIS_SHARED : '';
export const DARKNET = SHARED ? join(SHARED, 'models/darknet-tiny-imagenet-tfjs/model.json') : '';
export const HAS_DARKNET = !!DARKNET && existsSync(DARKNET);

if (!HAS_DARKNET) {
  console.warn('[deepvis tests] ../shared/models/darknet-tiny-imagenet-tfjs not found (set DEEPVIS_SHARED): real-model tests are skipped.');
}

/** Every photo under shared/images, sorted. */
export function sharedImages(): string[] {
  if (!SHARED) return [];
  const root = join(SHARED, 'images');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => join(root, f));
}
