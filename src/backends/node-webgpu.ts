import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the `webgpu` package (Dawn for Node) exports that deepvis uses. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  /** `GPUBufferUsage`, `GPUMapMode`…: tfjs's WebGPU backend reads them as globals. */
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ info: { description: string; vendor: string; architecture: string; isFallbackAdapter?: boolean } } | null>;
}

/**
 * Makes WebGPU available to tfjs in Node through the optional `webgpu` package (Google's Dawn,
 * on Vulkan under Linux): installs `navigator.gpu` and Dawn's `GPU*` globals, then imports
 * `@tensorflow/tfjs-backend-webgpu`, which registers itself only where `navigator.gpu` exists.
 * Unless `named` (the caller asked for WebGPU by name), a software adapter (SwiftShader) is
 * refused, since it is slower than wasm, and on Linux Dawn is not started where no Vulkan loader
 * is in sight ({@link vulkanLoaderFound}): it would only print a warning and find nothing.
 * Returns the adapter's description, or throws saying why there is no GPU to use.
 *
 * @example
 * ```ts
 * const gpu = await installDawnWebGpu(false);   // on an H100: 'NVIDIA: 580.159.04 580.159.4.0 (nvidia)'
 * ```
 */
export async function installDawnWebGpu(named: boolean): Promise<string> {
  if (!named && !vulkanLoaderFound()) throw new Error('no Vulkan loader (libvulkan.so.1) where the dynamic linker looks');
  // Dawn once per process: a second instance beside the first crashed Node on an NVIDIA driver.
  found ??= findAdapter();
  const { dawn, gpu, name, software } = await found;
  if (software && !named) throw new Error(`only a software adapter, ${name}`);
  for (const [key, value] of Object.entries(dawn.globals)) if (!(key in globalThis)) Object.assign(globalThis, { [key]: value });
  // Node 21+ has a navigator without gpu; Node 20 has none.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.assign(globalThis, { navigator: { gpu } });
  await import('@tensorflow/tfjs-backend-webgpu');
  return name;
}

let found: ReturnType<typeof findAdapter> | undefined;

async function findAdapter() {
  const dawn = (await import('webgpu' as string)) as DawnModule;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan driver and libvulkan.so.1 installed?)');
  const { description, vendor, architecture, isFallbackAdapter } = adapter.info;
  return { dawn, gpu, name: `${description} (${[vendor, architecture].filter(Boolean).join(', ')})`, software: !!isFallbackAdapter };
}

/** Where to look for the Vulkan loader: {@link vulkanLoaderFound}'s defaults are the dynamic linker's. */
export interface LoaderSearch {
  /** `LD_LIBRARY_PATH`, colon-separated. */
  readonly libraryPath?: string;
  /** The linker's cache file, which names every library `ldconfig` indexed. */
  readonly cache?: string;
  /** The folders the linker searches last. */
  readonly dirs?: readonly string[];
}

const SYSTEM_LIBRARY_DIRS = [
  '/lib', '/usr/lib', '/lib64', '/usr/lib64',
  '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu',
];

/**
 * Whether the Vulkan loader, `libvulkan.so.1`, is where Linux's dynamic linker would find it
 * (`LD_LIBRARY_PATH`, the `ldconfig` cache, the system library folders). Dawn needs it on Linux
 * and prints "Couldn't load Vulkan" on stderr without it, so auto mode looks first. Always true
 * on other platforms (Dawn uses Metal or Direct3D there).
 *
 * @example
 * ```ts
 * if (!vulkanLoaderFound()) console.log('no GPU for Dawn here: apt-get install libvulkan1 and a driver');
 * ```
 */
export function vulkanLoaderFound(search: LoaderSearch = {}, platform: string = process.platform): boolean {
  if (platform !== 'linux') return true;
  const { libraryPath = process.env.LD_LIBRARY_PATH ?? '', cache = '/etc/ld.so.cache', dirs = SYSTEM_LIBRARY_DIRS } = search;
  const folders = [...libraryPath.split(':').filter(Boolean), ...dirs];
  if (folders.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync(cache).includes('libvulkan.so.1');
  } catch {
    return false;
  }
}
