// A hook for end-to-end tests and the console: `window.__deepvis`.

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

export interface DebugHook {
  /** The model is loaded and frames may run. */
  readonly ready: boolean;
  /** Frames drawn so far. */
  readonly frames: number;
  numTensors(): number;
  readonly selected: number;
  readonly pinned: number | null;
  readonly layer: string;
  readonly backend: string;
  readonly fps: number;
  readonly frameMs: number;
  readonly error: string;
  readonly grid: { channels: number; tileHeight: number; tileWidth: number; cols: number; rows: number; width: number; height: number } | null;
  select(unit: number): void;
  setLayer(name: string): void;
  /** Toggles freeze frame. */
  freeze(): void;
  readonly frozen: boolean;
  /** An optimized image is being made. */
  readonly optimizing: boolean;
  /** Resolves right after the next frame is drawn (one runs even on a still source). */
  nextFrame(): Promise<Snapshot>;
}

declare global {
  interface Window {
    __deepvis?: DebugHook;
  }
}

export function installDebugHook(hook: DebugHook): void {
  window.__deepvis = hook;
}
