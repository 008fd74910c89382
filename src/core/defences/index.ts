/**
 * Input-transformation defences as `Classifier -> Classifier` wrappers (bit-depth reduction, median
 * smoothing, JPEG, Gaussian noise, compositions), their text form, and how attack runners honour them.
 * In core because the attacks lab and the defences lab both use defended classifiers.
 */
export type { InputTransform, TransformKind } from './transform';
export { bitDepth } from './bit-depth';
export { median } from './median';
export { jpeg, jpegBatch, jpegRoundTrip } from './jpeg';
export { gaussian } from './gaussian';
export { compose, type Composed } from './compose';
export { parseDefence, formatDefence, DEFENCE_SYNTAX, TRANSFORM_KINDS, type TransformSpec } from './spec';
export { transformsOf } from './make';
export { defend, defendWith, ADAPTIVE_MODES, type AdaptiveMode, type DefenceSettings } from './defend';
export { attackThroughDefence, eotRefusal, type AttackGradientInfo } from './through';
