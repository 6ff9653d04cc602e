// The dataset-centric view: receptive fields, crops, and top-k images per unit.
export { receptiveField, type ReceptiveField, type ReceptiveFieldOptions } from './receptive-field';
export { cropReceptiveField, type CropOptions } from './crop';
export {
  topActivations,
  type DatasetImage,
  type TopActivations,
  type TopActivationsOptions,
  type TopActivationsProgress,
  type TopEntry,
} from './top-activations';
export { mergeTopActivations } from './merge';
export { montage, type MontageOptions } from './montage';
export { unitMontage, type ImageLoader, type UnitMontageOptions } from './unit-montage';
// writeGallery (PNG files and an HTML page) is Node-only: import it from './gallery-node'.
