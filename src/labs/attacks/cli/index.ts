/** The attacks lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { evalCommand } from './eval';
import { zooTableCommand } from './zoo-table';

export const attacksCommands: readonly Command[] = [evalCommand, zooTableCommand];
