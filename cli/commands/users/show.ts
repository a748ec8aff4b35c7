/** `shinykit users show <email>`: one user's details and groups. */
import { Command } from 'commander';
import { statusInWords } from '../../users/status.js';
import { createContext } from '../../lib/context.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';

export interface ShownUser {
  readonly email: string;
  readonly name?: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly created?: string;
  readonly groups: string[];
}

export async function runUsersShow(opts: { email: string }, deps: Pick<UsersDeps, 'directory'>): Promise<ShownUser> {
  const user = await deps.directory.getUser(opts.email);
  const groups = await deps.directory.groupsOf(opts.email);
  return {
    email: user.email,
    ...(user.name ? { name: user.name } : {}),
    status: user.status,
    enabled: user.enabled,
    ...(user.created ? { created: user.created } : {}),
    groups,
  };
}

export function showCommand(): Command {
  return new Command('show')
    .description("show one user's status, name and groups")
    .argument('<email>', 'the user')
    .option('--json', 'print the user as JSON')
    .action(async (raw: string, o: { json?: boolean }, cmd: Command) => {
      const email = requireEmail(raw);
      const ctx = createContext(cmd);
      const u = await runUsersShow({ email }, await usersDeps(ctx));
      if (o.json) return ctx.out.json(u);
      ctx.out.result(`email:    ${u.email}`);
      if (u.name) ctx.out.result(`name:     ${u.name}`);
      ctx.out.result(`status:   ${statusInWords(u.status)}`);
      ctx.out.result(`enabled:  ${u.enabled ? 'yes' : 'no'}`);
      if (u.created) ctx.out.result(`created:  ${u.created}`);
      ctx.out.result(`groups:   ${u.groups.join(', ') || '-'}`);
    });
}
