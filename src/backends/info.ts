import * as tf from '@tensorflow/tfjs-core';

/** Which backend a `use*` call selected, and what it found. */
export interface BackendInfo {
  /** The tfjs backend name now active (`webgl`, `wasm`, `cpu`, `tensorflow`…). */
  readonly name: string;
  /** A line a person can read: what was chosen and why. */
  readonly detail: string;
}

/** Selects `name` and waits for it; throws when it cannot initialise. */
export async function selectBackend(name: string, detail: string): Promise<BackendInfo> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`The ${name} backend could not initialise here.`);
  await tf.ready();
  return { name: tf.getBackend(), detail };
}
