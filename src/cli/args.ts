import { parseArgs } from 'node:util';
import { INPUT_RANGES, parseInputRange } from '../net/input-ranges';
import type { InputRange } from '../net/types';
import { usageError } from './errors';

/** One option of a command: its parseArgs type, the value's name in the help, and the help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** What the value looks like in the help (`N`, `PATH`…). */
  readonly value?: string;
  readonly help: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;
/** Parsed option values by name (strings, string lists or booleans; absent when not given). */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Options every command takes. */
export const COMMON_OPTIONS: OptionTable = {
  model: { type: 'string', value: 'NAME|PATH|URL', help: 'darknet-tiny (the default: the shipped ImageNet classifier), fashion-mnist (the small embedded convnet), or the model.json of a tfjs model (a path, a folder holding model.json, or an http(s) URL).' },
  'input-range': { type: 'string', value: 'RANGE', help: "the model's input range: 0,1 | -1,1 | 0,255 | caffe | torchvision. Default 0,1." },
  backend: { type: 'string', value: 'NAME', help: 'auto | wasm | cpu | webgpu (a GPU through the webgpu package) | tensorflow (tfjs-node, when installed). Default auto.' },
  out: { type: 'string', value: 'DIR', help: 'output folder (replaced as a whole when the run succeeds).' },
  seed: { type: 'string', value: 'N', help: 'random seed (an integer). Default 0.' },
  timeout: { type: 'string', value: 'SECONDS', help: 'how long each download of a --model URL may take. Default 60.' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress output.' },
  help: { type: 'boolean', short: 'h', help: 'show this help.' },
};

/** `--workers`, for the commands that spread their work over threads. */
export const WORKERS_OPTION: OptionTable = {
  workers: { type: 'string', value: 'N', help: 'worker threads, each with its own copy of the model. Default: the cores; 1 runs in this process.' },
};

/**
 * Parses a command's arguments with `node:util` parseArgs (strict: unknown options and
 * stray words are errors that name themselves and point at `--help`).
 */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionTable): Values {
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, {
    type: o.type,
    ...(o.multiple ? { multiple: true } : {}),
    ...(o.short ? { short: o.short } : {}),
  }]));
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
    if (positionals.length > 0) {
      throw usageError(`Unexpected argument '${positionals[0]}' for 'deepvis ${command}'.`, `Options start with --; run 'deepvis ${command} --help'.`);
    }
    return values as Values;
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const message = (e as Error).message;
      const unknown = /Unknown option '([^']+)'/.exec(message);
      const ambiguous = /Option '(--[^' ]+)[^']*' argument is ambiguous/.exec(message);
      if (ambiguous) {
        throw usageError(`Option ${ambiguous[1]} got a value starting with '-' (or none).`, `Write ${ambiguous[1]}=VALUE for such a value; run 'deepvis ${command} --help' for what it takes.`);
      }
      throw usageError(unknown ? `Unknown option '${unknown[1]}' for 'deepvis ${command}'.` : message.split('\n')[0].replace(/\.?$/, '.'),
        `Run 'deepvis ${command} --help' for the options.`);
    }
    throw e;
  }
}

/** A string option's value, or `undefined`. */
export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A string option's values (for `multiple` options), empty when absent. */
export function strs(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/**
 * An integer option in `[min, max]`, or `fallback` when absent.
 *
 * @example
 * ```ts
 * const steps = int(values, 'steps', { min: 1 }) ?? 200;
 * ```
 */
export function int(values: Values, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  return toInt(raw, `--${name}`, range);
}

function toInt(raw: string, label: string, { min = -Infinity, max = Infinity }: { min?: number; max?: number }): number {
  const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const bounds = max === Infinity ? `an integer ≥ ${min}` : min === -Infinity ? `an integer ≤ ${max}` : `an integer from ${min} to ${max}`;
    throw usageError(`Option ${label} must be ${bounds}; got '${raw}'.`);
  }
  return n;
}

/**
 * A comma-separated list of units (`3,flamingo,7`): integers ≥ 0 or class names, checked
 * for form only (names are resolved once the model is loaded, see `resolveUnits`), or
 * `undefined` when absent.
 */
export function unitList(values: Values, name: string): string[] | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw usageError(`Option --${name} must be a comma-separated list of unit numbers or class names (like 0,3,5 or flamingo); got '${raw}'.`);
  for (const p of parts) if (/^[+-]?\d+$/.test(p)) toInt(p, `--${name}`, { min: 0 });
  return [...new Set(parts)];
}

/** One of `allowed`, or `fallback` when absent. */
export function choice<T extends string>(values: Values, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(values, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw usageError(`Option --${name} must be one of ${allowed.join(', ')}; got '${raw}'.`);
  }
  return raw as T;
}

/** `--input-range` as an input range (a name of the library's `INPUT_RANGES`), or `undefined` when absent. */
export function inputRange(values: Values): InputRange | undefined {
  const raw = str(values, 'input-range');
  if (raw === undefined) return undefined;
  try {
    return parseInputRange(raw);
  } catch {
    throw usageError(`Option --input-range must be one of ${Object.keys(INPUT_RANGES).join(' | ')}; got '${raw}'.`);
  }
}

/** A number option in `[min, max]`, or `undefined` when absent. */
export function num(values: Values, name: string, { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {}): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw usageError(`Option --${name} must be a number from ${min} to ${max}; got '${raw}'.`);
  return n;
}
