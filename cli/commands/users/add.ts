/** `shinykit users add <email>... --group g`: create users (or add missing groups to existing ones). */
import { Command, Option } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError } from '../../lib/errors.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { isEmailCapError, isNamed } from '../../users/directory.js';
import { COGNITO_DAILY_EMAILS, emailSender, invitationBudget, InvitationSlots } from '../../users/invitations.js';
import { requireEmail } from '../../users/email.js';
import { collectGroups } from '../../users/options.js';

export interface AddOptions {
  readonly emails: readonly string[];
  readonly groups: readonly string[];
  readonly name?: string;
  /** false: create without Cognito's invitation email. */
  readonly invite: boolean;
  readonly temporaryPassword?: string;
}

export interface AddResult {
  readonly email: string;
  /** created: new user; updated: existed, groups or name changed; unchanged: nothing to do. */
  readonly result: 'created' | 'updated' | 'unchanged';
  readonly addedGroups: readonly string[];
  /**
   * New users only. sent: Cognito accepted the invitation email; deferred: created
   * without one (the day's allowance is used up, or Cognito refused it): send it
   * later with `shinykit users invite`; none: --no-invite or --temporary-password.
   */
  readonly invitation?: 'sent' | 'deferred' | 'none';
}

export async function runUsersAdd(
  opts: AddOptions & { readonly now?: number },
  deps: Pick<UsersDeps, 'directory'> & Partial<Pick<UsersDeps, 'config'>>,
): Promise<AddResult[]> {
  const dir = deps.directory;
  // Every group is checked before the first user is created: all or nothing for bad input.
  await dir.requireGroups(opts.groups);
  const groups = [...new Set(opts.groups)].sort();
  const emailing = opts.invite && !opts.temporaryPassword;
  // Cognito's own sender is capped per day: plan the invitations within what is left.
  const slots =
    emailing && deps.config && emailSender(deps.config) === 'cognito'
      ? new InvitationSlots(invitationBudget(deps.config, await dir.listUsers(), opts.now ?? Date.now()).available)
      : undefined;
  const results: AddResult[] = [];
  for (const email of opts.emails) {
    let existing = await dir.findUser(email);
    if (!existing) {
      const invite = emailing && (slots?.take() ?? true);
      let invitation: NonNullable<AddResult['invitation']> = !emailing ? 'none' : invite ? 'sent' : 'deferred';
      let created: 'created' | 'exists';
      try {
        created = await dir.createUser({ email, name: opts.name, invite, temporaryPassword: opts.temporaryPassword });
      } catch (err) {
        if (!invite || !isEmailCapError(err)) throw err;
        // Cognito refused the email: never report it as sent; create the user without it.
        slots?.closeRefused();
        invitation = 'deferred';
        created = await dir.createUser({ email, name: opts.name, invite: false });
      }
      if (created === 'created') {
        for (const g of groups) await dir.addToGroup(email, g);
        results.push({ email, result: 'created', addedGroups: groups, invitation });
        continue;
      }
      existing = await dir.getUser(email); // created meanwhile by someone else: treat as existing
    }
    const has = new Set(await dir.groupsOf(email));
    const missing = groups.filter((g) => !has.has(g));
    for (const g of missing) await dir.addToGroup(email, g);
    const rename = opts.name !== undefined && opts.name !== existing.name;
    if (rename) await dir.setName(email, opts.name!);
    results.push({ email, result: missing.length > 0 || rename ? 'updated' : 'unchanged', addedGroups: missing });
  }
  return results;
}

export function addCommand(): Command {
  return new Command('add')
    .description('create users (Cognito emails each an invitation with a temporary password) and add them to groups')
    .argument('<email...>', 'email addresses (they are the user names)')
    .option('-g, --group <name>', 'a group to add the users to (repeatable, or comma-separated)', collectGroups, [])
    .option('--name <name>', 'the display name (the "name" attribute)')
    .addOption(new Option('--no-invite', 'create the users without sending the invitation email').conflicts('temporaryPassword'))
    .option('--temporary-password', 'set the temporary password yourself, read from stdin (or asked for on a terminal); no email is sent')
    .option('--json', 'print the result as JSON')
    .action(async (rawEmails: string[], o: { group: string[]; name?: string; invite: boolean; temporaryPassword?: boolean; json?: boolean }, cmd: Command) => {
      const emails = [...new Set(rawEmails.map(requireEmail))];
      const ctx = createContext(cmd);
      if (o.group.length === 0) {
        // Access to apps is by group only (apps[].groups): a user in no group signs in to an empty page.
        ctx.out.warn(`no --group given: ${emails.length === 1 ? 'this user' : 'these users'} will see no app after signing in; give them one with \`shinykit users groups <email> --add <group>\``);
      }
      const deps = await usersDeps(ctx);
      let temporaryPassword: string | undefined;
      if (o.temporaryPassword) {
        temporaryPassword = await deps.prompt.secret('Temporary password: ');
        if (!temporaryPassword) throw new UsageError('--temporary-password was given but no password was read', {
          hint: 'pipe it on stdin (e.g. `shinykit users add … --temporary-password < file`), or run in a terminal to be asked',
        });
      }
      const results = await runUsersAdd({ emails, groups: o.group, name: o.name, invite: o.invite, temporaryPassword }, deps).catch((err: unknown) => {
        if (isNamed(err, 'InvalidPasswordException')) {
          throw new UsageError(`the temporary password was refused: ${(err as Error).message}`, {
            hint: "choose one that meets the pool's password policy (length, upper and lower case, digits, symbols)",
          });
        }
        throw err;
      });
      if (o.json) return ctx.out.json(results);
      if (results.some((r) => r.invitation === 'deferred') && emailSender(deps.config) === 'cognito') {
        ctx.out.info(`Cognito's built-in email sender allows ${COGNITO_DAILY_EMAILS} emails a day per account; set cognito.email to send through Amazon SES (docs/identity.md)`);
      }
      for (const r of results) {
        const groups = r.addedGroups.length ? r.addedGroups.join(', ') : 'none';
        if (r.result === 'created') {
          const how = temporaryPassword
            ? 'temporary password set, no email sent'
            : r.invitation === 'sent'
              ? 'invitation emailed'
              : r.invitation === 'deferred'
                ? `NO invitation yet: the day's email allowance is used up; send it later with \`shinykit users invite ${r.email}\``
                : 'no invitation sent';
          ctx.out.result(`created ${r.email} (${how}); groups: ${groups}`);
        } else if (r.result === 'updated') ctx.out.result(`${r.email} already exists; added groups: ${groups}`);
        else ctx.out.result(`${r.email} already exists and is already in every group given; nothing to do`);
      }
    });
}
