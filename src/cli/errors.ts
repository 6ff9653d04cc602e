import { DeepvisError, LAYER_LIST_HINT } from '../errors';

/**
 * The CLI's exit codes. A person fixes 2 by changing the command line, 3 by pointing at a
 * file, folder, URL or package that exists, 4 by choosing another model.
 */
export const EXIT = Object.freeze({
  ok: 0,
  /** Something went wrong that the message does not blame on the input (a bug: please report it). */
  internal: 1,
  /** A bad command line: unknown command or option, a bad value, an unknown layer, a unit out of range. */
  usage: 2,
  /** An input that cannot be read: a missing file or folder, a bad URL, an image that does not decode, no backend. */
  input: 3,
  /** A model deepvis cannot use: not a convnet with one image input. */
  model: 4,
  /** Interrupted (Ctrl-C, SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM. */
  terminated: 143,
  /** Stopped by SIGHUP (the terminal closed). */
  hangup: 129,
});

/**
 * An error the CLI reports as one line (plus an optional hint) and an exit code.
 *
 * @example
 * ```ts
 * throw new CliError(EXIT.input, `Model file not found: '${path}'.`, 'Give --model the path to a model.json.');
 * ```
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(exitCode: number, message: string, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A bad command line (exit 2). */
export const usageError = (message: string, hint?: string) => new CliError(EXIT.usage, message, hint);
/** An input that cannot be read (exit 3). */
export const inputError = (message: string, hint?: string) => new CliError(EXIT.input, message, hint);

const deepvisExit: Partial<Record<DeepvisError['code'], number>> = {
  UNKNOWN_LAYER: EXIT.usage,
  UNKNOWN_CLASS: EXIT.usage,
  OUT_OF_RANGE: EXIT.usage,
  BAD_OPTION: EXIT.usage,
  UNSUPPORTED: EXIT.model,
  BAD_VALUE: EXIT.input,
  BAD_SHAPE: EXIT.usage,
  TOO_LARGE: EXIT.usage,
  NOT_FINITE: EXIT.usage,
  ABORTED: EXIT.interrupted,
};

/** Node's file-system errors: what each code means, in words. */
const FS_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'no such file or folder', EEXIST: 'already exists',
  ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'is a folder', ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system', ENAMETOOLONG: 'name too long', EMFILE: 'too many open files', EBUSY: 'busy', EXDEV: 'on another device',
};

/**
 * Any thrown value as the CLI's exit code and message: CliErrors as they are, the
 * library's DeepvisErrors by code (their messages already say what to change), anything
 * else as an internal error with its stack.
 */
export function describeFailure(e: unknown): { exitCode: number; message: string } {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.hint ? `${e.message}\n  ${e.hint}` : e.message };
  if (e instanceof DeepvisError) {
    // The library points at net.describe(); on the command line the list is a command.
    const message = e.code === 'UNKNOWN_LAYER' ? e.message.replace(LAYER_LIST_HINT, "'deepvis layers' lists them") : e.message;
    return { exitCode: deepvisExit[e.code] ?? EXIT.internal, message };
  }
  const fs = e as { code?: string; syscall?: string; path?: string };
  if (e instanceof Error && typeof fs.code === 'string' && fs.code in FS_ERRORS && typeof fs.syscall === 'string') {
    return { exitCode: EXIT.input, message: `Cannot ${fs.syscall} '${fs.path ?? '?'}': ${FS_ERRORS[fs.code]} (${fs.code}).\n  Check the path and its permissions (--out must be a folder deepvis can create and write).` };
  }
  const error = e instanceof Error ? e : new Error(String(e));
  return { exitCode: EXIT.internal, message: `Unexpected error (please report it): ${error.stack ?? error.message}` };
}
