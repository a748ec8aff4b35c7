/** `shinykit users show <email>`: one user's details and groups. */
import { Command } from 'commander';
import { statusInWords } from '../../users/status.js';
import { createContext } from '../../lib/context.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';
import { LOCAL_PROVIDER } from '../../users/directory.js';

export interface ShownUser {
  readonly email: string;
  readonly name?: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly created?: string;
  readonly groups: string[];
  /** Where the user signs in: COGNITO or the identity provider's name. */
  readonly provider: string;
  /**
   * MFA factors the user has set up (Cognito's UserMFASettingList: SOFTWARE_TOKEN_MFA
   * is an authenticator app). Empty: none; federated users do MFA at their provider.
   */
  readonly mfa: readonly string[];
  readonly preferredMfa?: string;
}

/** One line for people: whether this user has MFA. */
export function describeUserMfa(u: Pick<ShownUser, 'mfa' | 'provider' | 'status'>): string {
  if (u.provider !== LOCAL_PROVIDER) return `at ${u.provider} (Cognito asks federated users for no second factor)`;
  if (u.mfa.includes('SOFTWARE_TOKEN_MFA')) return 'authenticator app (TOTP)';
  if (u.mfa.length > 0) return u.mfa.join(', ');
  return u.status === 'FORCE_CHANGE_PASSWORD' ? 'none yet (set up at first sign-in when cognito.mfa is required)' : 'none';
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
    provider: user.provider ?? LOCAL_PROVIDER,
    mfa: user.mfa ?? [],
    ...(user.preferredMfa ? { preferredMfa: user.preferredMfa } : {}),
  };
}

export function showCommand(): Command {
  return new Command('show')
    .description("show one user's status, name, groups and whether they have MFA")
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
      if (u.provider !== LOCAL_PROVIDER) ctx.out.result(`provider: ${u.provider}`);
      ctx.out.result(`mfa:      ${describeUserMfa(u)}`);
    });
}
