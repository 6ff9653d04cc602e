// Frame sources: webcam, video, image, and a frozen frame. A source is an element the
// viewer reads pixels from; `live` says whether it changes on its own.
import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/** Where the viewer's frames come from. */
export interface Source {
  readonly kind: 'webcam' | 'video' | 'image' | 'frozen';
  readonly element: HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;
  /** True when frames keep coming (webcam, playing video): the viewer runs every frame. */
  readonly live: boolean;
  /** Releases the camera / object URL. */
  close(): void;
}

/**
 * What the viewer shows: `'webcam'`, an image (URL, File or element), or a video (URL or File).
 */
export type InputSpec =
  | 'webcam'
  | { readonly image: string | Blob | HTMLImageElement | HTMLCanvasElement }
  | { readonly video: string | Blob };

function elementSize(el: Source['element']): [number, number] {
  if (el instanceof HTMLVideoElement) return [el.videoHeight, el.videoWidth];
  if (el instanceof HTMLImageElement) return [el.naturalHeight, el.naturalWidth];
  return [el.height, el.width];
}

/** True once the source has a frame to read. */
export function hasFrame(source: Source): boolean {
  const el = source.element;
  if (el instanceof HTMLVideoElement && el.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return false;
  const [h, w] = elementSize(el);
  return h > 0 && w > 0;
}

/** A small canvas the frame is cropped and scaled into before it becomes a tensor. */
let scratch: HTMLCanvasElement | null = null;

/**
 * The current frame as `[1, size, size, 3]` float 0–255 pixels: the centred square crop,
 * scaled to `size` (the toolbox's framing). The crop and scaling happen in a 2-D canvas, so
 * only size² pixels are uploaded. The caller owns the tensor.
 */
export function grab(source: Source, size: number): tf.Tensor4D {
  const [h, w] = elementSize(source.element);
  const s = Math.min(h, w);
  scratch ??= document.createElement('canvas');
  if (scratch.width !== size) scratch.width = size;
  if (scratch.height !== size) scratch.height = size;
  const ctx = scratch.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source.element, Math.floor((w - s) / 2), Math.floor((h - s) / 2), s, s, 0, 0, size, size);
  return tf.tidy(() => tf.expandDims(tf.cast(tf.browser.fromPixels(scratch!), 'float32'), 0) as tf.Tensor4D);
}

function video(): HTMLVideoElement {
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  v.loop = true;
  return v;
}

/** The default camera; a refused or missing camera throws UNSUPPORTED saying why. */
async function openWebcam(): Promise<Source> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DeepvisError('UNSUPPORTED', 'No camera here: the page must be served from localhost or https for the webcam.');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    const why = name === 'NotAllowedError' ? 'the camera was refused (allow it in the browser\'s site settings, then choose webcam again)'
      : name === 'NotFoundError' ? 'no camera was found'
        : name === 'NotReadableError' ? 'the camera is in use by another program'
          : `the camera did not open (${(e as Error).message})`;
    throw new DeepvisError('UNSUPPORTED', `Webcam: ${why}.`);
  }
  const v = video();
  v.srcObject = stream;
  await v.play();
  return { kind: 'webcam', element: v, live: true, close: () => { for (const t of stream.getTracks()) t.stop(); v.srcObject = null; } };
}

async function openVideo(from: string | Blob): Promise<Source> {
  const url = typeof from === 'string' ? from : URL.createObjectURL(from);
  const v = video();
  v.crossOrigin = 'anonymous';
  v.src = url;
  try {
    await v.play();
  } catch {
    throw new DeepvisError('BAD_VALUE', `Cannot play the video ${typeof from === 'string' ? from : (from as File).name ?? ''} (not a video this browser plays, or another origin without CORS).`);
  }
  return { kind: 'video', element: v, live: true, close: () => { v.pause(); v.removeAttribute('src'); if (typeof from !== 'string') URL.revokeObjectURL(url); } };
}

async function openImage(from: string | Blob): Promise<Source> {
  const url = typeof from === 'string' ? from : URL.createObjectURL(from);
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.src = url;
  try {
    await img.decode();
  } catch {
    if (typeof from !== 'string') URL.revokeObjectURL(url);
    throw new DeepvisError('BAD_VALUE', `Cannot load the image ${typeof from === 'string' ? from : (from as File).name ?? ''} (not an image, or another origin without CORS).`);
  }
  return { kind: 'image', element: img, live: false, close: () => { if (typeof from !== 'string') URL.revokeObjectURL(url); } };
}

/** Opens what `spec` names. */
export function openSource(spec: InputSpec): Promise<Source> {
  if (spec === 'webcam') return openWebcam();
  if ('video' in spec) return openVideo(spec.video);
  const { image } = spec;
  if (typeof image === 'string' || image instanceof Blob) return openImage(image);
  return Promise.resolve({ kind: 'image', element: image, live: false, close: () => undefined });
}

/** A still copy of the source's current frame (freeze frame). */
export function freeze(source: Source): Source {
  const [h, w] = elementSize(source.element);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.drawImage(source.element, 0, 0, w, h);
  return { kind: 'frozen', element: canvas, live: false, close: () => undefined };
}
