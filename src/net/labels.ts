import { DeepvisError } from '../errors';

/** Fields a label object may name its class by, in the order they are tried. */
const NAME_FIELDS = ['name', 'label', 'className', 'class_name', 'displayName', 'display_name', 'title'] as const;

function labelOf(v: unknown, at: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  // Keras' imagenet_class_index.json: [wnid, name].
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v[v.length - 1] as string;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const f of NAME_FIELDS) {
      const name = (v as Record<string, unknown>)[f];
      if (typeof name === 'string') return name;
    }
  }
  throw new DeepvisError('BAD_VALUE', `Label ${at} is ${JSON.stringify(v)?.slice(0, 60)}: give a name, [id, name], or an object with a 'name' (or 'label') field.`);
}

/**
 * Class names in output order from a parsed labels JSON: an array of names; an array of
 * objects with a `name` (or `label`, `className`, `displayName`) field; `[id, name]` pairs;
 * or an object keyed by class index (`{ "0": name | [wnid, name] | { name } }`, as Keras'
 * `imagenet_class_index.json`). Indices an object skips are `''`. With `classes`, a list of
 * another length throws BAD_VALUE; so does anything else.
 *
 * @example
 * ```ts
 * parseLabels(['cat', 'dog']);                                 // ['cat', 'dog']
 * parseLabels([{ id: 7, name: 'cat' }, { id: 9, name: 'dog' }]); // ['cat', 'dog']
 * parseLabels({ 0: ['n01440764', 'tench'], 1: ['n01443537', 'goldfish'] }, 2); // ['tench', 'goldfish']
 * ```
 */
export function parseLabels(json: unknown, classes?: number): string[] {
  let labels: string[];
  if (Array.isArray(json)) {
    labels = json.map((v, i) => labelOf(v, `#${i}`));
  } else if (json && typeof json === 'object') {
    labels = [];
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i > 1e6) {
        throw new DeepvisError('BAD_VALUE', `Labels given as an object must be keyed by class index ("0", "1", …); got the key '${k}'.`);
      }
      labels[i] = labelOf(v, `"${k}"`);
    }
    labels = Array.from(labels, (s) => s ?? '');
  } else {
    throw new DeepvisError('BAD_VALUE', `Labels must be a JSON array of names or an object { "index": name }; got ${json === null ? 'null' : typeof json}.`);
  }
  if (classes !== undefined && labels.length !== classes) {
    throw new DeepvisError('BAD_VALUE', `The labels list has ${labels.length} names but the model has ${classes} classes: give one name per class.`);
  }
  return labels;
}
