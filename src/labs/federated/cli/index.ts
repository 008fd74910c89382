/** The federated lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { aggregateCommand } from './aggregate';
import { benchFlCommand, flCommand } from './fl';

export const federatedCommands: readonly Command[] = [flCommand, benchFlCommand, aggregateCommand];
