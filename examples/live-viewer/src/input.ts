// Frame sources: webcam, video file, image file or URL, and a frozen frame. A source is an
// element the viewer reads pixels from; `live` says whether it changes on its own.
import * as tf from '@tensorflow/tfjs-core';

export interface Source {
  readonly kind: 'webcam' | 'video' | 'image' | 'frozen';
  readonly element: HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;
  /** True when frames keep coming (webcam, playing video): the viewer runs every frame. */
  readonly live: boolean;
  /** Releases the camera / object URL. */
  close(): void;
}

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
 * scaled to `size` (the toolbox's framing). The crop and scaling happen in a 2-D canvas,
 * so only size² pixels are uploaded (a 640×480 camera frame costs ~150 ms on SwiftShader).
 * The caller owns the tensor.
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

/** The default camera. */
export async function openWebcam(): Promise<Source> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('No camera API here (the page must be served from localhost or https).');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  const v = video();
  v.srcObject = stream;
  await v.play();
  return { kind: 'webcam', element: v, live: true, close: () => { for (const t of stream.getTracks()) t.stop(); v.srcObject = null; } };
}

/** A local video file, looping. */
export async function openVideoFile(file: File): Promise<Source> {
  const url = URL.createObjectURL(file);
  const v = video();
  v.src = url;
  await v.play();
  return { kind: 'video', element: v, live: true, close: () => { v.pause(); v.removeAttribute('src'); URL.revokeObjectURL(url); } };
}

/** An image from a local file or a URL (a URL on another origin must allow CORS). */
export async function openImage(fileOrUrl: File | string): Promise<Source> {
  const url = typeof fileOrUrl === 'string' ? fileOrUrl : URL.createObjectURL(fileOrUrl);
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.src = url;
  try {
    await img.decode();
  } catch {
    throw new Error(`Cannot load the image ${typeof fileOrUrl === 'string' ? fileOrUrl : fileOrUrl.name} (not an image, or another origin without CORS).`);
  }
  return { kind: 'image', element: img, live: false, close: () => { if (typeof fileOrUrl !== 'string') URL.revokeObjectURL(url); } };
}

/** A still copy of the source's current frame (the "freeze frame" key). */
export function freeze(source: Source): Source {
  const [h, w] = elementSize(source.element);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.drawImage(source.element, 0, 0, w, h);
  return { kind: 'frozen', element: canvas, live: false, close: () => undefined };
}
