// A hook for end-to-end tests and the console: `window.__deepvis`, over the viewer's handle.
import * as tf from '@tensorflow/tfjs-core';
import type { ViewerHandle, ViewerInfo } from 'deepvis/viewer';

/** A canvas summarised: a hash of its RGB bytes and its mean colour. */
export interface CanvasSummary {
  readonly hash: string;
  readonly mean: readonly number[];
  readonly width: number;
  readonly height: number;
}

/** The panes right after a frame was drawn. */
export interface Snapshot {
  readonly frame: number;
  /** `tf.memory().numTensors` at the end of the frame (the input frame still held). */
  readonly tensors: number;
  readonly input: CanvasSummary;
  readonly grid: CanvasSummary;
  readonly unit: CanvasSummary;
  readonly backward: CanvasSummary;
}

export interface DebugHook extends Omit<ViewerInfo, 'grid'> {
  readonly grid: ViewerInfo['grid'];
  readonly selected: number;
  readonly pinned: number | null;
  readonly layer: string;
  numTensors(): number;
  select(unit: number): void;
  setLayer(name: string): void;
  /** Toggles freeze frame. */
  freeze(): void;
  /** Resolves right after the next frame is drawn (one runs even on a still source). */
  nextFrame(): Promise<Snapshot>;
  readonly viewer: ViewerHandle;
}

declare global {
  interface Window {
    __deepvis?: DebugHook;
  }
}

function summary(root: HTMLElement, name: string): CanvasSummary {
  const c = root.querySelector<HTMLCanvasElement>(`canvas[data-dv=${name}]`)!;
  const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let h = 0x811c9dc5;
  const mean = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    for (let k = 0; k < 3; k++) {
      h = Math.imul(h ^ data[i + k], 0x01000193);
      mean[k] += data[i + k];
    }
  }
  const n = data.length / 4;
  return { hash: (h >>> 0).toString(16), mean: mean.map((m) => m / n), width: c.width, height: c.height };
}

export function installDebugHook(viewer: ViewerHandle): void {
  const info = () => viewer.info;
  const hook = {
    viewer,
    get ready() { return info().ready; },
    get frames() { return info().frames; },
    get fps() { return info().fps; },
    get frameMs() { return info().frameMs; },
    get backend() { return info().backend; },
    get grid() { return info().grid; },
    get error() { return info().error; },
    get frozen() { return info().frozen; },
    get optimizing() { return info().optimizing; },
    get input() { return info().input; },
    get model() { return info().model; },
    get selected() { return viewer.state.selected; },
    get pinned() { return viewer.state.pinned; },
    get layer() { return viewer.state.layer; },
    numTensors: () => tf.memory().numTensors,
    select: (unit: number) => viewer.selectUnit(unit),
    setLayer: (name: string) => viewer.selectUnit(0, name),
    freeze: () => viewer.freeze(),
    nextFrame: async (): Promise<Snapshot> => {
      const f = await viewer.nextFrame();
      const root = viewer.element;
      return { frame: f.frame, tensors: f.tensors, input: summary(root, 'input'), grid: summary(root, 'grid'), unit: summary(root, 'unit'), backward: summary(root, 'backward') };
    },
  } satisfies DebugHook;
  window.__deepvis = hook;
}
