// The toolbox's right-hand column: the selected unit's top-9 dataset images (receptive-field
// crops), their backward views, and its optimized images, from a unit atlas folder.
import { parseAtlas, type Atlas } from '../../dataset/atlas';
import { el, section } from '../dom';

/** The per-unit column and how the viewer drives it. */
export interface UnitColumn {
  readonly element: HTMLElement;
  /** Shows `unit` of `layer`, captioned `name` (fetching the atlas the first time). */
  show(layer: string, unit: number, name: string): void;
  dispose(): void;
}

/** The column for the atlas at `base` (a folder URL holding atlas.json), or a hint on how to make one. */
export function unitColumn(base: string | null, onError: (e: unknown) => void): UnitColumn {
  const { root, caption } = section('atlas', 'Top images');
  const body = el('div', { class: 'dv-atlas', 'data-dv': 'atlas' });
  root.append(body);
  const folder = base === null ? null : new URL(base.endsWith('/') ? base : `${base}/`, document.baseURI);
  let atlas: Promise<Atlas> | null = null;
  let wanted = '';
  let disposed = false;

  const note = (text: string) => body.replaceChildren(el('p', { class: 'dv-note' }, text));
  const img = (path: string, alt: string, cls: string) => el('img', { src: new URL(path, folder!).href, alt, title: alt, class: cls, loading: 'lazy' });

  async function render(layer: string, unit: number, name: string, key: string): Promise<void> {
    let a: Atlas;
    try {
      atlas ??= fetch(new URL('atlas.json', folder!)).then(async (r) => {
        if (!r.ok) throw new Error(`Cannot read the atlas ${new URL('atlas.json', folder!).href}: HTTP ${r.status}.`);
        return parseAtlas(await r.json());
      });
      a = await atlas;
    } catch (e) {
      if (key === wanted && !disposed) note('No atlas to show.');
      onError(e);
      return;
    }
    if (key !== wanted || disposed) return;
    const units = a.layers[layer]?.units;
    caption.textContent = `${layer} · ${name}`;
    if (!units) return note(`The atlas has no layer ${layer}; it has ${Object.keys(a.layers).join(', ')}.`);
    const u = units[String(unit)];
    if (!u) return note(`The atlas has no unit ${unit} of ${layer}; it has units ${Object.keys(units).slice(0, 20).join(', ')}${Object.keys(units).length > 20 ? '…' : ''}.`);
    const parts: HTMLElement[] = [
      el('div', { class: 'dv-tiles', 'data-dv': 'atlas-top' }, ...u.top.map((e, i) => img(e.crop, `${i + 1}. ${e.image}: ${e.value.toPrecision(4)} at (${e.y}, ${e.x})`, 'dv-tile'))),
    ];
    if (u.top.some((e) => e.backward)) {
      parts.push(el('h3', {}, `${a.mode} views`), el('div', { class: 'dv-tiles', 'data-dv': 'atlas-backward' },
        ...u.top.filter((e) => e.backward).map((e, i) => img(e.backward!, `${a.mode} of ${i + 1}. ${e.image}`, 'dv-tile'))));
    }
    if (u.optimized.length > 0) {
      parts.push(el('h3', {}, 'optimized'), el('div', { class: 'dv-tiles', 'data-dv': 'atlas-optimized' }, ...u.optimized.map((p) => img(p, 'optimized image', 'dv-tile dv-tile-wide'))));
    }
    parts.push(el('p', { class: 'dv-note' }, `top ${a.k} of ${a.images} images · ${a.model}`));
    body.replaceChildren(...parts);
  }

  if (!folder) note('No atlas. Make one with `deepvis topk --model … --images DIR --layer L` and open `deepvis viewer --atlas OUT`.');
  return {
    element: root,
    show(layer, unit, name) {
      if (!folder || disposed) return;
      const key = `${layer}/${unit}`;
      if (key === wanted) return;
      wanted = key;
      void render(layer, unit, name, key);
    },
    dispose() {
      disposed = true;
    },
  };
}
