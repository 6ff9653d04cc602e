import { CliError } from '../cli/errors';
import { DeepvisError, type DeepvisErrorCode } from '../errors';
import type { InputRange } from '../net/types';
import type { NodeBackendName } from '../backends/node';

/** An input range that can cross threads: `[lo, hi]` or `{ mean, std, bgr }`. */
export type PlainInputRange = Exclude<InputRange, (pixels: never) => unknown>;

/** An error as plain data, to cross a thread: enough to throw the same error on the other side. */
export interface PlainError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly exitCode?: number;
  readonly hint?: string;
  readonly stack?: string;
}

/** Any thrown value as plain data. */
export function toPlainError(e: unknown): PlainError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    ...(e instanceof DeepvisError ? { code: e.code } : {}),
    ...(e instanceof CliError ? { exitCode: e.exitCode, hint: e.hint } : {}),
  };
}

/** The error {@link toPlainError} described: a DeepvisError with the same code and message, a CliError, or an Error. */
export function fromPlainError(p: PlainError): Error {
  const e = p.code !== undefined ? new DeepvisError(p.code as DeepvisErrorCode, p.message)
    : p.exitCode !== undefined ? new CliError(p.exitCode, p.message, p.hint)
    : Object.assign(new Error(p.message), { name: p.name });
  if (p.stack) e.stack = `${e.name}: ${e.message}\n    (in a worker thread)\n${p.stack.split('\n').slice(1).join('\n')}`;
  return e;
}

/** What the pool sends a worker. */
export type ToWorker =
  | { readonly type: 'job'; readonly id: number; readonly kind: string; readonly input: unknown }
  | { readonly type: 'abort'; readonly id: number };

/** What a worker sends the pool. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: PlainError }
  | { readonly type: 'progress'; readonly id: number; readonly value: unknown }
  | { readonly type: 'done'; readonly id: number; readonly output: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: PlainError };

/** The model a worker loads, as plain data. */
export interface WorkerModel {
  /** A model.json path, a folder holding one, an http(s) URL, or a built-in name (`'darknet-tiny'`, the default, or `'fashion-mnist'`). */
  readonly model?: string;
  /** The model's input range as plain data (not a function); absent: the loader's default. */
  readonly inputRange?: PlainInputRange;
  /** The backend each worker picks (`useNodeBackend`'s names). */
  readonly backend: NodeBackendName | 'auto';
}
