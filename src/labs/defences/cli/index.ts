/** The defences lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { detectCommand } from './detect';

export const defencesCommands: readonly Command[] = [detectCommand];
