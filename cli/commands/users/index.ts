/** `shinykit users …`: manage who may sign in and which groups (and so apps) they get. */
import { Command } from 'commander';
import { addCommand } from './add.js';
import { disableCommand } from './disable.js';
import { enableCommand } from './enable.js';
import { exportCommand } from './export.js';
import { groupsCommand } from './groups.js';
import { importCommand } from './import.js';
import { inviteCommand } from './invite.js';
import { listCommand } from './list.js';
import { removeCommand } from './remove.js';
import { resetCommand } from './reset.js';
import { showCommand } from './show.js';

export function usersCommand(): Command {
  const users = new Command('users').description('manage users of the Cognito user pool and their groups (the pool comes from the stack outputs)');
  for (const make of [addCommand, listCommand, showCommand, groupsCommand, disableCommand, enableCommand, resetCommand, inviteCommand, removeCommand, importCommand, exportCommand]) {
    users.addCommand(make());
  }
  return users;
}
