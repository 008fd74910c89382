/** The text simulation's attacks (free of TensorFlow.js: the settings and the page read them; text-simulation.ts runs them). */
export const TEXT_ATTACKS = ['none', 'backdoor', 'replacement'] as const;
export type TextAttackKind = (typeof TEXT_ATTACKS)[number];
