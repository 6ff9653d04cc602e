// What regularized optimization maximizes: re-exports only.
export type { Objective, BoundObjective } from './types';
export { channel, neuron, classLogit, objective, add, scale, negate, layerNorm, type ChannelAt, type ChannelOptions, type CustomObjectiveOptions } from './objectives';
