/**
 * The feature-squeezing detector's part of the defences lab's slice (`def.*` URL keys): the squeezers,
 * the target false positive rate and the images (Xu et al. 2018; the authors' MNIST set-up is bit
 * depth 1 and a 2x2 median at 5% FPR). The attack is the studio's (`atk.*`).
 */
import type { Field } from '../../../core/experiment/fields';
import { formatDefence, parseDefence } from '../../../core/defences/spec';

export interface DetectorSettings {
  /** Squeezers, each applied alone (comma-separated; deterministic ones only). */
  squeezers: string;
  /** Target false positive rate on the clean held-out images. */
  fpr: number;
  /** Attacked test images (from `start`). */
  images: number;
  start: number;
  /** Clean held-out images that set the threshold: the last `cleanImages` of the test set. */
  cleanImages: number;
  /** none: the attack ignores the detector; bpda: PGD on classifier and detector, BPDA through the squeezers. */
  adaptive: 'none' | 'bpda';
}

export interface DetectorPart {
  detector: DetectorSettings;
}

export const defaultDetector = (): DetectorSettings => ({
  squeezers: 'bit-depth:1,median:2',
  fpr: 0.05,
  images: 100,
  start: 0,
  cleanImages: 1000,
  adaptive: 'none',
});

export const DETECTOR_FIELDS: readonly Field<DetectorPart>[] = [
  {
    path: 'detector.squeezers',
    url: 'sq',
    cli: 'squeezers',
    type: {
      kind: 'text',
      maxLength: 200,
      what: 'bit-depth:B|median:K|jpeg:Q, comma-separated',
      check: (s) => {
        const r = parseDefence(s);
        if ('error' in r) return { error: r.error.replace(/^defence/, 'squeezers') };
        if (r.transforms.length === 0) return { error: 'at least one squeezer (bit-depth:B, median:K, jpeg:Q)' };
        if (r.transforms.some((t) => t.kind === 'gaussian')) return { error: 'a squeezer must be deterministic (bit-depth, median, jpeg)' };
        return { value: formatDefence(r.transforms) };
      },
    },
    label: 'squeezers',
    help: "squeezers, each applied alone: bit-depth:B, median:K, jpeg:Q (bit-depth:1,median:2 is the authors' MNIST set-up)",
    default: 'bit-depth:1,median:2',
  },
  {
    path: 'detector.fpr',
    url: 'fpr',
    cli: 'fpr',
    type: { kind: 'float', min: 0, max: 0.99 },
    label: 'false positive rate',
    help: 'target false positive rate on the clean held-out images: it sets the threshold',
    default: 0.05,
  },
  {
    path: 'detector.images',
    url: 'dn',
    cli: 'detect-images',
    type: { kind: 'int', min: 1, max: 9000 },
    label: 'attacked images',
    help: 'test images attacked (from the first one)',
    default: 100,
  },
  {
    path: 'detector.start',
    url: 'dstart',
    cli: 'detect-start',
    type: { kind: 'int', min: 0, max: 9999 },
    label: 'first image',
    help: 'index of the first attacked test image',
    default: 0,
  },
  {
    path: 'detector.cleanImages',
    url: 'dclean',
    cli: 'clean-n',
    type: { kind: 'int', min: 10, max: 5000 },
    label: 'clean held-out images',
    help: 'the last N test images, whose scores set the threshold (they must not overlap the attacked ones)',
    default: 1000,
  },
  {
    path: 'detector.adaptive',
    url: 'dadapt',
    cli: 'detect-adaptive',
    type: { kind: 'enum', values: ['none', 'bpda'] },
    label: 'attack on the detector',
    help: 'none: the attack ignores the detector; bpda: PGD on the classifier and the detector, BPDA through the squeezers',
    default: 'none',
  },
];
