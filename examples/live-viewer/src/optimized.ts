// The selected unit's optimized image (Tool 2) on demand, drawn while it optimizes: the
// paper's preset 3 (L2 decay 1e-4, blur σ 1 every 4 steps), from the mean plus noise.
import * as tf from '@tensorflow/tfjs-core';
import { channel, displayImage, optimizeUnitSteps, PAPER_PRESETS, type Net } from './deepvis';

export interface OptimizerPane {
  readonly button: HTMLButtonElement;
  readonly steps: HTMLSelectElement;
  readonly canvas: HTMLCanvasElement;
  readonly caption: HTMLElement;
  /** The unit to optimize now (at the live input size), or null before a model is loaded. */
  current(): { net: Net; layer: string; unit: number; size: number } | null;
  onError(e: unknown): void;
}

export interface Optimizer {
  /** Stops a run in progress (before the net it uses is disposed); resolves once it has let go. */
  stop(): Promise<void>;
  /** Whether a run is in progress. */
  readonly running: boolean;
}

/** How many steps pass between two redraws of the image. */
const DRAW_EVERY = 5;

export function setupOptimizer(pane: OptimizerPane): Optimizer {
  let abort: AbortController | null = null;
  let run: Promise<void> = Promise.resolve();

  async function optimize(target: NonNullable<ReturnType<OptimizerPane['current']>>, signal: AbortSignal): Promise<void> {
    const steps = Number(pane.steps.value);
    const preset = PAPER_PRESETS[2];
    const label = `${target.layer} #${target.unit}`;
    const t0 = performance.now();
    for await (const s of optimizeUnitSteps(target.net, channel(target.layer, target.unit), { ...preset, steps, size: target.size, signal })) {
      if (signal.aborted) break; // leaving the loop releases the run's tensors
      if (s.step % DRAW_EVERY === 0 || s.isLast) {
        const image = s.image();
        // Shown as the toolbox showed it: centred on the mean image, stretched by its largest deviation.
        const shown = tf.tidy(() => tf.cast(tf.round(displayImage(image, { mean: target.net.mean })), 'int32'));
        image.dispose();
        try {
          await tf.browser.toPixels(shown, pane.canvas);
        } finally {
          shown.dispose();
        }
        pane.caption.textContent = `${label} · step ${s.step + 1}/${s.steps} · a = ${s.activation.toFixed(2)} · ${((performance.now() - t0) / 1000).toFixed(0)} s`;
      }
    }
  }

  async function stop(): Promise<void> {
    abort?.abort();
    await run;
  }

  pane.button.disabled = false;
  pane.button.addEventListener('click', () => {
    if (abort) {
      void stop();
      return;
    }
    const target = pane.current();
    if (!target) return;
    const controller = new AbortController();
    abort = controller;
    pane.button.textContent = 'stop';
    pane.canvas.hidden = false;
    run = optimize(target, controller.signal)
      .catch((e) => { if (!controller.signal.aborted) pane.onError(e); })
      .finally(() => {
        abort = null;
        pane.button.textContent = 'optimize unit';
      });
  });
  return { stop, get running() { return abort !== null; } };
}
