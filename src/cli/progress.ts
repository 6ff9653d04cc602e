/** Where progress goes: stderr, a TTY or not. Tests pass their own. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A progress reporter for one task of `total` units. */
export interface Progress {
  /** Sets how many units are done (and an optional note, e.g. the current item). */
  update(done: number, note?: string): void;
  /** Ends the bar with a closing line. */
  done(note?: string): void;
}

const WIDTH = 24;

/**
 * A progress bar: on a TTY one line redrawn with `\r` (at most ~15 times a second); elsewhere
 * (pipes, logs, CI) a plain line at each tenth of the way. Silent when `quiet`.
 *
 * @example
 * ```ts
 * const bar = progress('optimize', 1000, process.stderr);
 * for (let i = 1; i <= 1000; i++) bar.update(i);
 * bar.done('4.2 s');
 * ```
 */
export function progress(label: string, total: number, stream: ProgressStream, quiet = false): Progress {
  if (quiet) return { update() {}, done() {} };
  const start = Date.now();
  let lastDraw = 0;
  let lastTenth = -1;
  let current = 0;
  const seconds = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
  const line = (done: number, note?: string) => {
    const f = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(f * WIDTH);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${seconds()}${note ? ` ${note}` : ''}`;
  };
  return {
    update(done, note) {
      current = done;
      if (stream.isTTY) {
        const now = Date.now();
        if (now - lastDraw < 66 && done < total) return;
        lastDraw = now;
        const text = line(done, note);
        const cols = stream.columns ?? 100;
        stream.write(`\r${text.length >= cols ? text.slice(0, cols - 1) : text.padEnd(cols - 1)}`);
      } else {
        const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
        if (tenth === lastTenth || tenth >= 10) return;
        lastTenth = tenth;
        stream.write(`${line(done, note)}\n`);
      }
    },
    done(note) {
      const text = line(total > 0 ? Math.max(current, total) : current, note);
      stream.write(stream.isTTY ? `\r${text.padEnd((stream.columns ?? 100) - 1)}\n` : `${text}\n`);
    },
  };
}
