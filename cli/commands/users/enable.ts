/** `shinykit users enable|disable <email>`: let a user sign in again, or stop them. */
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';

export async function runUsersSetEnabled(
  opts: { email: string; enabled: boolean },
  deps: Pick<UsersDeps, 'directory'>,
): Promise<'changed' | 'unchanged'> {
  const user = await deps.directory.getUser(opts.email);
  if (user.enabled === opts.enabled) return 'unchanged';
  await deps.directory.setEnabled(opts.email, opts.enabled);
  return 'changed';
}

export function enableCommand(): Command {
  return setEnabledCommand('enable', true, 'let a disabled user sign in again');
}

export function setEnabledCommand(name: string, enabled: boolean, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<email>', 'the user')
    .action(async (raw: string, _o: unknown, cmd: Command) => {
      const email = requireEmail(raw);
      const ctx = createContext(cmd);
      const result = await runUsersSetEnabled({ email, enabled }, await usersDeps(ctx));
      const state = enabled ? 'enabled' : 'disabled';
      ctx.out.result(result === 'changed' ? `${state} ${email}` : `${email} was already ${state}`);
    });
}
