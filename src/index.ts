// The public face of deepvis: re-exports only.
export * from './net/index';
// Objectives as one namespace (`objectives.channel`, `objectives.add`…); the two used on their own stay top-level.
export * as objectives from './objectives/objectives';
export { classLogit, objective, type Objective, type BoundObjective, type ChannelAt, type ChannelOptions, type CustomObjectiveOptions } from './objectives/index';
export * from './regularizers/index';
export * from './optimize/index';
export * from './activations/index';
export * from './attribution/index';
export * from './dataset/index';
export * from './default-model/index';
export * from './image/index';
export { DeepvisError, type DeepvisErrorCode } from './errors';
