// The viewer's stylesheet, shipped in the script (no CSS file for the app's bundler to handle).
// Every rule is scoped under .dv-viewer.

/**
 * The viewer's CSS (every rule under `.dv-viewer`); {@link injectViewerCss} adds it to a
 * document once. Restyle by overriding its custom properties (`--dv-bg`, `--dv-accent`…).
 *
 * @example
 * ```ts
 * const style = document.createElement('style');
 * style.textContent = VIEWER_CSS.replace('#ffd200', 'hotpink'); // e.g. for a shadow root
 * shadowRoot.append(style);
 * ```
 */
export const VIEWER_CSS = `
.dv-viewer { --dv-fg: #e8e8e8; --dv-dim: #8a8a8a; --dv-bg: #151515; --dv-panel: #202020; --dv-accent: #ffd200; --dv-error: #ff6b6b;
  color-scheme: dark; color: var(--dv-fg); background: var(--dv-bg); font: 13px/1.4 system-ui, sans-serif; box-sizing: border-box; max-width: 100%; overflow-x: hidden; }
.dv-viewer *, .dv-viewer *::before, .dv-viewer *::after { box-sizing: border-box; }
.dv-viewer [hidden] { display: none !important; }
.dv-viewer .dv-bar { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5em; padding: 6px 12px; border-bottom: 1px solid #333; }
.dv-viewer .dv-status { font-family: ui-monospace, monospace; color: var(--dv-accent); min-width: 0; overflow-wrap: anywhere; }
.dv-viewer .dv-messages { margin: 6px 12px 0; padding: 6px 10px 6px 2em; border: 1px solid var(--dv-error); border-radius: 4px; color: var(--dv-error); background: #2a1616; }
.dv-viewer .dv-controls { display: flex; flex-wrap: wrap; gap: 6px; padding: 6px 12px; }
.dv-viewer fieldset { border: 1px solid #333; border-radius: 4px; padding: 2px 8px 6px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; min-width: 0; max-width: 100%; margin: 0; }
.dv-viewer legend { color: var(--dv-dim); }
.dv-viewer select, .dv-viewer input, .dv-viewer button { max-width: 100%; font: inherit; }
.dv-viewer input[type=number] { width: 5em; }
.dv-viewer input[type=url] { width: 16em; }
.dv-viewer .dv-panes { display: grid; grid-template-columns: 240px minmax(0, 1fr) 240px 240px; gap: 12px; padding: 0 12px 12px; align-items: start; }
.dv-viewer .dv-col { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.dv-viewer .dv-pane { background: var(--dv-panel); border-radius: 4px; padding: 6px 8px; min-width: 0; }
.dv-viewer h2 { font-size: 12px; margin: 4px 0; color: var(--dv-dim); font-weight: 600; }
.dv-viewer h3 { font-size: 11px; margin: 6px 0 2px; color: var(--dv-dim); font-weight: normal; }
.dv-viewer h2 small { font-weight: normal; color: var(--dv-fg); font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.dv-viewer canvas { display: block; width: 224px; max-width: 100%; height: auto; aspect-ratio: 1; image-rendering: pixelated; background: #000; }
.dv-viewer canvas.dv-grid { width: 100%; height: auto; aspect-ratio: auto; margin: 0 auto; cursor: crosshair; outline: none; }
.dv-viewer canvas.dv-grid:focus-visible { box-shadow: 0 0 0 1px var(--dv-accent); }
.dv-viewer [data-dv=predictions] { margin: 0; padding-left: 1.6em; font-family: ui-monospace, monospace; white-space: pre; }
.dv-viewer [data-dv=predictions] li { overflow: hidden; text-overflow: ellipsis; }
.dv-viewer .dv-row { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 6px; }
.dv-viewer .dv-tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2px; }
.dv-viewer .dv-tile { display: block; width: 100%; aspect-ratio: 1; object-fit: contain; image-rendering: pixelated; background: #000; }
.dv-viewer .dv-tile-wide { grid-column: span 3; }
.dv-viewer .dv-note { color: var(--dv-dim); margin: 4px 0; overflow-wrap: anywhere; }
.dv-viewer .dv-keys { padding: 0 12px 12px; color: var(--dv-dim); }
@media (max-width: 1100px) { .dv-viewer .dv-panes { grid-template-columns: 240px minmax(0, 1fr) 240px; } .dv-viewer .dv-col-atlas { grid-column: 1 / -1; } }
@media (max-width: 760px) { .dv-viewer .dv-panes { grid-template-columns: minmax(0, 1fr); } .dv-viewer .dv-col-atlas { grid-column: auto; } }
`;

const STYLE_ID = 'deepvis-viewer-css';

/**
 * Adds {@link VIEWER_CSS} to `doc` once (a `<style id="deepvis-viewer-css">` in its head);
 * `mountViewer` calls it.
 *
 * @example
 * ```ts
 * injectViewerCss(document);
 * ```
 */
export function injectViewerCss(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = VIEWER_CSS;
  doc.head.append(style);
}
