/** `shinykit users groups <email> --set a,b | --add a | --remove b`: change one user's groups. */
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError } from '../../lib/errors.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { requireEmail } from '../../users/email.js';
import { collectGroups } from '../../users/options.js';

export interface GroupsChange {
  readonly email: string;
  /** The exact groups the user should end up in. */
  readonly set?: readonly string[];
  readonly add?: readonly string[];
  readonly remove?: readonly string[];
}

export interface GroupsResult {
  readonly email: string;
  readonly added: string[];
  readonly removed: string[];
  readonly groups: string[];
}

export async function runUsersGroups(opts: GroupsChange, deps: Pick<UsersDeps, 'directory'>): Promise<GroupsResult> {
  const dir = deps.directory;
  const set = opts.set;
  const add = opts.add ?? [];
  const remove = opts.remove ?? [];
  if (set && (add.length > 0 || remove.length > 0)) throw new UsageError('--set cannot be combined with --add or --remove');
  if (!set && add.length === 0 && remove.length === 0) {
    throw new UsageError('nothing to change: pass --set a,b, --add <group> or --remove <group>');
  }
  const both = add.filter((g) => remove.includes(g));
  if (both.length > 0) throw new UsageError(`group ${both.join(', ')} is both added and removed; pick one`);
  await dir.requireGroups([...(set ?? []), ...add, ...remove]);
  await dir.getUser(opts.email);
  const current = new Set(await dir.groupsOf(opts.email));
  const target = new Set(set ?? [...[...current].filter((g) => !remove.includes(g)), ...add]);
  const added = [...target].filter((g) => !current.has(g)).sort();
  const removed = [...current].filter((g) => !target.has(g)).sort();
  for (const g of added) await dir.addToGroup(opts.email, g);
  for (const g of removed) await dir.removeFromGroup(opts.email, g);
  return { email: opts.email, added, removed, groups: [...target].sort() };
}

export function groupsCommand(): Command {
  return new Command('groups')
    .description("change a user's groups: replace them (--set), or add and remove some")
    .argument('<email>', 'the user')
    .option('--set <groups>', 'exactly these groups (comma-separated; "" for none)')
    .option('--add <group>', 'add a group (repeatable, or comma-separated)', collectGroups, [])
    .option('--remove <group>', 'remove a group (repeatable, or comma-separated)', collectGroups, [])
    .option('--json', 'print the result as JSON')
    .action(async (raw: string, o: { set?: string; add: string[]; remove: string[]; json?: boolean }, cmd: Command) => {
      const email = requireEmail(raw);
      const set = o.set === undefined ? undefined : collectGroups(o.set);
      const ctx = createContext(cmd);
      const r = await runUsersGroups({ email, set, add: o.add, remove: o.remove }, await usersDeps(ctx));
      if (o.json) return ctx.out.json(r);
      const changes = [...r.added.map((g) => `+${g}`), ...r.removed.map((g) => `-${g}`)];
      ctx.out.result(`${email}: ${changes.length ? changes.join(' ') : 'no change'}; groups now: ${r.groups.join(', ') || 'none'}`);
    });
}
