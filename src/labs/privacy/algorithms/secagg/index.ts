/** Secure aggregation (Bonawitz et al. 2017): the protocol, its fixed-point ring encoding, FedAvg through it, byte accounting. */
export { decode, encode, fixedPoint, addRing, type FixedPoint } from './fixed-point';
export {
  DROP_STAGES,
  SecAggAbort,
  defaultThreshold,
  secureAggregate,
  type ClientBytes,
  type DropStage,
  type SecAggOptions,
  type SecAggResult,
} from './protocol';
export { secureWeightedMean, type SecureMeanOptions, type SecureMeanResult } from './weighted-sum';
export { ourAccounting, paperAccounting, SEALED_PAIR_BYTES, type OurAccounting, type PaperAccounting } from './accounting';
