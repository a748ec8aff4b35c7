/** `shinykit users reset <email>`: resend the invitation, or start a password reset. */
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';

export async function runUsersReset(
  opts: { email: string },
  deps: Pick<UsersDeps, 'directory'>,
): Promise<'invitation-resent' | 'password-reset'> {
  const user = await deps.directory.getUser(opts.email);
  return deps.directory.reset(user);
}

export function resetCommand(): Command {
  return new Command('reset')
    .description('resend the invitation (user never signed in) or send a password-reset code (everyone else)')
    .argument('<email>', 'the user')
    .action(async (raw: string, _o: unknown, cmd: Command) => {
      const email = requireEmail(raw);
      const ctx = createContext(cmd);
      const result = await runUsersReset({ email }, await usersDeps(ctx));
      ctx.out.result(
        result === 'invitation-resent'
          ? `resent the invitation to ${email} with a new temporary password`
          : `reset the password of ${email}: Cognito emailed a code; they set a new password at the next sign-in`,
      );
    });
}
