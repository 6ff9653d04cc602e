// A user-defined regularizer and objective, composed with the built-in ones, on the embedded
// Fashion-MNIST convnet (offline, a few seconds):
//
//   node --import tsx examples/custom-regularizer/main.ts [--out dir] [--class 7] [--steps 200]
//
// Writes without.png, with.png and comparison.png (left: without, right: with). See docs/custom.md.
import { parseArgs } from 'node:util';
import { useNodeBackend } from '../../src/backends/node';
import { run } from './run';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'deepvis-out/custom-regularizer' },
    class: { type: 'string', default: '7' },
    steps: { type: 'string', default: '200' },
  },
});
const info = await useNodeBackend();
console.log(`backend: ${info.name}`);
await run({ out: values.out, cls: Number(values.class), steps: Number(values.steps) });
