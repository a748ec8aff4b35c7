/** `shinykit users remove <email> --yes`: delete a user (asks first on a terminal). */
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError } from '../../lib/errors.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';

export async function runUsersRemove(
  opts: { email: string; yes: boolean },
  deps: Pick<UsersDeps, 'directory' | 'prompt'>,
): Promise<'removed' | 'kept'> {
  // Checked first so a typo is reported as such, not as a question about a user who does not exist.
  await deps.directory.getUser(opts.email);
  if (!opts.yes) {
    if (!deps.prompt.interactive) {
      throw new UsageError(`refusing to remove ${opts.email} without confirmation`, {
        hint: 'add --yes to remove without asking (nothing is asked when stdin is not a terminal)',
      });
    }
    if (!(await deps.prompt.confirm(`Remove ${opts.email} from the user pool? This cannot be undone.`))) return 'kept';
  }
  await deps.directory.deleteUser(opts.email);
  return 'removed';
}

export function removeCommand(): Command {
  return new Command('remove')
    .description('delete a user from the user pool')
    .argument('<email>', 'the user')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (raw: string, o: { yes?: boolean }, cmd: Command) => {
      const email = requireEmail(raw);
      const ctx = createContext(cmd);
      const result = await runUsersRemove({ email, yes: Boolean(o.yes) }, await usersDeps(ctx));
      ctx.out.result(result === 'removed' ? `removed ${email}` : `kept ${email} (not confirmed)`);
    });
}
