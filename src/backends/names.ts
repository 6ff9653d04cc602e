/** The backends the browser scan worker runs on: WebGL (through an OffscreenCanvas) or cpu. */
export type ScanWorkerBackend = 'webgl' | 'cpu';

/** The scan worker's backend when none is asked for. */
export const DEFAULT_SCAN_WORKER_BACKEND: ScanWorkerBackend = 'webgl';
