import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../labs/experiment';
import { hot, magnitudeRgba, perturbationRgbRgba, pixelMagnitudes } from './colormap';
import { parseEpsilons } from '../labs/attacks/ui/export';
import { epsIn255, epsText, parseEpsText } from './format';
import { datasetPreset } from '../labs/attacks/index';
import { isDatasetAvailable, OWN_MODEL_ID, validateExperiment } from './validate';

describe('eps in /255 for colour images', () => {
  it('is used for colour images under L-inf only', () => {
    expect(epsIn255(3, 'linf')).toBe(true);
    expect(epsIn255(3, 'l2')).toBe(false);
    expect(epsIn255(1, 'linf')).toBe(false);
  });
  it('shows and reads eps as 255ths, keeping the exact fraction', () => {
    expect(epsText(8 / 255, true)).toBe('8/255');
    expect(epsText(0.5 / 255, true)).toBe('0.5/255');
    expect(epsText(0.1, false)).toBe('0.1');
    expect(parseEpsText('8', true)).toBe(8 / 255);
    expect(parseEpsText('8/255', true)).toBe(8 / 255);
    expect(parseEpsText(' 2 / 255 ', false)).toBe(2 / 255);
    expect(parseEpsText('0.3', false)).toBe(0.3);
    expect(parseEpsText('x', true)).toBeNull();
    expect(parseEpsText('', true)).toBeNull();
  });
  it('reads fractions in the batch epsilon list', () => {
    expect(parseEpsilons('0, 2/255, 8 / 255')).toEqual([0, 2 / 255, 8 / 255]);
    expect(parseEpsilons('1/0')).toBeNull();
    expect(parseEpsilons('a/255')).toBeNull();
  });
  it("switches eps and step to the data set's scale", () => {
    const a = { ...DEFAULT_EXPERIMENT.attack, name: 'pgd' as const };
    expect(datasetPreset('cifar10', a)).toEqual({ eps: 8 / 255, stepSize: 2 / 255 });
    expect(datasetPreset('mnist', { ...a, eps: 8 / 255 })).toEqual({ eps: 0.1, stepSize: 0.01 });
    expect(datasetPreset('cifar10', { ...a, name: 'mifgsm' })).toEqual({ eps: 8 / 255, stepSize: 0.0031 });
    expect(datasetPreset('cifar10', { ...a, norm: 'l2' })).toEqual({});
  });
});

describe('colour perturbation views', () => {
  const shape = [1, 2, 3] as const;
  const delta = [0.1, -0.1, 0, 0.05, 0, -0.2];
  it('draws each channel around mid grey, scale reaching black or full colour', () => {
    expect(Array.from(perturbationRgbRgba(delta, shape, 0.1))).toEqual([255, 0, 128, 255, 191, 128, 0, 255]);
    expect(Array.from(perturbationRgbRgba(delta, shape, 0))).toEqual([128, 128, 128, 255, 128, 128, 128, 255]);
  });
  it('measures each pixel by its largest channel change and maps it black to white', () => {
    expect(Array.from(pixelMagnitudes(delta, shape))).toEqual([0.1, 0.2].map(Math.fround));
    expect(hot(0)).toEqual([0, 0, 0]);
    expect(hot(1)).toEqual([255, 255, 255]);
    expect(hot(0.5)).toEqual([255, 128, 0]);
    expect(Array.from(magnitudeRgba(delta, shape, 0.2))).toEqual([...hot(0.5), 255, 255, 255, 255, 255]);
  });
});

describe('CIFAR-10 in links', () => {
  const catalog = { datasets: { mnist: { ok: true, message: '' } }, models: [] };
  it('is always selectable (the user imports it in the lab) and a link cannot carry your own model', () => {
    expect(isDatasetAvailable(catalog, 'cifar10')).toBe(true);
    expect(isDatasetAvailable(catalog, 'fashion-mnist')).toBe(false);
    const v = validateExperiment({ ...DEFAULT_EXPERIMENT, dataset: 'cifar10', model: OWN_MODEL_ID }, catalog);
    expect(v.experiment.dataset).toBe('cifar10');
    expect(v.notices.join(' ')).toMatch(/your own model, which links cannot carry/);
  });
});
