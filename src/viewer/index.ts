/**
 * `deepvis/viewer`: the live viewer (the paper's Tool 1) as a framework-agnostic component.
 * `mountViewer(element, options)` builds it inside an element and returns a handle: set the
 * model and the input, select units, listen to events, dispose. Its CSS comes with it. The
 * panes are modules with one contract ({@link FramePane}); the backward pane's modes are the
 * registered attribution methods ({@link BACKWARD_MODES}). Browser only; needs @tensorflow/tfjs-core, -layers and the
 * webgl and wasm backends (peer dependencies).
 *
 * @example
 * ```ts
 * import { mountViewer } from 'deepvis/viewer';
 * const viewer = mountViewer(document.body); // the webcam through Darknet-Tiny, shipped with deepvis
 * viewer.on('error', ({ message }) => console.warn(message));
 * ```
 * @module
 */
export { mountViewer, type ViewerOptions, type ViewerHandle, type ViewerEvents, type ViewerInfo, type FrameInfo } from './viewer';
export { viewerState, stateFromParams, DEFAULT_VIEWER_STATE, type ViewerState, type BackwardSeed } from './state';
export { BACKWARD_MODES } from './panes/backward';
export type { FramePane, FrameContext, LayerGrid, PaneRead } from './panes/pane';
export { IMAGENET_MODEL_SPEC, type ModelSpec, type GraphModelLoader } from './models';
export type { InputSpec } from './sources';
export type { BackendSetup } from './backends';
export { VIEWER_CSS, injectViewerCss } from './style';
