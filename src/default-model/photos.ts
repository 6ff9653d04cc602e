import { photoUrl, readAsset } from '../assets';
import { DeepvisError } from '../errors';

/** One of the sample photos deepvis ships (`assets/photos/`, short side 256 px, JPEG). */
export interface SamplePhoto {
  /** The file's name without `.jpg`, e.g. `'owl'`. */
  readonly name: string;
  /** Where it is: a `file:` URL in Node, the URL a bundler gave it in a browser app. */
  readonly url: URL;
  readonly licence: 'public domain' | 'CC BY 2.0';
  /** Where the original comes from. */
  readonly source: string;
}

const DARKNET = 'https://github.com/pjreddie/darknet/blob/f6afaabcdf85f77e7aff2ec55c020c0e297c77f9/data/';
const OPEN_IMAGES = 'https://storage.googleapis.com/openimages/web/visualizer/index.html?type=detection&set=train&';

/** The photos: seven from Darknet's repository (public domain), five from Open Images (CC BY 2.0). */
const PHOTOS: readonly (Omit<SamplePhoto, 'url'>)[] = [
  ...['dog', 'eagle', 'giraffe', 'horses', 'kite', 'person', 'scream'].map((name) => ({
    name,
    licence: 'public domain' as const,
    source: `${DARKNET}${name}.jpg`,
  })),
  { name: 'cat', licence: 'CC BY 2.0', source: `${OPEN_IMAGES}c=%2Fm%2F01yrx&id=02b4196ce8a0e541` },
  { name: 'hot_dog', licence: 'CC BY 2.0', source: `${OPEN_IMAGES}c=%2Fm%2F01b9xk&id=1170c58625bec5dc` },
  { name: 'owl', licence: 'CC BY 2.0', source: `${OPEN_IMAGES}c=%2Fm%2F09d5_&id=165178f034f150ba` },
  { name: 'parrot', licence: 'CC BY 2.0', source: `${OPEN_IMAGES}c=%2Fm%2F0gv1x&id=0f3ebab958f44f5f` },
  { name: 'pets', licence: 'CC BY 2.0', source: `${OPEN_IMAGES}c=%2Fm%2F0bt9lr&id=82270c27bacdcaa4` },
];

/**
 * The twelve sample photos shipped with deepvis, sorted by name: their URLs, licences and
 * sources (attribution in `assets/photos/NOTICE.md`). In Node the URLs are `file:` URLs
 * (`fileURLToPath` gives the path); in a browser app, the bundler's URLs.
 *
 * @example
 * ```ts
 * import { readImage } from 'deepvis/node';
 * import { fileURLToPath } from 'node:url';
 * for (const photo of samplePhotos()) {
 *   const pixels = await readImage(fileURLToPath(photo.url));   // [h, w, 3], 0–255
 *   console.log(photo.name, pixels.shape, photo.licence);
 *   pixels.dispose();
 * }
 * ```
 */
export function samplePhotos(): SamplePhoto[] {
  return PHOTOS.map((p) => ({ ...p, url: photoUrl(p.name) })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The JPEG bytes of a shipped sample photo, by name (see {@link samplePhotos}); decode them
 * with `decodeImage` from `deepvis/node`, or `createImageBitmap(new Blob([bytes]))` in a
 * browser. An unknown name throws BAD_OPTION listing the names.
 *
 * @example
 * ```ts
 * import { decodeImage } from 'deepvis/node';
 * const pixels = decodeImage(await readSamplePhoto('owl'));   // [h, w, 3], 0–255
 * ```
 */
export async function readSamplePhoto(name: string): Promise<Uint8Array<ArrayBuffer>> {
  if (!PHOTOS.some((p) => p.name === name)) {
    throw new DeepvisError('BAD_OPTION', `No sample photo '${name}': the names are ${PHOTOS.map((p) => `'${p.name}'`).join(', ')}.`);
  }
  return readAsset(photoUrl(name), `sample photo '${name}'`);
}
