// The script every pool worker runs: picks its backend, loads its own model, then runs jobs
// (plain data in and out) until the pool terminates it. Started by openWorkerPool only.
import { parentPort, workerData } from 'node:worker_threads';
import { useNodeBackend } from '../backends/node';
import { loadModel, type LoadedModel } from '../cli/model';
import { JOBS, type JobContext, type JobKind } from './jobs';
import { toPlainError, type FromWorker, type ToWorker, type WorkerModel } from './messages';

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const running = new Map<number, AbortController>();

/** The array buffers in a job's output, moved rather than copied. */
function buffers(value: unknown, found: Set<ArrayBuffer> = new Set()): Set<ArrayBuffer> {
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  else if (Array.isArray(value)) for (const v of value) buffers(v, found);
  return found;
}

async function run(model: LoadedModel, id: number, kind: JobKind, input: unknown): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  const ctx: JobContext<never> = { model, signal: controller.signal, progress: (value) => post({ type: 'progress', id, value }) };
  try {
    const output = await (JOBS[kind] as (input: unknown, ctx: JobContext<never>) => Promise<unknown>)(input, ctx);
    const moved = Array.isArray(output) ? [...buffers(output.flatMap((o) => (o && typeof o === 'object' ? Object.values(o) : [])))] : [];
    post({ type: 'done', id, output }, moved);
  } catch (e) {
    post({ type: 'error', id, error: toPlainError(e) });
  } finally {
    running.delete(id);
  }
}

async function start(): Promise<void> {
  const spec = workerData as WorkerModel;
  let model: LoadedModel;
  try {
    await useNodeBackend(spec.backend);
    model = await loadModel(spec.model, spec.inputRange, () => {});
  } catch (e) {
    post({ type: 'failed', error: toPlainError(e) });
    return;
  }
  port.on('message', (m: ToWorker) => {
    if (m.type === 'abort') running.get(m.id)?.abort();
    else void run(model, m.id, m.kind as JobKind, m.input);
  });
  post({ type: 'ready' });
}

void start();
