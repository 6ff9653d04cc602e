// The r_θ operators of regularized optimization: re-exports only.
export type { Regularizer, RegularizerContext } from './types';
export {
  l2Decay,
  blurEvery,
  clipSmallNorm,
  clipSmallContribution,
  compose,
  regularizerFromJSON,
  type RegularizerSpec,
} from './regularizers';
export { rowPercentile, zeroBelowPercentile } from '../util/percentile';
