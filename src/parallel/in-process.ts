import type { LoadedModel } from '../cli/model';
import { throwIfAborted } from '../errors';
import { JOBS, type JobContext } from './jobs';
import type { JobRunner } from './pool';

/**
 * The pool's jobs run one at a time in this thread on a model already loaded (the CLI's
 * `--workers 1`): the same code as in a worker, so the same results.
 */
export function inProcessRunner(model: LoadedModel): JobRunner {
  let previous: Promise<unknown> = Promise.resolve();
  return {
    size: 1,
    run(kind, input, options = {}) {
      const job = previous.then(() => {
        throwIfAborted(options.signal, `The ${kind} job`);
        const ctx: JobContext<never> = { model, signal: options.signal ?? new AbortController().signal, progress: (v) => options.onProgress?.(v) };
        return (JOBS[kind] as (input: unknown, ctx: JobContext<never>) => Promise<never>)(input, ctx);
      });
      previous = job.catch(() => {});
      return job;
    },
  };
}
