import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Writes two small 20×18 PNGs of colour ramps (a.png, b.png) into a new folder `dir`, for CLI runs with --images. */
export function writePatternPngs(dir: string): string {
  mkdirSync(dir);
  for (const [name, value] of [['a.png', 40], ['b.png', 200]] as const) {
    const png = new PNG({ width: 20, height: 18 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([value, (i / 4) % 255, 255 - value, 255], i);
    writeFileSync(join(dir, name), PNG.sync.write(png));
  }
  return dir;
}
