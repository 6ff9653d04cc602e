// The few DOM helpers the viewer's panes and controls share.

type Attrs = Record<string, string | number | boolean | undefined>;

/** An element with attributes (`class`, `data-*`, properties such as `hidden`) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class' || k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'title' || k === 'for') e.setAttribute(k, String(v));
    else (e as unknown as Record<string, unknown>)[k] = v;
  }
  e.append(...children);
  return e;
}

/** A `<select>` of `[value, text]` choices. */
export function select(name: string, choices: readonly (readonly [string, string])[], title?: string): HTMLSelectElement {
  return el('select', { 'data-dv': name, title }, ...choices.map(([v, t]) => new Option(t, v)));
}

/** A pane's box: a heading with a caption, then its body. */
export function section(name: string, title: string): { root: HTMLElement; caption: HTMLElement } {
  const caption = el('small', { 'data-dv': `${name}-caption` });
  const root = el('section', { class: `dv-pane dv-pane-${name}`, 'data-dv': `pane-${name}` }, el('h2', {}, `${title} `, caption));
  return { root, caption };
}

/** Puts RGBA bytes into a canvas, resizing it. */
export function putImage(canvas: HTMLCanvasElement, image: { readonly data: Uint8ClampedArray<ArrayBuffer>; readonly width: number; readonly height: number }): void {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
}

/** Clears a canvas to black (a pane with nothing to show). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}
