import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DeepvisError, checkOption, throwIfAborted } from '../errors';
import type { JobInput, JobKind, JobOutput, JobProgress } from './jobs';
import { fromPlainError, type FromWorker, type PlainInputRange, type ToWorker, type WorkerModel } from './messages';

/** Options of one job's run. */
export interface RunJobOptions {
  /** Aborting rejects the job with an `AbortError` (DeepvisError code `ABORTED`) once it has stopped. */
  signal?: AbortSignal;
  /** What the job reports as it runs (images scanned so far; steps done of the current target). */
  onProgress?: (value: JobProgress) => void;
}

/** Something that runs jobs: a {@link WorkerPool}, or the same jobs in this thread (the CLI's `--workers 1`). */
export interface JobRunner {
  /** How many jobs it runs at once. */
  readonly size: number;
  /** Runs one job; resolves to its result, or rejects with the job's error (same class, code and message). */
  run<K extends JobKind>(kind: K, input: JobInput<K>, options?: RunJobOptions): Promise<JobOutput<K>>;
}

/** Options of {@link openWorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker threads. Default: the cores (`os.availableParallelism()`). */
  workers?: number;
  /** The model each worker loads: a model.json path, a folder holding one, or an http(s) URL. Default: the embedded default model. */
  model?: string;
  /** The model's input range (`[0, 1]`, `[-1, 1]`, `[0, 255]`, `{ mean, std, bgr }`). Default: the loader's (`[0, 1]` for files). */
  inputRange?: PlainInputRange;
  /** The backend each worker picks, as `useNodeBackend` names them. Default `'auto'`. */
  backend?: WorkerModel['backend'];
}

/**
 * Worker threads, each with its own tfjs engine, backend and Net, running jobs from one
 * queue. Tensors never cross threads: jobs take and return plain data. Close it when done.
 */
export interface WorkerPool extends JobRunner {
  /** The worker threads alive now (their `threadId`s); empty once closed. */
  readonly threadIds: readonly number[];
  /** The tensor count of each worker's engine (a check that finished jobs left nothing behind). */
  tensorCounts(): Promise<number[]>;
  /** Rejects queued and running jobs with `ABORTED` and ends every thread. Safe to call twice. */
  close(): Promise<void>;
}

interface Task {
  readonly id: number;
  readonly kind: JobKind;
  readonly input: unknown;
  readonly options: RunJobOptions;
  /** Only this worker may take it. */
  readonly pin?: Worker;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** Removes the abort listener. */
  release(): void;
}

/** The worker script: the built `pool-worker.js` beside this module, or `worker.ts` from source (through tsx). */
function startWorker(model: WorkerModel): Worker {
  const here = import.meta.url;
  // Threads inherit Node's flags, but not `--input-type` (of `node -e`): it forbids loading a file.
  const execArgv = process.execArgv.filter((a, i, all) => !a.startsWith('--input-type') && all[i - 1] !== '--input-type');
  if (!here.endsWith('.ts')) return new Worker(new URL('./pool-worker.js', here), { workerData: model, execArgv });
  // tsx is a development dependency: only a source checkout starts workers this way.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const script = new URL('./worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(boot, { eval: true, workerData: model, execArgv });
}

const poolClosed = () => new DeepvisError('ABORTED', 'The worker pool was closed before the job finished.');

/**
 * Starts `workers` threads, each picking its backend and loading the model, and resolves
 * once all are ready (or rejects with the first one's error, ending the others). Each
 * job runs on one thread; spread work over many jobs to use them all
 * ({@link topActivationsInPool}, {@link optimizeUnitsInPool}).
 *
 * @example
 * ```ts
 * import { openWorkerPool, topActivationsInPool } from 'deepvis/node';
 * const pool = await openWorkerPool({ model: 'models/darknet/model.json', workers: 4 });
 * try {
 *   const top = await topActivationsInPool(pool, ['a.jpg', 'b.jpg'], { layers: ['leaky_re_lu_5'], size: [224, 224] });
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export async function openWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const { workers = availableParallelism(), model, inputRange, backend = 'auto' } = options;
  checkOption(Number.isInteger(workers) && workers >= 1, 'workers', 'a positive integer', workers);
  const spec: WorkerModel = { backend, ...(model !== undefined ? { model } : {}), ...(inputRange ? { inputRange } : {}) };
  const threads = Array.from({ length: workers }, () => startWorker(spec));
  const alive = new Set<Worker>();
  const idle: Worker[] = [];
  const busy = new Map<Worker, Task>();
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;

  const dispatch = () => {
    for (let i = 0; i < queue.length && idle.length > 0; ) {
      const task = queue[i];
      const w = task.pin ? idle.find((x) => x === task.pin) : idle[0];
      if (!w) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      idle.splice(idle.indexOf(w), 1);
      busy.set(w, task);
      w.postMessage({ type: 'job', id: task.id, kind: task.kind, input: task.input } satisfies ToWorker);
    }
  };

  const settle = (w: Worker, message: FromWorker) => {
    const task = busy.get(w);
    if (!task) return;
    if (message.type === 'progress') {
      if (message.id === task.id) task.options.onProgress?.(message.value as JobProgress);
      return;
    }
    if ((message.type !== 'done' && message.type !== 'error') || message.id !== task.id) return;
    busy.delete(w);
    task.release();
    if (alive.has(w)) idle.push(w);
    if (message.type === 'done') task.resolve(message.output);
    else task.reject(fromPlainError(message.error));
    dispatch();
  };

  /** A thread that died on its own: its job fails with why, and the pool goes on with the others. */
  const lost = (w: Worker, error: Error) => {
    if (!alive.delete(w)) return;
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
    const task = busy.get(w);
    busy.delete(w);
    task?.release();
    task?.reject(error);
    if (alive.size === 0) for (const t of queue.splice(0)) t.reject(error);
    else for (const t of queue.filter((q) => q.pin === w)) queue.splice(queue.indexOf(t), 1)[0].reject(error);
    dispatch();
  };

  await new Promise<void>((resolve, reject) => {
    let ready = 0;
    for (const w of threads) {
      alive.add(w);
      const onStart = (m: FromWorker) => {
        if (m.type === 'ready') {
          idle.push(w);
          if (++ready === workers) resolve();
        } else if (m.type === 'failed') {
          reject(fromPlainError(m.error));
        }
      };
      w.on('message', (m: FromWorker) => (m.type === 'ready' || m.type === 'failed' ? onStart(m) : settle(w, m)));
      w.on('error', (e) => {
        reject(e);
        lost(w, e);
      });
      w.on('exit', (code) => {
        const error = new Error(`A deepvis worker thread exited (code ${code}) while running a job.`);
        reject(error);
        lost(w, error);
      });
    }
  }).catch(async (e) => {
    closed = true;
    await Promise.all(threads.map((w) => w.terminate()));
    throw e;
  });

  const submit = <K extends JobKind>(kind: K, input: JobInput<K>, options: RunJobOptions = {}, pin?: Worker): Promise<JobOutput<K>> => {
    if (closed) return Promise.reject(poolClosed());
    try {
      throwIfAborted(options.signal, `The ${kind} job`);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const onAbort = () => {
        const at = queue.indexOf(task);
        if (at >= 0) {
          queue.splice(at, 1);
          task.release();
          reject(new DeepvisError('ABORTED', `The ${kind} job was aborted (options.signal).`));
          return;
        }
        for (const [w, t] of busy) if (t === task) w.postMessage({ type: 'abort', id } satisfies ToWorker);
      };
      const task: Task = {
        id, kind, input, options, pin,
        resolve: resolve as (v: unknown) => void,
        reject,
        release: () => options.signal?.removeEventListener('abort', onAbort),
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(task);
      dispatch();
    });
  };

  return {
    get size() {
      return alive.size;
    },
    get threadIds() {
      return [...alive].map((w) => w.threadId);
    },
    run: (kind, input, options) => submit(kind, input, options),
    tensorCounts: () => Promise.all([...alive].map((w) => submit('tensors', undefined as never, {}, w))),
    async close() {
      if (closed) return;
      closed = true;
      const error = poolClosed();
      for (const t of queue.splice(0)) {
        t.release();
        t.reject(error);
      }
      for (const t of busy.values()) {
        t.release();
        t.reject(error);
      }
      busy.clear();
      const ending = [...alive];
      alive.clear();
      idle.length = 0;
      await Promise.all(ending.map((w) => w.terminate()));
    },
  };
}
