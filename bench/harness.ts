// Small timing helpers shared by the benchmarks: best-of-n wall time, in milliseconds.
import * as tf from '@tensorflow/tfjs-core';

/** Untimed runs before each measurement; GPU backends compile shaders and warm clocks over the first few. */
// (The browser page imports this file too: no `process` there.)
const WARMUP = Number(globalThis.process?.env.BENCH_WARMUP ?? 1);

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
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
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
