/**
 * The defences lab's slice of the experiment description (URL keys `def.*`, version 1): the defended
 * model (transformations, adaptive attack), randomized-smoothing certification, in-browser
 * training, and the feature-squeezing detector. Each part's fields live in experiment/<part>.ts.
 */
import type { Slice } from '../../core/experiment/codec';
import type { Field } from '../../core/experiment/fields';
import { CERTIFY_FIELDS, defaultCertify, type CertifyPart } from './experiment/certify';
import { DEFENDED_FIELDS, defaultDefended, type DefendedPart } from './experiment/defended';
import { DETECTOR_FIELDS, defaultDetector, type DetectorPart } from './experiment/detector';
import { TRAINING_FIELDS, defaultTraining, type TrainingPart } from './experiment/training';

export type DefencesExperiment = DefendedPart & CertifyPart & TrainingPart & DetectorPart;

export const DEFENCES_SLICE: Slice<DefencesExperiment> = {
  prefix: 'def',
  version: 1,
  fields: [
    ...(DEFENDED_FIELDS as readonly Field<DefencesExperiment>[]),
    ...(CERTIFY_FIELDS as readonly Field<DefencesExperiment>[]),
    ...(TRAINING_FIELDS as readonly Field<DefencesExperiment>[]),
    ...(DETECTOR_FIELDS as readonly Field<DefencesExperiment>[]),
  ],
};

export const defaultDefencesPart = (): DefencesExperiment => ({
  defence: defaultDefended(),
  certify: defaultCertify(),
  training: defaultTraining(),
  detector: defaultDetector(),
});

export function cloneDefencesPart<E extends DefencesExperiment>(e: E): E {
  return {
    ...e,
    defence: { ...e.defence },
    certify: { ...e.certify, radii: [...e.certify.radii] },
    training: { ...e.training },
    detector: { ...e.detector },
  };
}
