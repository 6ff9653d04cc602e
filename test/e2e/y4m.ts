// Writes small YUV4MPEG2 (C420) videos for Chromium's fake camera
// (`--use-file-for-fake-video-capture=file.y4m`, which loops the file).
import { writeFileSync } from 'node:fs';

/** An RGB pattern: the 0–255 colour of pixel (x, y). */
export type Pattern = (x: number, y: number) => readonly [number, number, number];

/** BT.601 full-range RGB → YCbCr (the JPEG convention, hence `C420jpeg`). */
function yuv([r, g, b]: readonly [number, number, number]): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  return [y, u, v].map((c) => Math.max(0, Math.min(255, Math.round(c)))) as [number, number, number];
}

/** One 4:2:0 frame: the Y plane, then U and V averaged over 2×2 blocks. */
function frame(pattern: Pattern, width: number, height: number): Buffer {
  const Y = Buffer.alloc(width * height);
  const cw = width / 2;
  const ch = height / 2;
  const U = Buffer.alloc(cw * ch);
  const V = Buffer.alloc(cw * ch);
  const us = new Float64Array(cw * ch);
  const vs = new Float64Array(cw * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [l, u, v] = yuv(pattern(x, y));
      Y[y * width + x] = l;
      const i = (y >> 1) * cw + (x >> 1);
      us[i] += u / 4;
      vs[i] += v / 4;
    }
  }
  for (let i = 0; i < us.length; i++) {
    U[i] = Math.round(us[i]);
    V[i] = Math.round(vs[i]);
  }
  return Buffer.concat([Buffer.from('FRAME\n'), Y, U, V]);
}

/**
 * Writes a Y4M file of `patterns.length × framesEach` frames: each pattern shown for
 * `framesEach` frames in turn, at `fps`.
 */
export function writeY4m(path: string, patterns: readonly Pattern[], options: { width: number; height: number; fps: number; framesEach: number }): void {
  const { width, height, fps, framesEach } = options;
  if (width % 2 || height % 2) throw new Error(`Y4M 4:2:0 needs even sizes; got ${width}×${height}.`);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const frames = patterns.map((p) => frame(p, width, height));
  const body: Buffer[] = [header];
  for (const f of frames) for (let i = 0; i < framesEach; i++) body.push(f);
  writeFileSync(path, Buffer.concat(body));
}
