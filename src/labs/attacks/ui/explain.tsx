/**
 * The studio's explanation of each attack of the registry, for a student: what it does, its update
 * rule, its paper. The parameter meanings are the field tables' help texts (the controls' tooltips),
 * for the parameters the attack reads. An attack without an entry here shows its registry reference only.
 */
import { Explain } from '../../../ui/lessons/Explain';
import { ATTACK_PARAM_FIELDS, ATTACKS, isAttackName, paramKey } from '../index';

import { ATTACK_EXPLANATIONS, type Text } from './explanations';

/** The explanation of the chosen attack, with the meanings of the parameters it reads. */
export function AttackExplain({ name }: { name: string }) {
  if (!isAttackName(name)) return null;
  const info = ATTACKS[name];
  const text: Text = ATTACK_EXPLANATIONS[name] ?? { what: `${info.label}: ${info.reference}.` };
  const params = ATTACK_PARAM_FIELDS.filter((f) => info.params.includes(paramKey(f)) && f.help).map((f) => ({
    label: f.short ?? f.label,
    help: f.help!,
  }));
  return (
    <Explain
      title={info.label}
      x={{
        ...text,
        params: [
          {
            label: 'ε / norm',
            help: 'the budget: how far from the clean image the attack may go, measured in the chosen norm (L∞: the largest change of one pixel; L2: the length of the whole change)',
          },
          ...params,
        ],
      }}
      testId="attack-explain"
    />
  );
}
