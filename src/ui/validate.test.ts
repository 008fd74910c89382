import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, cloneExperiment, decodeExperiment } from '../labs/experiment';
import type { ModelCard } from '../core/models/card';
import { preferredModel, validateExperiment, type Catalog } from './validate';

function card(id: string, dataset: string): ModelCard {
  return { id, dataset, weights: [] } as unknown as ModelCard;
}

const catalog: Catalog = {
  datasets: { mnist: { ok: true, message: 'ok' }, 'fashion-mnist': { ok: false, message: 'fashion-mnist: files not found' } },
  models: [card('mnist-cnn', 'mnist'), card('mnist-cnn-robust', 'mnist'), card('fashion-cnn', 'fashion-mnist')],
};

describe('validateExperiment', () => {
  it('accepts the default experiment without notices', () => {
    const r = validateExperiment(DEFAULT_EXPERIMENT, catalog);
    expect(r.notices).toEqual([]);
    expect(r.experiment).toEqual(DEFAULT_EXPERIMENT);
  });

  it('opens a link on its lab, and on the first lab (with a notice) when the lab does not exist', () => {
    const ok = validateExperiment(decodeExperiment('#v=2&lab=defences').experiment, catalog);
    expect(ok.experiment.lab).toBe('defences');
    expect(ok.notices).toEqual([]);
    const bad = validateExperiment(decodeExperiment('#v=2&lab=nolab').experiment, catalog);
    expect(bad.experiment.lab).toBe('attacks');
    expect(bad.notices).toEqual(['The lab "nolab" does not exist; the Attacks lab is shown instead.']);
  });

  it('falls back from a model that is not in the zoo', () => {
    const e = { ...cloneExperiment(DEFAULT_EXPERIMENT), model: 'nope' };
    const r = validateExperiment(e, catalog);
    expect(r.experiment.model).toBe('mnist-cnn');
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toContain('"nope" is not in the model zoo');
  });

  it('falls back from a model of another data set', () => {
    const e = { ...cloneExperiment(DEFAULT_EXPERIMENT), model: 'fashion-cnn' };
    const r = validateExperiment(e, catalog);
    expect(r.experiment.model).toBe('mnist-cnn');
    expect(r.notices[0]).toContain('trained on Fashion-MNIST, not MNIST');
  });

  it('shows the preparation message of an unavailable data set and falls back', () => {
    const e = { ...cloneExperiment(DEFAULT_EXPERIMENT), dataset: 'fashion-mnist', model: 'fashion-cnn' };
    const r = validateExperiment(e, catalog);
    expect(r.experiment.dataset).toBe('mnist');
    expect(r.experiment.model).toBe('mnist-cnn');
    expect(r.notices.join(' ')).toContain('fashion-mnist: files not found');
  });

  it('replaces an unknown data set and an out-of-range image', () => {
    const e = { ...cloneExperiment(DEFAULT_EXPERIMENT), dataset: 'cifar-10', sample: 123456 };
    const r = validateExperiment(e, catalog);
    expect(r.experiment.dataset).toBe('mnist');
    expect(r.experiment.sample).toBe(0);
    expect(r.notices).toHaveLength(2);
  });

  it('keeps the view when the zoo has no model for the data set, with a notice', () => {
    const r = validateExperiment(DEFAULT_EXPERIMENT, { ...catalog, models: [] });
    expect(r.experiment.model).toBe('mnist-cnn');
    expect(r.notices[0]).toContain('has no model for MNIST yet');
  });

  it('turns a tampered link into defaults plus notices', () => {
    const decoded = decodeExperiment('#v=2&i=-5&model=<script>');
    const r = validateExperiment(decoded.experiment, catalog);
    expect(r.experiment).toEqual(DEFAULT_EXPERIMENT);
    expect(decoded.notices.length).toBeGreaterThanOrEqual(2);
  });

  it('prefers the default model, else the first model of the data set', () => {
    expect(preferredModel(catalog, 'mnist')?.id).toBe('mnist-cnn');
    expect(preferredModel(catalog, 'fashion-mnist')?.id).toBe('fashion-cnn');
    expect(preferredModel(catalog, 'other')).toBeUndefined();
  });

  it('keeps only zoo models of the data set on the batch curve, and fits the batch epsilons to the norm', () => {
    const e = decodeExperiment('v=1&bmodels=mnist-cnn-robust,fashion-cnn,ghost,mnist-cnn').experiment;
    const r = validateExperiment(e, catalog);
    expect(r.experiment.batch.models).toEqual(['mnist-cnn-robust']);
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(/models fashion-cnn, ghost are not in the zoo for MNIST/);
  });
});
