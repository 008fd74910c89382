/** The privacy lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { miaCommand } from './mia';

export const privacyCommands: readonly Command[] = [miaCommand];
