/**
 * The defended model's part of the defences lab's slice (`def.*` URL keys): which input
 * transformations wrap the classifier, and how attacks differentiate through them.
 */
import type { Field } from '../../../core/experiment/fields';
import { formatDefence, parseDefence } from '../../../core/defences/spec';

export interface DefendedSettings {
  /** Input transformations applied in order, comma-joined ('bit-depth:1,median:2'); '' for none. */
  transforms: string;
  /** How attacks get gradients through the transformations. */
  adaptive: 'none' | 'bpda' | 'eot';
  /** Draws of a randomised transformation averaged per gradient (adaptive 'eot'). */
  eotSamples: number;
}

export interface DefendedPart {
  defence: DefendedSettings;
}

export const DEFENDED_FIELDS: readonly Field<DefendedPart>[] = [
  {
    path: 'defence.transforms',
    url: 't',
    cli: 'defence',
    type: {
      kind: 'text',
      maxLength: 200,
      what: 'bit-depth:B|median:K|jpeg:Q|gaussian:S, comma-joined',
      check: (s) => {
        const r = parseDefence(s);
        return 'error' in r ? r : { value: formatDefence(r.transforms) };
      },
    },
    label: 'defence',
    help: 'input transformations in front of the model, in order: bit-depth:B, median:K, jpeg:Q, gaussian:S (comma-joined)',
    default: '',
  },
  {
    path: 'defence.adaptive',
    url: 'adapt',
    cli: 'adaptive',
    type: { kind: 'enum', values: ['none', 'bpda', 'eot'] },
    label: 'adaptive attack',
    help: 'how attacks differentiate the defence: none (as TensorFlow.js does), bpda (Athalye et al. 2018), eot (averaged over random draws)',
    default: 'none',
  },
  {
    path: 'defence.eotSamples',
    url: 'eot',
    cli: 'eot-samples',
    type: { kind: 'int', min: 1, max: 1000 },
    label: 'EOT samples',
    help: 'random draws of the defence averaged per gradient (--adaptive eot)',
    default: 10,
  },
];

export const defaultDefended = (): DefendedSettings => ({ transforms: '', adaptive: 'none', eotSamples: 10 });
