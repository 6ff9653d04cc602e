// `npm run demo`: the deepvis gallery of the embedded Fashion-MNIST convnet, offline, into
// deepvis-out/ — for each class the four Table 1 presets' optimized images, activation grids
// and guided backprop for a few test images, and the top-9 images of some units.
//
//   npm run demo                        # = node --import tsx examples/node-gallery/main.ts
//   npm run demo -- --classes 0,5,9     # any `deepvis gallery` option passes through
//   npm run demo -- --model ../shared/models/darknet-tiny-imagenet-tfjs/model.json --images ../shared/images
//
// It is the CLI's own gallery command, called as a function.
import { exitCleanlyOnInterrupt, main } from '../../src/cli/main';

exitCleanlyOnInterrupt();
const started = Date.now();
// main prints where the index.html is ("deepvis gallery: wrote …/deepvis-out/index.html").
const code = await main(['gallery', '--out', 'deepvis-out', ...process.argv.slice(2)]);
if (code === 0) console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s: open that index.html in a browser.`);
process.exitCode = code;
