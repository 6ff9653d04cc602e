import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { usageError } from './errors';

/**
 * The file every deepvis output folder holds: what made it and the files it wrote. Its
 * presence marks a folder deepvis may write into; only the files it lists are ever replaced
 * or removed.
 */
export const MARKER = 'deepvis.json';

/**
 * An output folder written as a whole or not at all: files go into a hidden run folder next
 * to the target, and move into the target only in {@link Output.commit}. Until then the
 * target is untouched; {@link Output.discard} (or the process exiting first) removes the
 * run folder and the parent folders the run created. In the target, the commit replaces the
 * files the previous run listed in its {@link MARKER} and removes those it no longer writes;
 * any other file stays.
 */
export interface Output {
  /** The folder the files will end up in. */
  readonly target: string;
  /** The run folder being written. */
  readonly dir: string;
  /** A path inside the run folder. */
  path(...parts: string[]): string;
  /** Moves the run's files into the target, then writes the marker listing them. */
  commit(marker: Record<string, unknown>): Promise<void>;
  /** Removes the run folder (and the parent folders it created). Safe to call twice. */
  discard(): Promise<void>;
}

/**
 * What the previous run's marker says it wrote: none without a marker; `null` for a marker
 * without a list (an older deepvis), whose files are replaced by name but never removed.
 */
async function writtenBefore(dir: string): Promise<Set<string> | null> {
  if (!existsSync(join(dir, MARKER))) return new Set();
  try {
    const files = JSON.parse(await readFile(join(dir, MARKER), 'utf8')).files;
    return Array.isArray(files) ? new Set(files.filter((f: unknown): f is string => typeof f === 'string')) : null;
  } catch {
    return null;
  }
}

/** `true` when `dir` is absent, empty, a deepvis output, or holds only deepvis outputs. */
async function isDeepvisFolder(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.length === 0 || entries.some((e) => e.name === MARKER)) return true;
  return entries.every((e) => e.isDirectory() && existsSync(join(dir, e.name, MARKER)));
}

/** Every file under `dir`, as paths relative to it with '/' separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? (e as { path?: string }).path, e.name)).split(sep).join('/'));
}

/** Run folders still open, removed synchronously (with the parents they created) if the process exits early. */
const open = new Map<string, () => void>();
let hooked = false;
function cleanUpOnExit() {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const remove of open.values()) remove();
  });
}

/** Removes the empty folders from `from` up to and including `top` (stops at the first that is not empty). */
function removeEmptyParents(from: string, top: string): void {
  for (let p = from; p.length >= top.length && p !== dirname(p); p = dirname(p)) {
    try {
      if (readdirSync(p).length > 0) return;
      rmdirSync(p);
    } catch {
      return;
    }
  }
}

/** Creates `dir` and its missing parents one level at a time (Node's recursive mkdir never returns under /proc). */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let p = dir; !existsSync(p) && p !== dirname(p); p = dirname(p)) missing.unshift(p);
  for (const p of missing) await mkdir(p);
}

const PARTIAL = /^\.(.+)\.partial-(\d+)-[0-9a-z]+$/;

/** Removes run folders beside `full` left by deepvis processes that no longer run. */
function removeStaleRunFolders(full: string): void {
  let names: string[];
  try {
    names = readdirSync(dirname(full));
  } catch {
    return;
  }
  for (const name of names) {
    const m = PARTIAL.exec(name);
    if (!m || m[1] !== basename(full) || isRunning(Number(m[2]))) continue;
    rmSync(join(dirname(full), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Opens `target` for a write of a whole run. Refuses a target that exists and is not a
 * deepvis output folder (so `--out ~` cannot touch a home folder), and removes run folders
 * that earlier, killed runs left beside it.
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
  if (existsSync(full) && !(await stat(full)).isDirectory()) {
    throw usageError(`Output folder '${target}' is a file.`, 'Choose a folder with --out.');
  }
  if (!(await isDeepvisFolder(full))) {
    throw usageError(`Output folder '${target}' exists and is not a deepvis output (no ${MARKER} in it).`,
      'Choose a new or empty folder with --out: deepvis writes only into folders it made.');
  }
  removeStaleRunFolders(full);
  // The highest parent folder this run creates, removed again if the run does not finish.
  let created: string | null = null;
  for (let p = dirname(full); !existsSync(p); p = dirname(p)) created = p;
  const dir = join(dirname(full), `.${basename(full)}.partial-${process.pid}-${Date.now().toString(36)}`);
  const removeNow = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing was made there (its parent is not a folder); the first error is the one to report.
    }
    if (created) removeEmptyParents(dirname(full), created);
  };
  try {
    await makeFolders(dirname(full));
    await mkdir(dir);
  } catch (e) {
    removeNow();
    throw e;
  }
  open.set(dir, removeNow);
  cleanUpOnExit();
  let finished = false;
  return {
    target: full,
    dir,
    path: (...parts) => join(dir, ...parts),
    async commit(marker) {
      const files = (await filesUnder(dir)).filter((f) => f !== MARKER);
      const writeMarker = (listed: readonly string[], at: string) =>
        writeFile(at, `${JSON.stringify({ tool: 'deepvis', ...marker, files: [...listed].sort() }, null, 2)}\n`);
      if (!existsSync(full)) {
        await writeMarker(files, join(dir, MARKER));
        await rename(dir, full);
      } else {
        const before = await writtenBefore(full);
        const foreign = files.filter((f) => before !== null && !before.has(f) && existsSync(join(full, f)));
        if (foreign.length > 0) {
          throw usageError(`'${join(target, foreign[0])}' exists and deepvis did not write it${foreign.length > 1 ? ` (nor ${foreign.length - 1} more)` : ''}; nothing was changed.`,
            'Move it away, or choose another folder with --out.');
        }
        // Listed first (old and new), so an interrupted commit leaves no unlisted deepvis file.
        await writeMarker([...new Set([...(before ?? []), ...files])], join(dir, MARKER));
        await rename(join(dir, MARKER), join(full, MARKER));
        for (const f of files) {
          await makeFolders(dirname(join(full, f)));
          await rename(join(dir, f), join(full, f));
        }
        for (const f of before ?? []) {
          if (files.includes(f) || f === MARKER) continue;
          await rm(join(full, f), { force: true });
          removeEmptyParents(dirname(join(full, f)), join(full, '.'));
        }
        await writeMarker(files, join(dir, MARKER));
        await rename(join(dir, MARKER), join(full, MARKER));
        await rm(dir, { recursive: true, force: true });
      }
      finished = true;
      open.delete(dir);
    },
    async discard() {
      if (finished) return;
      finished = true;
      open.delete(dir);
      await rm(dir, { recursive: true, force: true });
      if (created) removeEmptyParents(dirname(full), created);
    },
  };
}
