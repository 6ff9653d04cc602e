export { toNet } from './to-net';
export { IMAGENET_MEAN } from './pixel-space';
export { PRE_ACTIVATION } from './types';
export type { Net, LayerInfo, LayerGeometry, ActivationKind, BackwardRule, InputRange, ToNetOptions, ForwardOptions } from './types';
export { viewableLayers, showcaseLayers, lastSpatialLayer, defaultViewerLayer } from './shortlist';
export { INPUT_RANGES, parseInputRange } from './input-ranges';
export { receptiveField, type ReceptiveField, type ReceptiveFieldOptions } from './receptive-field';
export { missingWeightFiles, type ModelJsonFiles } from './model-files';
