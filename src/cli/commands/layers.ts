import { COMMON_OPTIONS, type OptionTable } from '../args';
import type { Command } from '../command';
import { openModel } from '../context';

const { model, 'input-range': inputRange, backend, quiet, help } = COMMON_OPTIONS;
const options: OptionTable = {
  json: { type: 'boolean', help: 'print JSON ({ model, input, logits, classes, layers: [...] }) instead of the table.' },
  model, 'input-range': inputRange, backend, quiet, help,
};

/** `deepvis layers`: the model's layers, the names every `--layer` option takes. */
export const layersCommand: Command = {
  name: 'layers',
  summary: "a model's layers: the names --layer takes, with output shapes and activations",
  description: 'Prints one line per layer on stdout: name, class, output shape, activation, and whether deepvis ' +
    'compiles it or runs it through tfjs-layers. Writes no files.',
  options,
  examples: [
    'deepvis layers',
    'deepvis layers --model fashion-mnist',
    "deepvis layers --json -q | jq -r '.layers[].name'",
  ],
  async run(values, io) {
    const { model: loaded } = await openModel(values, io);
    try {
      const { net } = loaded;
      io.out.write(values.json === true
        ? `${JSON.stringify({ model: loaded.name, input: net.inputShape, logits: net.logits, classes: loaded.labels.length, layers: net.layers }, null, 2)}\n`
        : `${net.describe()}\n`);
    } finally {
      loaded.dispose();
    }
    return null;
  },
};
