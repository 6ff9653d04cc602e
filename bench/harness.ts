// Small timing helpers shared by the benchmarks: best-of-n wall time, in milliseconds.
import * as tf from '@tensorflow/tfjs-core';

/** Untimed runs before each measurement; GPU backends compile shaders and warm clocks over the first few. */
// (The browser page imports this file too: no `process` there.)
const WARMUP = Number(globalThis.process?.env.BENCH_WARMUP ?? 1);

/** The median of `values` (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `f` (which returns a tensor) `warmup` + `n` times and returns the median ms of the timed runs. */
export async function timeIt(f: () => tf.Tensor, n = 3, warmup = WARMUP): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const y = f();
    await y.data();
    y.dispose();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * An `onStep` callback that pushes the ms between consecutive steps into `times`, from step 2 on
 * (the first step also builds the run).
 */
export function stepGaps(times: number[]): (info: { step: number }) => void {
  let last = 0;
  return ({ step }) => {
    const now = performance.now();
    if (step >= 2) times.push(now - last);
    last = now;
  };
}

/** One row of the results table. */
export interface Row {
  section: string;
  backend: string;
  metric: string;
  value: number | string;
  unit: string;
  note?: string;
}

export function markdownTable(rows: Row[]): string {
  const lines = ['| section | backend | metric | value | unit | note |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const v = typeof r.value === 'number' ? (Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3)) : r.value;
    lines.push(`| ${r.section} | ${r.backend} | ${r.metric} | ${v} | ${r.unit} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}
