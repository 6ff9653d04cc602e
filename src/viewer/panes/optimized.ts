// The selected unit's optimized image (Tool 2) on demand, drawn while it optimizes: the
// paper's preset 3 (L2 decay 1e-4, blur σ 1 every 4 steps), from the mean plus noise.
import * as tf from '@tensorflow/tfjs-core';
import { channel } from '../../objectives/objectives';
import { optimizeUnitSteps } from '../../optimize/optimize-unit';
import { PAPER_PRESETS } from '../../optimize/presets';
import type { Net } from '../../net/types';
import { el, section } from '../dom';

/** What the optimizer works on: the unit to optimize now, or null before a model is loaded. */
export type OptimizeTarget = () => { net: Net; layer: string; unit: number; size: number } | null;

/** The optimized-image pane and the handle the viewer stops it through. */
export interface OptimizedPane {
  readonly element: HTMLElement;
  /** Starts (or, while running, stops) a run on the current unit. */
  toggle(): void;
  /** Stops a run in progress (before the net it uses is disposed); resolves once it has let go. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/** How many steps pass between two redraws of the image. */
const DRAW_EVERY = 5;

export function optimizedPane(current: OptimizeTarget, onError: (e: unknown) => void): OptimizedPane {
  const { root, caption } = section('optimized', 'Optimized');
  const button = el('button', { type: 'button', 'data-dv': 'optimize', title: 'Activation maximization of the selected unit, preset 3 of the paper (o)' }, 'optimize unit');
  const steps = el('select', { 'data-dv': 'optimize-steps', title: 'Steps' }, ...['50', '200', '500', '1000'].map((n) => new Option(n, n, false, n === '200')));
  const canvas = el('canvas', { 'data-dv': 'optimized', width: 224, height: 224, hidden: true });
  root.append(el('div', { class: 'dv-row' }, button, steps), canvas);
  let abort: AbortController | null = null;
  let run: Promise<void> = Promise.resolve();

  async function optimize(target: NonNullable<ReturnType<OptimizeTarget>>, signal: AbortSignal): Promise<void> {
    const n = Number(steps.value);
    const label = `${target.layer} #${target.unit}`;
    const t0 = performance.now();
    for await (const s of optimizeUnitSteps(target.net, channel(target.layer, target.unit), { ...PAPER_PRESETS[2], steps: n, size: target.size, signal })) {
      if (signal.aborted) break; // leaving the loop releases the run's tensors
      if (s.step % DRAW_EVERY === 0 || s.isLast) {
        const image = s.image();
        const shown = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(image), 0, 255), 'int32'));
        image.dispose();
        try {
          await tf.browser.toPixels(shown, canvas);
        } finally {
          shown.dispose();
        }
        caption.textContent = `${label} · step ${s.step + 1}/${s.steps} · a = ${s.activation.toFixed(2)} · ${((performance.now() - t0) / 1000).toFixed(0)} s`;
      }
    }
  }

  async function stop(): Promise<void> {
    abort?.abort();
    await run;
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
  return { element: root, toggle, stop, get running() { return abort !== null; } };
}
