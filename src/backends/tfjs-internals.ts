// Every place deepvis reaches past tfjs's public API, in one file. Written for tfjs 4.22: each
// accessor first checks that the running tfjs-core is that version's line, and warns once
// (naming this file) when it is not, since a private field may then have moved.
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-core release line these accessors were written against. */
export const TFJS_WRITTEN_FOR = '4.22';

let warned = false;

/**
 * Whether the running tfjs-core is the release line the internals were written for; warns
 * once when not (the accessors still try, and check the shapes of what they reach).
 *
 * @example
 * ```ts
 * if (!tfjsInternalsMatch()) console.log('deepvis reaches into a tfjs it was not written for');
 * ```
 */
export function tfjsInternalsMatch(version: string = tf.version_core): boolean {
  const ok = version === TFJS_WRITTEN_FOR || version.startsWith(`${TFJS_WRITTEN_FOR}.`);
  if (!ok && !warned) {
    warned = true;
    console.warn(`deepvis: written for tfjs-core ${TFJS_WRITTEN_FOR}.x, running ${version}; its tfjs internals (src/backends/tfjs-internals.ts) may need updating.`);
  }
  return ok;
}

/** The engine state fields {@link releaseTape} reads. */
interface EngineState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tfjs keeps the tensors a gradient tape saved when the function under `tf.grad` throws,
 * and never frees them; release them so a failing function leaves nothing behind. Does
 * nothing inside a nested gradient or when no tape is left.
 *
 * @example
 * ```ts
 * try { tf.grad(f)(x); } catch (e) { releaseTape(); throw e; }
 * ```
 */
export function releaseTape(): void {
  tfjsInternalsMatch();
  const state = (tf.engine() as unknown as { state?: Partial<EngineState> }).state;
  if (!state || typeof state.gradientDepth !== 'number' || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null;
}
