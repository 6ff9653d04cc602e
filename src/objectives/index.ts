// What regularized optimization maximizes: re-exports only.
export type { Objective, BoundObjective } from './types';
export { channel, neuron, classLogit, objective, add, scale, negate, layerNorm, direction, diversity, interpolate, type ChannelAt, type ChannelOptions, type CustomObjectiveOptions } from './objectives';
