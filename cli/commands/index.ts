/**
 * Every top-level command, in the order `--help` lists them. A new command is a
 * file in this folder (or a folder per command group) and one line here.
 */
import type { Command } from 'commander';
import { validateCommand } from './validate.js';
import { renderCommand } from './render.js';
import { usersCommand } from './users/index.js';
import { groupsCommand } from './groups.js';
import { initCommand } from './init.js';
import { planCommand } from './plan.js';
import { doctorCommand } from './doctor.js';
import { pushCommand } from './push.js';
import { applyCommand } from './apply.js';

export const commandFactories: ReadonlyArray<() => Command> = [initCommand, validateCommand, planCommand, renderCommand, usersCommand, groupsCommand, pushCommand, applyCommand, doctorCommand];
