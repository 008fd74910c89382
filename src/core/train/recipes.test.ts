import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDataset } from '../data/datasets';
import { describeTraining, formatBudget, getRecipe, recipeEpochs, RECIPES } from './recipes';
import { getTextRecipe } from './train-text';

const zoo = join(__dirname, '../../../models');
const shipped = readdirSync(zoo, { withFileTypes: true }).flatMap((d) => (d.isDirectory() && !d.name.startsWith('.') ? [d.name] : []));

describe('recipes', () => {
  // a card's command must still train what the card describes: the recipe on main is the one that made it
  for (const id of shipped)
    it(`the ${id} card describes its recipe as it stands`, () => {
      const card = JSON.parse(readFileSync(join(zoo, id, 'card.json'), 'utf8')) as {
        recipe: string;
        dataset: string;
        architecture: string;
        seed: number;
        epochs: number;
        training: string;
        kind?: string;
      };
      if (card.kind === 'text') {
        // text models have their own recipes (train-text.ts)
        const t = getTextRecipe(card.recipe);
        expect(t, card.recipe).not.toBeNull();
        expect(t!.dataset).toBe(card.dataset);
        expect(t!.seed).toBe(card.seed);
        expect(t!.epochs).toBe(card.epochs);
        return;
      }
      const r = getRecipe(card.recipe);
      expect(r.dataset).toBe(card.dataset);
      expect(card.architecture.split(':')[0]).toBe(r.architecture);
      expect(r.seed).toBe(card.seed);
      expect(recipeEpochs(r)).toBe(card.epochs); // the card counts fine-tuning epochs too
      expect(describeTraining(r, getDataset(r.dataset).origin === 'imported')).toBe(card.training);
    });

  it('describes the optimiser, smoothing and budgets', () => {
    const robust = describeTraining(RECIPES['cifar10-cnn-robust'], true);
    expect(robust).toContain('eps 8/255');
    expect(robust).toContain('step 10/255');
    expect(robust).toContain('SGD (momentum 0.9, Nesterov, weight decay 0.0005 on the kernels), one-cycle lr peak 0.1');
    const tuned = describeTraining(
      {
        ...RECIPES['cifar10-cnn-robust'],
        fineTune: { epochs: 2, learningRate: 0.01, adversarial: { method: 'pgd', eps: 8 / 255, alpha: 2 / 255, steps: 5 } },
      },
      true,
    );
    expect(tuned).toContain(
      '; then 2 epochs of adversarial fine-tuning: PGD-5 with random start (Madry et al. 2018), eps 8/255, step 2/255, one-cycle lr peak 0.01; checkpoint chosen by PGD-10',
    );
    const smoothed = describeTraining({ ...RECIPES['mnist-cnn'], labelSmoothing: 0.1 }, false);
    expect(smoothed).toMatch(/^standard: Adam, one-cycle lr peak 0.002, batch 128, label smoothing 0.1;/);
    expect(describeTraining(RECIPES['fashion-cnn-trades'], false)).toBe(
      'adversarial: TRADES (Zhang et al. 2019), beta 6, eps 0.1: cross-entropy on the clean batch + beta x KL(clean || adversarial prediction), the adversarial input from 10 sign steps of 0.02 on that KL from x + 0.001 N(0, 1), crafted in inference mode; Adam, one-cycle lr peak 0.002, batch 128; checkpoint chosen by PGD-10 accuracy on 1000 held-out training images',
    );
    expect(formatBudget(2 / 255, true)).toBe('2/255');
    expect(formatBudget(0.3, true)).toBe('0.3');
    expect(formatBudget(2 / 255, false)).toBe(String(2 / 255));
  });
});
