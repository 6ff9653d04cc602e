// The backends a viewer offers: each a function that selects it and says what it got.
import { useWasm } from '../backends/wasm';
import { useWebGL } from '../backends/webgl';

/** Selects a backend; resolves to a line a person can read, or throws saying why it failed. */
export type BackendSetup = () => Promise<string>;

/**
 * webgl and wasm; `wasmPaths` is where the `tfjs-backend-wasm*.wasm` files are served (a
 * folder URL ending in `/`), when the bundler does not put them beside the script.
 */
export function defaultBackends(wasmPaths?: string): Record<string, BackendSetup> {
  return {
    webgl: async () => (await useWebGL()).detail,
    wasm: async () => (await useWasm(wasmPaths ? { paths: wasmPaths } : {})).detail,
  };
}
