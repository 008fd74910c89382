/**
 * The labs' `rlab` commands, by lab (Node only, so apart from src/labs/index.ts, which the browser
 * loads). Every lab of LABS has an entry here; labs.test.ts checks that the lists agree.
 */
import type { Command } from '../cli/command';
import { attacksCommands } from './attacks/cli/index';
import { defencesCommands } from './defences/cli/index';
import { federatedCommands } from './federated/cli/index';
import { privacyCommands } from './privacy/cli/index';

export const LAB_COMMANDS: Readonly<Record<string, readonly Command[]>> = {
  attacks: attacksCommands,
  defences: defencesCommands,
  federated: federatedCommands,
  privacy: privacyCommands,
};
