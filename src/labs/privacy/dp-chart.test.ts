import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../core/models/card';
import { dpChartData } from './dp-chart';

const zoo = (id: string) => JSON.parse(readFileSync(`models/${id}/card.json`, 'utf8')) as ModelCard;

describe('the accuracy-against-epsilon chart', () => {
  const dpZoo = zoo('mnist-dp-sigma1.3');
  const mine: ModelCard = {
    ...dpZoo,
    id: 'my-mnist-dp-sigma2',
    recipe: 'in-browser',
    cleanAccuracy: { n: 500, accuracy: 0.61, command: '' },
    privacy: {
      ...dpZoo.privacy!,
      noiseMultiplier: 2,
      delta: 1e-4,
      epsilon: [
        { accountant: 'rdp', epsilon: 0.4, command: '' },
        { accountant: 'prv', epsilon: 0.3, command: '' },
      ],
    },
  };
  const models = [zoo('mnist-cnn'), zoo('mnist-cnn-robust'), zoo('mnist-cnn-smooth-0.25'), dpZoo, mine, zoo('fashion-cnn')];

  it("plots every DP model of the data set at its card's epsilon under the accountant, sorted by epsilon, with mnist-cnn as the baseline", () => {
    const c = dpChartData(models, 'mnist', 'rdp');
    expect(c.rows.map((r) => r.id)).toEqual(['my-mnist-dp-sigma2', 'mnist-dp-sigma1.3']);
    const z = c.rows[1];
    expect(z.epsilon).toBe(dpZoo.privacy!.epsilon.find((e) => e.accountant === 'rdp')!.epsilon);
    expect(z).toMatchObject({
      mine: false,
      accuracy: dpZoo.cleanAccuracy.accuracy,
      n: 10000,
      noiseMultiplier: 1.3,
      clip: 1.5,
      delta: 1e-5,
    });
    expect(c.rows[0]).toMatchObject({ mine: true, epsilon: 0.4, accuracy: 0.61, n: 500, delta: 1e-4 });
    expect(c.baseline).toEqual({ id: 'mnist-cnn', accuracy: zoo('mnist-cnn').cleanAccuracy.accuracy, n: 10000 });
  });

  it('names the DP models whose card lacks the accountant, and has no rows for another data set', () => {
    const c = dpChartData(models, 'mnist', 'rdp-classic');
    expect(c.rows.map((r) => r.id)).toEqual(['mnist-dp-sigma1.3']);
    expect(c.missing).toEqual(['my-mnist-dp-sigma2']);
    const f = dpChartData(models, 'fashion-mnist', 'prv');
    expect(f.rows).toEqual([]);
    expect(f.baseline?.id).toBe('fashion-cnn');
  });
});
