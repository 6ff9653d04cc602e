import { closestNames, DeepvisError, formatValue } from '../errors';
import type { Net } from '../net/types';

/** Field names that hold a class's name in an array of label objects, most specific first. */
const NAME_FIELDS = ['name', 'label', 'className', 'class_name', 'class', 'title', 'displayName', 'display_name'] as const;

/** A class name out of one entry of a labels file: a string, a Keras `[wnid, name]` pair, or an object's name field. */
function entryName(entry: unknown, where: string): string {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry) && entry.length > 0 && entry.every((x) => typeof x === 'string')) return entry[entry.length - 1] as string;
  if (entry !== null && typeof entry === 'object') {
    for (const field of NAME_FIELDS) {
      const v = (entry as Record<string, unknown>)[field];
      if (typeof v === 'string') return v;
    }
  }
  const shown = formatValue(entry);
  throw new DeepvisError('BAD_VALUE', `Labels entry ${where} has no class name: ${shown.length > 80 ? `${shown.slice(0, 77)}…` : shown}. ` +
    `Give strings, [wnid, name] pairs, or objects with a ${NAME_FIELDS.slice(0, 3).map((f) => `'${f}'`).join('/')} field.`);
}

/** The class index an entry of an array of label objects states (`index`, `id`, `classIndex`), if any. */
function statedIndex(entry: unknown): number | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  for (const field of ['index', 'id', 'classIndex', 'class_index']) {
    const v = (entry as Record<string, unknown>)[field];
    if (Number.isInteger(v)) return v as number;
  }
  return undefined;
}

/** Names in index order from `[index, name]` pairs that must cover 0…n-1 exactly once. */
function byIndex(pairs: readonly (readonly [number, string])[], what: string): string[] {
  const names: string[] = [];
  for (const [i, name] of pairs) {
    if (!(i >= 0 && i < pairs.length) || names[i] !== undefined) {
      throw new DeepvisError('BAD_VALUE', `Labels ${what} must number the classes 0…${pairs.length - 1} once each; got ${i} (${formatValue(name)}).`);
    }
    names[i] = name;
  }
  return names;
}

/**
 * Class names, one per logit in output order, from the common forms of a labels file: a
 * JSON array of strings; a JSON array of objects with a name field (`name`, `label`,
 * `className`…; ordered by their `index`/`id` when every entry has one); Keras's
 * `imagenet_class_index.json` (`{"0": ["n01440764", "tench"], …}`) or any object from
 * index to name; or plain text, one name per line. Takes the file's text or its parsed
 * JSON. Anything else is a `DeepvisError` (`BAD_VALUE`) saying which entry is wrong.
 *
 * @example
 * ```ts
 * parseLabels('["tench", "goldfish"]');                                  // ['tench', 'goldfish']
 * parseLabels({ 0: ['n01440764', 'tench'], 1: ['n01443537', 'goldfish'] });   // the same
 * parseLabels('tench\ngoldfish\n');                                      // the same
 * ```
 */
export function parseLabels(source: string | unknown): string[] {
  let data: unknown = source;
  if (typeof source === 'string') {
    const text = source.replace(/^\uFEFF/, '').trim();
    if (text.startsWith('[') || text.startsWith('{')) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        throw new DeepvisError('BAD_VALUE', `Labels text starts like JSON but does not parse: ${(e as Error).message}.`);
      }
    } else {
      data = text === '' ? [] : text.split(/\r?\n/).map((line) => line.trim());
    }
  }
  let names: string[];
  if (Array.isArray(data)) {
    const indices = data.map(statedIndex);
    names = indices.length > 0 && indices.every((i) => i !== undefined)
      ? byIndex(data.map((e, k) => [indices[k]!, entryName(e, `#${k}`)] as const), 'objects with an index')
      : data.map((e, k) => entryName(e, `#${k}`));
  } else if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data as Record<string, unknown>);
    if (!entries.every(([k]) => /^\d+$/.test(k))) {
      const bad = entries.find(([k]) => !/^\d+$/.test(k))![0];
      throw new DeepvisError('BAD_VALUE', `A labels object must map class indices ("0", "1", …) to names; got the key ${formatValue(bad)}.`);
    }
    names = byIndex(entries.map(([k, v]) => [Number(k), entryName(v, `"${k}"`)] as const), 'object keys');
  } else {
    throw new DeepvisError('BAD_VALUE', `Labels must be a JSON array, a JSON object from index to name, or text with one name per line; got ${formatValue(data)}.`);
  }
  if (names.length === 0) throw new DeepvisError('BAD_VALUE', 'The labels are empty: give one class name per logit.');
  const blank = names.findIndex((n) => n.trim() === '');
  if (blank >= 0) throw new DeepvisError('BAD_VALUE', `Labels entry #${blank} is an empty name: give one class name per logit (no blank lines).`);
  return names;
}

/**
 * Fetches a labels file over http(s) (or any URL `fetch` takes) and reads it with
 * {@link parseLabels}. In Node, `readLabels(path)` from `deepvis/node` reads a file.
 *
 * @example
 * ```ts
 * const labels = await fetchLabels('/models/darknet/labels.json');
 * console.log(labels[classIndex(labels, 'flamingo')]);     // 'flamingo'
 * ```
 */
export async function fetchLabels(url: string | URL): Promise<string[]> {
  const response = await fetch(url);
  if (!response.ok) throw new DeepvisError('BAD_VALUE', `Cannot fetch labels from '${String(url)}': HTTP ${response.status} ${response.statusText}.`);
  return parseLabels(await response.text());
}

/** Lower case, `_` as space, spaces collapsed. */
const normal = (s: string) => s.toLowerCase().replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
/** A label's names: the whole label and its comma-separated synonyms ("tench, Tinca tinca"). */
const namesOf = (label: string) => [normal(label), ...label.split(',').map(normal)].filter((n, i, all) => n !== '' && all.indexOf(n) === i);
/** `true` when `wanted` is a run of whole words of `name`. */
const hasWords = (name: string, wanted: string) => ` ${name.replace(/[^a-z0-9]+/g, ' ')} `.includes(` ${wanted.replace(/[^a-z0-9]+/g, ' ').trim()} `);

const listed = (labels: readonly string[], indices: readonly number[]) => {
  const shown = indices.slice(0, 8).map((i) => `'${labels[i]}' (${i})`).join(', ');
  return indices.length > 8 ? `${shown} and ${indices.length - 8} more` : shown;
};

/**
 * The index of the class `name` names in `labels` (one name per logit): a whole label or
 * one of its comma-separated synonyms, case-insensitive (`_` counts as a space); else the
 * one label that starts with it; else the one label holding it as whole words
 * (`'eagle'` → `'bald eagle'`). A number in text (`'424'`) is that index. A name that
 * matches several classes, or none, is a `DeepvisError` (`UNKNOWN_CLASS`) listing the
 * candidates or the closest names.
 *
 * @example
 * ```ts
 * const labels = await readLabels('models/darknet-tiny/labels.json');   // deepvis/node
 * const flamingo = classIndex(labels, 'Flamingo');                      // 424 on Darknet-Tiny
 * const r = await optimizeUnit(net, classLogit(flamingo), PAPER_PRESETS[2]);
 * ```
 */
export function classIndex(labels: readonly string[], name: string | number): number {
  const text = String(name).trim();
  if (/^\d+$/.test(text)) {
    const i = Number(text);
    if (i >= labels.length) throw new DeepvisError('OUT_OF_RANGE', `Class ${i} is out of range: there are ${labels.length} classes (0…${labels.length - 1}).`);
    return i;
  }
  const wanted = normal(text);
  const all = labels.map(namesOf);
  const tiers: ((n: string) => boolean)[] = [(n) => n === wanted, (n) => n.startsWith(wanted), (n) => hasWords(n, wanted)];
  for (const [tier, test] of tiers.entries()) {
    if (wanted === '') break;
    const found = all.flatMap((names, i) => (names.some(test) ? [i] : []));
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      const how = tier === 0 ? 'names' : 'matches';
      throw new DeepvisError('UNKNOWN_CLASS', `Class name '${text}' ${how} ${found.length} classes: ${listed(labels, found)}. Give more of the name, or the index.`);
    }
  }
  const near = closestNames(text, labels, 5);
  throw new DeepvisError('UNKNOWN_CLASS', `Unknown class '${text}'. Closest names: ${near.map((n) => `'${n}' (${labels.indexOf(n)})`).join(', ')} (${labels.length} classes in all).`);
}

/**
 * A unit as people name it: on the net's logits, the class name and index
 * (`'flamingo (424)'`, or `'class 130'` without labels); elsewhere `'layer unit N'`.
 *
 * @example
 * ```ts
 * unitName(net, net.logits, 424, labels);     // 'flamingo (424)'
 * unitName(net, 'leaky_re_lu_5', 7);          // 'leaky_re_lu_5 unit 7'
 * ```
 */
export function unitName(net: Pick<Net, 'logits'>, layer: string, unit: number, labels?: readonly string[]): string {
  if (layer !== net.logits) return `${layer} unit ${unit}`;
  const label = labels?.[unit];
  return label === undefined ? `class ${unit}` : `${label} (${unit})`;
}
