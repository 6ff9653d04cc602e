// The fidelity numbers of docs/optimization.md ("How much it helps", "Gallery"): bench/fidelity.ts's
// measure (top-1, robust top-1, target probability, contrast of the saved picture, ms per step)
// for chosen styles, step counts, classes and seed, without the rest of `npm run bench`.
// Each style is one batched run over the classes (the first N of FIDELITY_CLASSES), measured at
// each checkpoint. The docs' rows come from:
//   nice node --import tsx scripts/fidelity.ts --classes 4 --seed 0 --lucid 64,128 --presets 3,1,4,2
// `--presets` runs each paper preset to its own step count (`--preset-steps N` instead, for a
// short timing run). Darknet-Tiny is read from $DEEPVIS_SHARED/models (default ../shared).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadLayersModelFile, useNodeBackend } from '../src/backends/node';
import { LUCID_PRESET, PAPER_PRESETS, toNet } from '../src/index';
import { bareStep, FIDELITY_CLASSES, measureStyle } from '../bench/fidelity';
import { markdownTable, type Row } from '../bench/harness';

const { values: args } = parseArgs({
  options: {
    classes: { type: 'string', default: '4' },
    seed: { type: 'string', default: '0' },
    size: { type: 'string', default: '128' },
    lucid: { type: 'string', default: '64,128' },
    presets: { type: 'string', default: '' },
    'preset-steps': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const list = (s: string) => s.split(',').filter(Boolean).map(Number);
const classes = FIDELITY_CLASSES.slice(0, Number(args.classes));
const [seed, size] = [Number(args.seed), Number(args.size)];

const file = join(process.env.DEEPVIS_SHARED ?? '../shared', 'models/darknet-tiny-imagenet-tfjs/model.json');
if (!existsSync(file)) throw new Error(`Darknet-Tiny not found at ${file}; set DEEPVIS_SHARED.`);
await useNodeBackend(args.backend as 'wasm' | 'cpu');
// As the bench reads it (bench/run.ts).
const net = toNet(await loadLayersModelFile(file), { inputRange: [0, 1] });
console.log(`${new Date().toISOString()} ${args.backend}, Darknet-Tiny ${size}², classes ${classes.join(', ')}, seed ${seed}, load average ${loadavg()[0].toFixed(1)}`);

const bare = await bareStep(net, classes, size);
/** Prints each style's rows as soon as they are measured. */
const report = (rows: Row[]) => console.log(`${markdownTable(rows)}\n${new Date().toISOString()}, load average ${loadavg()[0].toFixed(1)}`);
const lucid = list(args.lucid);
if (lucid.length > 0) report(await measureStyle(net, 'lucid', LUCID_PRESET, lucid, classes, size, bare, args.backend, seed));
for (const p of list(args.presets)) {
  const preset = PAPER_PRESETS[p - 1];
  report(await measureStyle(net, `preset ${p}`, preset, [Number(args['preset-steps'] ?? preset.steps)], classes, size, bare, args.backend, seed));
}
