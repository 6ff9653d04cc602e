// The selected unit's optimized image (Tool 2) on demand, drawn while it optimizes, in the
// chosen style (a paper preset with its regularizers, or the modern style with its own
// parameterization, transforms, optimizer and learning rate) and display (norm01c or raw; a
// change of display redraws the last finished image).
import * as tf from '@tensorflow/tfjs-core';
import { displayImage, type ImageDisplay } from '../../image/display';
import { channel } from '../../objectives/objectives';
import { optimizeUnitSteps } from '../../optimize/optimize-unit';
import { PRESETS_BY_NAME } from '../../optimize/presets';
import type { Net } from '../../net/types';
import type { OptimizeStyle } from '../state';
import { el, section } from '../dom';

/** What a run works on: the unit to optimize now, in which style and for how many steps. */
export interface OptimizeTarget {
  readonly net: Net;
  readonly layer: string;
  readonly unit: number;
  readonly size: number;
  readonly style: OptimizeStyle;
  readonly steps: number;
}

/** The optimized-image pane and the handle the viewer stops it through. */
export interface OptimizedPane {
  readonly element: HTMLElement;
  /** Starts (or, while running, stops) a run on the current unit. */
  toggle(): void;
  /** Stops a run in progress (before the net it uses is disposed); resolves once it has let go. */
  stop(): Promise<void>;
  /** Draws the last finished run's image again in the current display (a run in progress picks it up at its next draw). */
  redraw(): Promise<void>;
  readonly running: boolean;
}

/** How many steps pass between two redraws of the image. */
const DRAW_EVERY = 5;

/** The style menu's words for each style. */
export const STYLE_LABELS: Readonly<Record<OptimizeStyle, string>> = Object.freeze({
  1: 'preset 1', 2: 'preset 2', 3: 'preset 3', 4: 'preset 4', lucid: 'lucid (modern)',
});

/**
 * The pane: `current` gives the run's target when one starts (null before a model is
 * loaded), `display` how to draw each image (read at every draw, so it can change mid-run;
 * `redraw` shows a finished run's image in it),
 * `controls` the menus placed beside the button (the viewer owns and wires them).
 */
export function optimizedPane(
  current: () => OptimizeTarget | null,
  display: () => ImageDisplay,
  onError: (e: unknown) => void,
  ...controls: HTMLElement[]
): OptimizedPane {
  const { root, caption } = section('optimized', 'Optimized');
  const button = el('button', { type: 'button', 'data-dv': 'optimize', title: 'Activation maximization of the selected unit in the chosen style (o)' }, 'optimize unit');
  const canvas = el('canvas', { 'data-dv': 'optimized', width: 224, height: 224, hidden: true });
  root.append(el('div', { class: 'dv-row' }, button, ...controls), canvas);
  let abort: AbortController | null = null;
  let run: Promise<void> = Promise.resolve();
  /** The last finished run's image, kept as plain data (no tensor outlives a run). */
  let last: { data: Float32Array; shape: [number, number, number]; mean: readonly number[] } | null = null;

  async function draw(image: tf.Tensor3D, mean: readonly number[]): Promise<void> {
    const shown = tf.tidy(() => tf.cast(tf.round(displayImage(image, { mean, display: display() })), 'int32'));
    try {
      await tf.browser.toPixels(shown, canvas);
    } finally {
      shown.dispose();
    }
  }

  async function optimize(target: OptimizeTarget, signal: AbortSignal): Promise<void> {
    const { net, layer, unit, size, style, steps } = target;
    const label = `${layer} #${unit} · ${STYLE_LABELS[style]}`;
    const t0 = performance.now();
    for await (const s of optimizeUnitSteps(net, channel(layer, unit), { ...PRESETS_BY_NAME[style], steps, size, signal })) {
      if (signal.aborted) break; // leaving the loop releases the run's tensors
      if (s.step % DRAW_EVERY === 0 || s.isLast) {
        const image = s.image();
        try {
          if (s.isLast) last = { data: (await image.data()) as Float32Array, shape: image.shape, mean: net.mean };
          await draw(image, net.mean);
        } finally {
          image.dispose();
        }
        caption.textContent = `${label} · step ${s.step + 1}/${s.steps} · a = ${s.activation.toFixed(2)} · ${((performance.now() - t0) / 1000).toFixed(0)} s`;
      }
    }
  }

  async function stop(): Promise<void> {
    abort?.abort();
    await run;
  }

  async function redraw(): Promise<void> {
    if (abort || !last) return;
    const image = tf.tensor3d(last.data, last.shape);
    try {
      await draw(image, last.mean);
    } finally {
      image.dispose();
    }
  }

  function toggle(): void {
    if (abort) {
      void stop();
      return;
    }
    const target = current();
    if (!target) return;
    const controller = new AbortController();
    abort = controller;
    last = null;
    button.textContent = 'stop';
    canvas.hidden = false;
    run = optimize(target, controller.signal)
      .catch((e) => { if (!controller.signal.aborted) onError(e); })
      .finally(() => {
        abort = null;
        button.textContent = 'optimize unit';
      });
  }

  button.addEventListener('click', toggle);
  return { element: root, toggle, stop, redraw, get running() { return abort !== null; } };
}
