/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** An `<img>` for a PNG in the output folder, shown at `width` CSS pixels (enlarged without smoothing). */
export function img(src: string, alt: string, width?: number): string {
  return `<img src="${escapeHtml(encodeURI(src))}" alt="${escapeHtml(alt)}"${width ? ` width="${width}"` : ''}>`;
}

/** A captioned figure around an image. */
export function figure(src: string, caption: string, width?: number): string {
  return `<figure>${img(src, caption, width)}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** One section of a page: a heading, optional intro text (HTML), and body HTML. */
export interface Section {
  readonly title: string;
  readonly intro?: string;
  readonly body: string;
}

/**
 * The one HTML page of a run: title, a facts line (model, backend, timing…), sections.
 * Self-contained (inline style, relative image links), so the folder can be moved or zipped.
 *
 * @example
 * ```ts
 * await writeFile(out.path('index.html'), page('deepvis optimize', ['model: default'], [{ title: 'Images', body }]));
 * ```
 */
export function page(title: string, facts: readonly string[], sections: readonly Section[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}
figcaption{font-size:12px;color:#555;max-width:260px}
img{image-rendering:pixelated;display:block;background:#000}
table{border-collapse:collapse}td,th{padding:4px 6px;text-align:center;vertical-align:top;font-size:12px}
.facts{color:#555}ol{margin:0;padding-left:1.5em;text-align:left}
.grids{display:flex;flex-wrap:wrap;gap:0 1em}.grids figure{margin:0 0 1em 0}
td.failed img{outline:3px solid #b00020}small.failed{color:#b00020;font-weight:600}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>
${sections.map((s) => `<section><h2>${escapeHtml(s.title)}</h2>${s.intro ? `<p>${s.intro}</p>` : ''}\n${s.body}\n</section>`).join('\n')}
</body></html>
`;
}
