/** The defences lab's commands of `rlab` (Node only: the lab's public entry does not import them). */
import type { Command } from '../../../cli/command';
import { benchCertifyCommand } from './bench-certify';
import { certifyCommand } from './certify';
import { detectCommand } from './detect';

export const defencesCommands: readonly Command[] = [certifyCommand, detectCommand, benchCertifyCommand];
