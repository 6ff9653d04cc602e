import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The TurboJPEG calls of libjpeg-turbo's WebAssembly build (the `@cwasm/jpeg-turbo` package's binary). */
interface TurboExports {
  readonly memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(handle: number, jpeg: number, size: number, width: number, height: number, subsampling: number, colorspace: number): number;
  tjDecompress2(handle: number, jpeg: number, size: number, out: number, width: number, pitch: number, height: number, pixelFormat: number, flags: number): number;
  tjDestroy(handle: number): number;
}

/** TurboJPEG's pixel format of three bytes a pixel, red first. */
const TJPF_RGB = 0;

let compiled: WebAssembly.Module | null = null;
let turbo: TurboExports | null = null;

/**
 * The instance, made on first use (a few ms) and again after one has thrown: its C library's
 * error exit (`longjmp`) throws through the WebAssembly stack without restoring it, so an
 * instance that has thrown a few hundred times runs out of stack.
 */
function instance(): TurboExports {
  if (turbo) return turbo;
  const require = createRequire(import.meta.url);
  compiled ??= new WebAssembly.Module(readFileSync(require.resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm')));
  const module = compiled;
  const unsupported = (name: string) => () => {
    throw new Error(`libjpeg-turbo called ${name}`);
  };
  const imports = {
    env: { setjmp: () => 0, longjmp: unsupported('longjmp (a damaged file)') },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0, environ_get: unsupported('environ_get'), proc_exit: unsupported('proc_exit'),
      fd_close: unsupported('fd_close'), fd_seek: unsupported('fd_seek'), fd_write: unsupported('fd_write'),
    },
  };
  turbo = new WebAssembly.Instance(module, imports).exports as unknown as TurboExports;
  return turbo;
}

/**
 * Decodes a JPEG with libjpeg-turbo into RGB bytes that `use` reads in place (in the decoder's
 * memory, valid only during the call: no JavaScript buffer for the pixels), and returns what `use`
 * returns. Throws where libjpeg-turbo cannot read the file; its memory is freed either way.
 */
export function withTurboJpeg<T>(bytes: Uint8Array, use: (rgb: Uint8Array, width: number, height: number) => T): T {
  const tj = instance();
  const handle = tj.tjInitDecompress();
  if (handle === 0) throw new Error('libjpeg-turbo could not start a decompressor');
  const pointers: number[] = [];
  let threw = true;
  const alloc = (size: number) => {
    const p = tj.malloc(size);
    if (p === 0) throw new Error(`libjpeg-turbo could not allocate ${size} bytes`);
    pointers.push(p);
    return p;
  };
  try {
    const input = alloc(bytes.length);
    new Uint8Array(tj.memory.buffer, input, bytes.length).set(bytes);
    const header = alloc(16);
    if (tj.tjDecompressHeader3(handle, input, bytes.length, header, header + 4, header + 8, header + 12) !== 0) throw new Error('not a JPEG header');
    const [width, height] = new Int32Array(tj.memory.buffer, header, 2);
    const out = alloc(width * height * 3);
    if (tj.tjDecompress2(handle, input, bytes.length, out, width, width * 3, height, TJPF_RGB, 0) !== 0) throw new Error('libjpeg-turbo could not decode the data');
    // A view made after the last allocation: growing the memory replaces its buffer.
    const result = use(new Uint8Array(tj.memory.buffer, out, width * height * 3), width, height);
    threw = false;
    return result;
  } finally {
    if (threw) turbo = null; // a fresh instance for the next file
    else {
      for (const p of pointers) tj.free(p);
      tj.tjDestroy(handle);
    }
  }
}
