// The dataset-centric view: crops, and top-k images per unit (receptive fields are the Net's: net/).
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
export { topActivationsInWorker, workerTensorCount, type WorkerImage, type TopActivationsInWorkerOptions } from './in-worker';
export { montage, type MontageOptions } from './montage';
export { unitMontage, unitTiles, type ImageLoader, type UnitMontageOptions, type UnitTiles } from './unit-montage';
export { parseAtlas, ATLAS_FORMAT, type Atlas, type AtlasUnit, type AtlasEntry } from './atlas';
// writeGallery (PNG files and an HTML page) is Node-only: import it from './gallery-node'.
