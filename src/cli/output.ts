import { existsSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from './errors';

/** The file every deepvis output folder holds: what made it. Its presence marks a folder deepvis may replace. */
export const MARKER = 'deepvis.json';

/**
 * An output folder written all-or-nothing: files go into a hidden temporary folder next
 * to the target, which replaces the target only in {@link Output.commit}. Until then the
 * target is untouched; {@link Output.discard} (or the process exiting first) removes the
 * temporary folder.
 */
export interface Output {
  /** The folder the files will end up in. */
  readonly target: string;
  /** The temporary folder being written. */
  readonly dir: string;
  /** A path inside the temporary folder. */
  path(...parts: string[]): string;
  /** Writes the marker, then moves the temporary folder into place (replacing an older deepvis output). */
  commit(marker: Record<string, unknown>): Promise<void>;
  /** Removes the temporary folder (and the parent folders it created). Safe to call twice. */
  discard(): Promise<void>;
}

/** `true` when `dir` is absent, empty, a deepvis output, or holds only deepvis outputs. */
async function replaceable(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  if (!(await stat(dir)).isDirectory()) return false;
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.length === 0 || entries.some((e) => e.name === MARKER)) return true;
  return entries.every((e) => e.isDirectory() && existsSync(join(dir, e.name, MARKER)));
}

/** Every temporary folder still open, removed synchronously if the process exits early. */
const open = new Set<string>();
let hooked = false;
function cleanUpOnExit() {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const dir of open) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Opens `target` for an all-or-nothing write. Refuses a target that exists and is not a
 * deepvis output folder (so `--out ~` cannot wipe a home folder).
 *
 * @example
 * ```ts
 * const out = await openOutput('deepvis-out/optimize');
 * try { await writePng(out.path('unit-0.png'), image); await out.commit({ command: 'optimize' }); }
 * finally { await out.discard(); }
 * ```
 */
export async function openOutput(target: string): Promise<Output> {
  const full = resolve(target);
  if (!(await replaceable(full))) {
    throw usageError(`Output folder '${target}' exists and is not a deepvis output (no ${MARKER} in it).`,
      'Choose a new folder with --out, or remove that one: deepvis replaces its output folder as a whole.');
  }
  // Remember the highest parent folder this run creates, to remove it again on failure.
  let created: string | null = null;
  for (let p = dirname(full); !existsSync(p); p = dirname(p)) created = p;
  await mkdir(dirname(full), { recursive: true });
  const dir = join(dirname(full), `.${basename(full)}.partial-${process.pid}-${Date.now().toString(36)}`);
  await mkdir(dir);
  open.add(dir);
  cleanUpOnExit();
  let finished = false;
  const removeCreatedParents = async () => {
    if (!created) return;
    for (let p = dirname(full); p.length >= created.length; p = dirname(p)) {
      try {
        if ((await readdir(p)).length > 0) break;
        await rmdir(p);
      } catch {
        break;
      }
    }
  };
  return {
    target: full,
    dir,
    path: (...parts) => join(dir, ...parts),
    async commit(marker) {
      await writeFile(join(dir, MARKER), `${JSON.stringify({ tool: 'deepvis', ...marker }, null, 2)}\n`);
      const old = existsSync(full) ? `${dir}.old` : null;
      if (old) await rename(full, old);
      try {
        await rename(dir, full);
      } catch (e) {
        if (old) await rename(old, full);
        throw e;
      }
      finished = true;
      open.delete(dir);
      if (old) await rm(old, { recursive: true, force: true });
    },
    async discard() {
      if (finished) return;
      finished = true;
      open.delete(dir);
      await rm(dir, { recursive: true, force: true });
      await removeCreatedParents();
    },
  };
}
