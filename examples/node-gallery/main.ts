// `npm run demo`: the deepvis gallery of Darknet-Tiny, the ImageNet classifier shipped with
// deepvis, offline, into deepvis-out/ — for six classes (the top classes of the shipped
// photos) the four Table 1 presets' optimized images, activation grids and guided backprop for
// a few photos, and the top-9 photos of some units.
//
//   npm run demo                              # = node --import tsx examples/node-gallery/main.ts
//   npm run demo -- --steps 200 --size 128    # any `deepvis gallery` option passes through (and wins)
//   npm run demo -- --model fashion-mnist     # the small embedded Fashion-MNIST convnet
//
// It is the CLI's own gallery command, called as a function, at a size and step count that
// keep it to about a minute and a half of CPU time (the gallery's own defaults, 128² and 100
// steps, take about twice as long).
import { exitCleanlyOnInterrupt, main } from '../../src/cli/main';

/** The demo's size, steps and presets (the paper's four and the modern style) for Darknet-Tiny, before the user's arguments so that theirs win. */
const DEMO = ['--size', '96', '--steps', '80', '--preset', '1,2,3,4,lucid'];

exitCleanlyOnInterrupt();
const started = Date.now();
const userArgs = process.argv.slice(2);
const otherModel = userArgs.some((a) => a === '--model' || a.startsWith('--model='));
// main prints where the index.html is ("deepvis gallery: wrote …/deepvis-out/index.html").
const code = await main(['gallery', '--out', 'deepvis-out', ...(otherModel ? [] : DEMO), ...userArgs]);
if (code === 0) console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s: open that index.html in a browser.`);
process.exitCode = code;
