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
 * A software adapter (SwiftShader) is refused unless `acceptSoftware`: it is slower than wasm.
 * Returns the adapter's description, or throws saying why there is no GPU to use.
 *
 * @example
 * ```ts
 * const gpu = await installDawnWebGpu(false);   // on an H100: 'NVIDIA: 580.159.04 580.159.4.0 (nvidia)'
 * ```
 */
export async function installDawnWebGpu(acceptSoftware: boolean): Promise<string> {
  // Dawn once per process: a second instance beside the first crashed Node on an NVIDIA driver.
  found ??= findAdapter();
  const { dawn, gpu, name, software } = await found;
  if (software && !acceptSoftware) throw new Error(`only a software adapter, ${name}`);
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
