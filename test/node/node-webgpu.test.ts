import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { vulkanLoaderFound } from '../../src/backends/node-webgpu';

// Chromium ships a Vulkan loader and SwiftShader's Vulkan driver: Dawn can use them here.
const chromium = process.env.CHROMIUM_LIB ?? '/usr/lib/chromium';
const hasVulkan = existsSync(resolve(chromium, 'libvulkan.so.1')) && existsSync(resolve(chromium, 'vk_swiftshader_icd.json'));
if (!hasVulkan) console.warn(`[skip] deepvis/node on WebGPU: no Vulkan loader and SwiftShader driver in ${chromium} (install chromium, or set CHROMIUM_LIB).`);

function child(): Promise<Record<string, any>> {
  const root = resolve(import.meta.dirname, '../..');
  const env = { ...process.env, LD_LIBRARY_PATH: chromium, VK_ICD_FILENAMES: resolve(chromium, 'vk_swiftshader_icd.json') };
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--import', 'tsx', 'test/helpers/node-webgpu-child.ts'], { cwd: root, env, timeout: 170_000 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${error.message}\n${stderr}`));
      else done(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

describe.runIf(hasVulkan && process.env.DEEPVIS_BACKEND !== 'cpu')('useNodeBackend: WebGPU in Node through Dawn (the webgpu package)', () => {
  it('computes every tap and the input gradient as cpu does; auto mode passes over a software adapter', async () => {
    const out = await child();
    expect(out.named).toBe('webgpu');
    expect(out.detail).toMatch(/^webgpu from webgpu \(Dawn\) on SwiftShader/);
    // SwiftShader is slower than wasm: picked only when asked for.
    expect(out.auto).toBe('wasm');
    expect(out.autoDetail).toMatch(/skipped .*webgpu \(only a software adapter, SwiftShader/);
    for (const [name, error] of Object.entries(out.errors)) expect(error, name).toBeLessThan(1e-4);
    expect(Object.keys(out.errors).length).toBeGreaterThan(10);
    expect(out.leaked).toBe(0);
  }, 180_000);
});

describe('vulkanLoaderFound: where auto mode looks before starting Dawn', () => {
  it('finds libvulkan.so.1 on LD_LIBRARY_PATH, in the linker cache or a system folder, and nowhere else', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'deepvis-vulkan-'));
    try {
      writeFileSync(join(tmp, 'cache-with'), Buffer.from('\0ld.so-1.7.0\0libvulkan.so.1\0/usr/lib/x/libvulkan.so.1\0'));
      writeFileSync(join(tmp, 'cache-without'), Buffer.from('\0ld.so-1.7.0\0libc.so.6\0/usr/lib/x/libc.so.6\0'));
      // A folder holding the loader, as LD_LIBRARY_PATH or as a system folder.
      const folder = mkdtempSync(join(tmp, 'lib-'));
      writeFileSync(join(folder, 'libvulkan.so.1'), '');
      const none = { cache: join(tmp, 'cache-without'), dirs: [] };
      expect(vulkanLoaderFound({ ...none, libraryPath: '' }, 'linux')).toBe(false);
      expect(vulkanLoaderFound({ ...none, libraryPath: `${tmp}:${folder}` }, 'linux')).toBe(true);
      expect(vulkanLoaderFound({ ...none, libraryPath: '', dirs: [folder] }, 'linux')).toBe(true);
      expect(vulkanLoaderFound({ ...none, libraryPath: '', cache: join(tmp, 'cache-with') }, 'linux')).toBe(true);
      expect(vulkanLoaderFound({ ...none, libraryPath: '', cache: join(tmp, 'missing') }, 'linux')).toBe(false);
      // Dawn uses Metal or Direct3D elsewhere.
      expect(vulkanLoaderFound({ ...none, libraryPath: '' }, 'darwin')).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
