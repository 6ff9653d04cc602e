// The files deepvis ships in assets/, found relative to this module. It sits directly in
// src/ so that `../assets/` names the same folder from the source (src/assets.ts) and from
// the built package (dist/*.js and dist/*.cjs, where the bundler puts this code). Bundlers
// (Vite, webpack, Parcel) copy each file named in a `new URL('…', import.meta.url)` into an
// app's build, so keep the paths literal.
import { DeepvisError } from './errors';

/** A file of the shipped Darknet-Tiny folder. */
export type DarknetTinyFile = 'model.json' | 'weights.bin' | 'labels.json';

/**
 * Where a file of the shipped Darknet-Tiny folder (`assets/darknet-tiny/`) is: a `file:`
 * URL in Node, the URL a bundler gave it in a browser app.
 *
 * @example
 * ```ts
 * console.log(darknetTinyUrl('model.json').href);
 * ```
 */
export function darknetTinyUrl(file: DarknetTinyFile): URL {
  switch (file) {
    case 'model.json':
      return new URL('../assets/darknet-tiny/model.json', import.meta.url);
    case 'weights.bin':
      return new URL('../assets/darknet-tiny/weights.bin', import.meta.url);
    case 'labels.json':
      return new URL('../assets/darknet-tiny/labels.json', import.meta.url);
    default:
      throw new DeepvisError('BAD_OPTION', `No shipped file '${String(file)}': use 'model.json', 'weights.bin' or 'labels.json'.`);
  }
}

/**
 * Where a shipped sample photo (`assets/photos/NAME.jpg`) is.
 *
 * @example
 * ```ts
 * const img = new Image();
 * img.src = photoUrl('owl').href;
 * ```
 */
export function photoUrl(name: string): URL {
  return new URL(`../assets/photos/${name}.jpg`, import.meta.url);
}

/** Node's `fs/promises`, imported by a variable name so browser bundles leave it out. */
async function nodeReadFile(): Promise<(url: URL) => Promise<Uint8Array>> {
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as { readFile(url: URL): Promise<Uint8Array> };
  return fs.readFile;
}

/**
 * The bytes at `url` (in a buffer of their own): read from disk for `file:` URLs (Node),
 * fetched otherwise. A missing
 * or unreadable file throws BAD_VALUE naming `what` and the URL.
 *
 * @example
 * ```ts
 * const bytes = await readAsset(darknetTinyUrl('labels.json'), 'ImageNet labels');
 * ```
 */
export async function readAsset(url: URL, what: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    if (url.protocol === 'file:') return new Uint8Array(await (await nodeReadFile())(url));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw new DeepvisError(
      'BAD_VALUE',
      `Cannot read the ${what} from '${url.href}': ${(e as Error).message}. The deepvis package ships it in assets/; ` +
        'an app bundle must copy that file (bundlers do for new URL(…, import.meta.url)), or pass baseUrl: where a copy is served.',
    );
  }
}

/** `bytes` as JSON, or BAD_VALUE naming `what`. */
export function parseJsonAsset(bytes: Uint8Array, what: string, url: URL): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new DeepvisError('BAD_VALUE', `The ${what} at '${url.href}' is not JSON: ${(e as Error).message}.`);
  }
}
