// The package as a user gets it: `npm pack` (whose `prepack` builds from a clean dist/), then
// `npm install` of the tarball into an empty folder, from the registry only (npm's cache is
// fine). For the tests that check what a user installs.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(__dirname, '../..');

/** The installed version of a devDependency here, for installing the same into the user's folder. */
export function installedVersion(pkg: string): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/** A folder with the packed package installed, and how to run things in it. */
export interface Installed {
  /** The user's project folder (its node_modules holds deepvis and the extras). */
  readonly dir: string;
  /** The tarball `npm pack` made. */
  readonly tarball: string;
  /** Runs a command in `dir`; never throws (look at `status`). */
  run(command: string, args: readonly string[], options?: { timeout?: number; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string>;
  /** Writes a file into `dir`. */
  write(name: string, text: string): string;
  /** Deletes the folder (the tarball stays: its maker removes it). */
  remove(): void;
}

/**
 * Packs the repository with `npm pack` (its `prepack` script builds `dist/` from scratch) and
 * returns the tarball's path in a new temporary folder.
 */
export function packTarball(root = ROOT): string {
  const out = mkdtempSync(join(tmpdir(), 'deepvis-pack-'));
  const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 1_800_000 });
  return join(out, packedFileName(stdout));
}

/**
 * The tarball's name from `npm pack --json`'s stdout, which also carries whatever `prepack`
 * printed first (the build's log, with colour codes such as `ESC[34m` where colour is forced):
 * the report is the JSON array at the end, so the first `[` that starts valid JSON to the end.
 */
export function packedFileName(stdout: string): string {
  for (let at = stdout.indexOf('['); at >= 0; at = stdout.indexOf('[', at + 1)) {
    let report: unknown;
    try { report = JSON.parse(stdout.slice(at)); } catch { continue; }
    const name = Array.isArray(report) ? (report[0] as { filename?: unknown } | undefined)?.filename : undefined;
    if (typeof name === 'string') return name;
  }
  throw new Error(`npm pack --json printed no report with a filename:\n${stdout.slice(-2000)}`);
}

/**
 * Installs `tarball` and `extras` (`name@version` specs, e.g. the tfjs peers a test needs)
 * into a new empty folder with `npm install`, from the registry only: no links to this
 * repository, no workspace. `type` sets the folder's package.json module type.
 */
export function installTarball(tarball: string, extras: readonly string[], type: 'module' | 'commonjs' = 'module'): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'deepvis-user-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'deepvis-user', version: '1.0.0', private: true, type }, null, 2));
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', tarball, ...extras], {
    cwd: dir, encoding: 'utf8', timeout: 600_000,
  });
  if (npm.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm install of ${tarball} failed (${npm.status}):\n${npm.stderr}`);
  }
  return {
    dir,
    tarball,
    run: (command, args, options = {}) => spawnSync(command, [...args], {
      cwd: dir, encoding: 'utf8', timeout: options.timeout ?? 120_000, env: { ...process.env, ...options.env },
    }),
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
