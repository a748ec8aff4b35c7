/** `shinykit users list [--group g] [--json]`: every user with status and groups. */
import { Command } from 'commander';
import { statusInWords } from '../../users/status.js';
import { createContext } from '../../lib/context.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { LOCAL_PROVIDER } from '../../users/directory.js';

/** The JSON contract (DESIGN.md): do not add or rename fields without updating it. */
export interface ListedUser {
  readonly email: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly groups: string[];
  /** `COGNITO` for email + password users, else the identity provider's name (Google, EntraID, ...). */
  readonly provider: string;
}

export async function runUsersList(opts: { group?: string }, deps: Pick<UsersDeps, 'directory'>): Promise<ListedUser[]> {
  const dir = deps.directory;
  const poolGroups = (await dir.requireGroups(opts.group ? [opts.group] : [])).map((g) => g.name);
  // Groups per user from one walk per group, not one call per user.
  const groupsByEmail = await dir.groupsByEmail(poolGroups);
  const users = opts.group ? await dir.listGroupMembers(opts.group) : await dir.listUsers();
  return users
    .map((u) => ({ email: u.email, status: u.status, enabled: u.enabled, groups: groupsByEmail.get(u.email) ?? [], provider: u.provider ?? LOCAL_PROVIDER }))
    .sort((a, b) => a.email.localeCompare(b.email));
}

export function listCommand(): Command {
  return new Command('list')
    .description('list users with their status, whether they are enabled, and their groups')
    .option('-g, --group <name>', 'only members of this group')
    .option('--json', 'print a JSON array of { email, status, enabled, groups }')
    .action(async (o: { group?: string; json?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      const users = await runUsersList({ group: o.group }, await usersDeps(ctx));
      if (o.json) return ctx.out.json(users);
      if (users.length === 0) return ctx.out.info(o.group ? `no users in group ${o.group}` : 'no users yet; add one with `shinykit users add`');
      // The PROVIDER column appears once someone signs in through an identity provider.
      const federated = users.some((u) => u.provider !== LOCAL_PROVIDER);
      const rows = users.map((u) => [
        u.email,
        statusInWords(u.status),
        u.enabled ? 'yes' : 'no',
        ...(federated ? [u.provider] : []),
        u.groups.join(', ') || '-',
      ]);
      const header = ['EMAIL', 'STATUS', 'ENABLED', ...(federated ? ['PROVIDER'] : []), 'GROUPS'];
      for (const line of table(header, rows)) ctx.out.result(line);
      ctx.out.info(`${users.length} user${users.length === 1 ? '' : 's'}`);
    });
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [fmt(header), ...rows.map(fmt)];
}
