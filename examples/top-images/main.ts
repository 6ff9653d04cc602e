// Top-9 images per unit (Yosinski et al. 2015, the dataset-centric view): streams the
// shared photos through Darknet-Tiny, keeps each unit's nine best images, and writes a
// gallery of their receptive-field crops beside the deconv of each crop from that unit.
//
//   node --import tsx examples/top-images/main.ts [out-dir]
//
// DEEPVIS_SHARED points at the shared folder (default ../shared beside the repository).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { useNodeBackend, loadLayersModelFile, readImage } from '../../src/backends/node';
import { toNet } from '../../src/index';
import { topActivations, type DatasetImage } from '../../src/dataset/index';
import { writeGallery } from '../../src/dataset/gallery-node';

const shared = resolve(process.env.DEEPVIS_SHARED ?? join(import.meta.dirname, '../../../shared'));
const modelPath = join(shared, 'models/darknet-tiny-imagenet-tfjs/model.json');
const photoDir = join(shared, 'images');
const out = resolve(process.argv[2] ?? 'deepvis-out/top-images');
if (!existsSync(modelPath) || !existsSync(photoDir)) {
  console.error(`Needs ${modelPath} and ${photoDir}; set DEEPVIS_SHARED to the shared folder.`);
  process.exit(1);
}

const SIZE: [number, number] = [224, 224];
const LAYERS = { leaky_re_lu_5: [0, 1, 2, 3, 4, 5], leaky_re_lu_13: [0, 1, 2, 3, 4, 5] };

const backend = await useNodeBackend();
console.log(`backend: ${backend.detail}`);
const net = toNet(await loadLayersModelFile(modelPath), { inputRange: [0, 1] });
const files = readdirSync(photoDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();

// Ids are paths under the photo folder; images are read one at a time and disposed after use.
async function* photos(): AsyncGenerator<DatasetImage> {
  for (const f of files) yield { id: f, pixels: await readImage(join(photoDir, f)) };
}

const started = performance.now();
const top = await topActivations(net, photos(), {
  layers: Object.keys(LAYERS), k: 9, batchSize: 8, size: SIZE, dispose: true,
  onProgress: ({ images }) => {
    const rate = images / ((performance.now() - started) / 1000);
    process.stdout.write(`\rscanned ${images}/${files.length} photos (${rate.toFixed(1)} images/s)`);
  },
});
process.stdout.write('\n');

const gallery = await writeGallery(out, net, top, (id) => readImage(join(photoDir, id)), {
  units: LAYERS, mode: 'deconv', filter: 'norm', title: `Darknet-Tiny: top 9 of ${files.length} photos per unit`,
  onProgress: ({ done, total, layer, unit }) => process.stdout.write(`\rgallery ${done}/${total} (${layer} unit ${unit})   `),
});
process.stdout.write('\n');
console.log(`wrote ${gallery.images.length} unit pictures; open ${relative(process.cwd(), gallery.html)}`);
net.dispose();
