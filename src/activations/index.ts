// Live activations: taps, tiling, the enlarged unit, predictions and first-layer filters.
export { activations, type ActivationsOptions } from './activations';
export { tileLayout, type TileLayout, type TileLayoutOptions } from './tile-layout';
export { tileActivations, channelImage, TILE_PADDING_COLOR, TILE_HIGHLIGHT_COLOR, type TileOptions, type TileHighlight, type ChannelImageOptions } from './tile';
export { tileActivationsRgba, type TiledImage } from './tile-rgba';
export { tilesOnArrays } from './tile-arrays';
export { topPredictions, type Prediction } from './predictions';
export { filterImages, type FilterImagesOptions } from './filters';
export { readFrame, gridView, rgbaImage, type FrameView, type FrameRead, type ReadTensor } from './frame';
