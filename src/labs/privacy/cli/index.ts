/** The privacy lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { dlgCommand } from './dlg';
import { miaCommand } from './mia';
import { privacyBudgetCommand } from './privacy-budget';
import { secaggBenchCommand } from './secagg-bench';

export const privacyCommands: readonly Command[] = [privacyBudgetCommand, miaCommand, dlgCommand, secaggBenchCommand];
