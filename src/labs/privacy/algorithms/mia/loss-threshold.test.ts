import { describe, expect, it } from 'vitest';
import { lossThresholdScores, yeomDecisions } from './loss-threshold';
import { miaMetrics } from './metrics';

describe('loss-threshold attack (Yeom et al. 2018)', () => {
  it('members with lower losses are found perfectly; equal loss distributions give AUC 1/2', () => {
    const member = [1, 1, 1, 0, 0, 0];
    expect(miaMetrics(lossThresholdScores([0.01, 0.02, 0.05, 0.5, 1, 2]), member).auc).toBe(1);
    expect(miaMetrics(lossThresholdScores([0.1, 0.2, 0.3, 0.1, 0.2, 0.3]), member).auc).toBe(0.5);
  });

  it("Yeom's operating point calls a member at or below the average training loss", () => {
    expect(yeomDecisions([0.1, 0.3, 0.2, 0.9], 0.2)).toEqual([true, false, true, false]);
  });
});
