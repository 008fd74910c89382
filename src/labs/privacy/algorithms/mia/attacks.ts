/** The membership-inference attacks by id, with their display names (free of TensorFlow.js: the panel lists them). */
export const MIA_ATTACKS = ['loss', 'shadow', 'lira-online', 'lira-offline', 'lira-online-fixed'] as const;
export type MiaAttack = (typeof MIA_ATTACKS)[number];

export const MIA_ATTACK_NAMES: Record<MiaAttack, string> = {
  loss: 'Loss threshold (Yeom et al. 2018)',
  shadow: 'Shadow models, per class (Shokri et al. 2017)',
  'lira-online': 'LiRA online (Carlini et al. 2022)',
  'lira-offline': 'LiRA offline',
  'lira-online-fixed': 'LiRA online, fixed variance',
};
