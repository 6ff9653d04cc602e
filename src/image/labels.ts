import { closestNames, DeepvisError, formatValue } from '../errors';
import type { Net } from '../net/types';

/** Fields a label object may name its class by, in the order they are tried. */
const NAME_FIELDS = ['name', 'label', 'className', 'class_name', 'displayName', 'display_name', 'title', 'class'] as const;

/** A class name out of one entry: a name (or number), a Keras `[wnid, name]` pair, or an object's name field. */
function entryName(entry: unknown, at: string): string {
  if (typeof entry === 'string') return entry;
  if (typeof entry === 'number') return String(entry);
  if (Array.isArray(entry) && entry.length > 0 && entry.every((x) => typeof x === 'string')) return entry[entry.length - 1] as string;
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
    for (const field of NAME_FIELDS) {
      const v = (entry as Record<string, unknown>)[field];
      if (typeof v === 'string') return v;
    }
  }
  const shown = formatValue(entry);
  throw new DeepvisError('BAD_VALUE', `Label ${at} is ${shown.length > 80 ? `${shown.slice(0, 77)}…` : shown}: give a name, [id, name], or an object with a 'name' (or 'label') field.`);
}

/** The class index an object entry states in `index` / `classIndex`, if any. */
function statedIndex(entry: unknown): number | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  for (const field of ['index', 'classIndex', 'class_index']) {
    const v = (entry as Record<string, unknown>)[field];
    if (Number.isInteger(v)) return v as number;
  }
  return undefined;
}

/** Names ordered by the indices the entries state, when those number 0…n-1 once each; else `null`. */
function byStatedIndex(entries: readonly unknown[]): string[] | null {
  const indices = entries.map(statedIndex);
  const seen = new Set(indices);
  if (entries.length === 0 || seen.size !== entries.length || !indices.every((i) => i !== undefined && i >= 0 && i < entries.length)) return null;
  const names: string[] = [];
  entries.forEach((e, k) => { names[indices[k]!] = entryName(e, `#${k}`); });
  return names;
}

/**
 * Class names, one per logit in output order, from the common forms of a labels file: a
 * JSON array of names; an array of objects with a name field (`name`, `label`,
 * `className`, `displayName`…; in the order of their `index` fields when those number the
 * classes 0…n-1, else as listed); `[wnid, name]` pairs; Keras's
 * `imagenet_class_index.json` (`{"0": ["n01440764", "tench"], …}`) or any object keyed by
 * class index (indices it skips are `''`); or plain text, one name per line. Takes the
 * file's text or its parsed JSON. With `classes`, a list of another length is an error; so
 * is anything else (`DeepvisError` `BAD_VALUE` naming the entry).
 *
 * @example
 * ```ts
 * parseLabels('["tench", "goldfish"]');                                  // ['tench', 'goldfish']
 * parseLabels({ 0: ['n01440764', 'tench'], 1: ['n01443537', 'goldfish'] }, 2);   // the same
 * parseLabels('tench\ngoldfish\n');                                      // the same
 * parseLabels([{ id: 7, name: 'tench' }, { id: 9, name: 'goldfish' }]);  // the same
 * ```
 */
export function parseLabels(source: unknown, classes?: number): string[] {
  let data: unknown = source;
  let fromText = false;
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
      fromText = true;
    }
  }
  let names: string[];
  if (Array.isArray(data)) {
    names = byStatedIndex(data) ?? data.map((e, k) => entryName(e, `#${k}`));
  } else if (data !== null && typeof data === 'object') {
    names = [];
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      const i = /^\d+$/.test(k) ? Number(k) : NaN;
      if (!(i <= 1e6)) throw new DeepvisError('BAD_VALUE', `Labels given as an object must be keyed by class index ("0", "1", …); got the key ${formatValue(k)}.`);
      names[i] = entryName(v, `"${k}"`);
    }
    names = Array.from(names, (n) => n ?? '');
  } else {
    throw new DeepvisError('BAD_VALUE', `Labels must be a JSON array of names, an object { "index": name }, or text with one name per line; got ${formatValue(data)}.`);
  }
  if (names.length === 0) throw new DeepvisError('BAD_VALUE', 'The labels are empty: give one class name per logit.');
  const blank = fromText ? names.indexOf('') : -1;
  if (blank >= 0) throw new DeepvisError('BAD_VALUE', `Line ${blank + 1} of the labels text is empty: give one class name per line, no blank lines.`);
  if (classes !== undefined && names.length !== classes) {
    throw new DeepvisError('BAD_VALUE', `The labels list has ${names.length} names but the model has ${classes} classes: give one name per class.`);
  }
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
