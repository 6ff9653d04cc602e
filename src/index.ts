// The public face of deepvis: re-exports only.
export * from './net/index';
export { DeepvisError, type DeepvisErrorCode } from './errors';
