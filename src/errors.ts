/** What went wrong, as a stable machine-readable code. */
export type DeepvisErrorCode =
  | 'UNKNOWN_LAYER'
  | 'UNKNOWN_CLASS'
  | 'OUT_OF_RANGE'
  | 'BAD_SHAPE'
  | 'BAD_DTYPE'
  | 'BAD_OPTION'
  | 'BAD_VALUE'
  | 'NOT_FINITE'
  | 'TOO_LARGE'
  | 'DISPOSED'
  | 'UNSUPPORTED'
  | 'ABORTED';

/**
 * The one error class deepvis throws on purpose. `code` says what kind of problem it is;
 * the message says what to change.
 *
 * @example
 * ```ts
 * try { net.forward(pixels, { taps: ['conv9'] }); }
 * catch (e) { if (e instanceof DeepvisError && e.code === 'UNKNOWN_LAYER') console.log(e.message); }
 * ```
 */
export class DeepvisError extends Error {
  readonly code: DeepvisErrorCode;
  constructor(code: DeepvisErrorCode, message: string) {
    super(message);
    this.name = code === 'ABORTED' ? 'AbortError' : 'DeepvisError';
    this.code = code;
  }
}

/** Throws ABORTED (named `AbortError`) when `signal` has fired: "`what` was aborted (options.signal)." */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DeepvisError('ABORTED', `${what} was aborted (options.signal).`);
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The `count` names closest to `wanted`, nearest first. */
export function closestNames(wanted: string, names: readonly string[], count = 5): string[] {
  return [...names]
    .map((name) => ({ name, d: editDistance(wanted.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, count)
    .map((x) => x.name);
}

/** Where an unknown-layer message sends library users for the full list (the CLI names its own command). */
export const LAYER_LIST_HINT = 'see net.describe()';

/** Throws UNKNOWN_LAYER naming the closest existing names. */
export function unknownName(kind: string, wanted: string, names: readonly string[]): never {
  const near = closestNames(wanted, names);
  throw new DeepvisError(
    'UNKNOWN_LAYER',
    `Unknown ${kind} '${wanted}'. Closest names: ${near.map((n) => `'${n}'`).join(', ')}` +
      ` (${names.length} in all; ${LAYER_LIST_HINT}).`,
  );
}

/** Throws BAD_OPTION unless `ok`. */
export function checkOption(ok: boolean, option: string, allowed: string, got: unknown): void {
  if (!ok) {
    throw new DeepvisError('BAD_OPTION', `Option '${option}' must be ${allowed}; got ${formatValue(got)}.`);
  }
}

export function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
