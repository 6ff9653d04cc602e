// The one place the viewer imports the library. It imports the sources directly so that
// `tsc -p .` at the repository root checks the example with no build; Vite also maps the
// package names (`deepvis`, `deepvis/webgl`, `deepvis/wasm`) to the same sources.
export {
  toNet,
  activations,
  tileActivations,
  tileActivationsRgba,
  tilesOnArrays,
  tileLayout,
  channelImage,
  backward,
  backwardImage,
  gradCam,
  camImage,
  ATTRIBUTION_METHODS,
  attributionMethodNamed,
  displayImage,
  type Net,
  type TiledImage,
  type InputRange,
  type LayerInfo,
  type BackwardRule,
} from '../../../src/index';
// Tool 2 (not yet re-exported by src/index.ts when this was written).
export { channel } from '../../../src/objectives/index';
export { optimizeUnitSteps, PAPER_PRESETS } from '../../../src/optimize/index';
export { useWebGL } from '../../../src/backends/webgl';
export { useWasm } from '../../../src/backends/wasm';
