import * as tf from '@tensorflow/tfjs';
import { testJobContext, testServices } from '../../worker/job-testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../core/engine/node-backend';
import { toyData } from '../../core/test-utils';
import { defaultFederatedPart } from './experiment';
import { flJob } from './fl-job';
import type { FlEvent } from './fl-types';
import { simulationSettings } from './fl-settings';

const trainSplit = toyData(60, 1);
const testSplit = toyData(20, 2);
const services = testServices(trainSplit, testSplit);

/** A job context whose signal aborts once the job reports that round. */
function context(abortAfterRound?: number) {
  const c = testJobContext<FlEvent>(
    services,
    abortAfterRound === undefined ? undefined : (e) => e.kind === 'round' && e.report.round >= abortAfterRound,
  );
  return { ...c, events: c.items };
}

const experiment = () => {
  const e = defaultFederatedPart();
  Object.assign(e.federation, {
    clients: 3,
    perRound: 2,
    rounds: 2,
    perClient: 8,
    localBatch: 8,
    attack: 'label-flip',
    malicious: 1,
    source: 1,
  });
  e.poison.target = 2;
  return e;
};

describe('the fl worker job', () => {
  // the job builds the lab's CNN: the wasm engine trains it far faster than the cpu one
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('streams the split, then one round report per round, and returns every round', async () => {
    const c = context();
    const res = await flJob(c.ctx, { dataset: 'mnist', settings: simulationSettings(experiment(), { testImages: 20 }) });
    c.flush();
    expect(c.events.map((e) => e.kind)).toEqual(['split', 'round', 'round']);
    const split = c.events[0].kind === 'split' ? c.events[0].split : null;
    expect(split?.sizes).toEqual([8, 8, 8]);
    expect(split?.malicious).toEqual([0]);
    expect(res.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(res.rounds[1].clients.length).toBe(2);
    expect(res.attackSuccessRate).not.toBeNull();
  });

  it('stops when cancelled, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const c = context(1);
    const e = experiment();
    e.federation.rounds = 5;
    await expect(flJob(c.ctx, { dataset: 'mnist', settings: simulationSettings(e, { testImages: 20 }) })).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives a one-line error for settings that cannot run', () => {
    const e = experiment();
    e.federation.malicious = 4;
    expect(() => simulationSettings(e)).toThrow('--malicious 4 is more than --clients 3');
    e.federation.malicious = 1;
    e.federation.source = 2;
    expect(() => simulationSettings(e)).toThrow(/same class/);
  });
});
