/**
 * The labs, in one list. The app's experiment description (experiment.ts: the URL, the CLI flags, the
 * worker messages), and in time the worker's jobs, the shell's panels and `rlab`'s commands, are
 * collected from here. A lab is one folder under src/labs/ with a public entry (its index.ts); labs
 * use each other only through those entries.
 */
import { attacksLab } from './attacks/index';
import { defencesLab } from './defences/index';
import { federatedLab } from './federated/index';
import { privacyLab } from './privacy/index';

export const LABS = [attacksLab, defencesLab, federatedLab, privacyLab] as const;
