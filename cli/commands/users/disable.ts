/** `shinykit users disable <email>`: stop a user signing in, keeping the account and its groups. */
import type { Command } from 'commander';
import { setEnabledCommand } from './enable.js';

export function disableCommand(): Command {
  return setEnabledCommand('disable', false, 'stop a user from signing in (the account and its groups are kept)');
}
