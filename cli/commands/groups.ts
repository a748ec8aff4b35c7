/** `shinykit groups list`: the pool's groups, their members and which apps each opens. */
import { Command } from 'commander';
import type { Config } from '../../lib/config/index.js';
import { createContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { usersDeps, type UsersDeps } from '../users/deps.js';
import { table } from './users/list.js';

export interface ListedGroup {
  readonly name: string;
  readonly description: string;
  readonly members: number;
  /** App ids whose `groups` name this group in shinykit.yaml. */
  readonly apps: string[];
  /** Listed in shinyproxy.adminGroups: opens the ShinyProxy admin page. */
  readonly admin: boolean;
  /** false: the pool has it but shinykit.yaml does not declare it (or the reverse: see inPool). */
  readonly declared: boolean;
  /** false: declared in shinykit.yaml but missing from the pool (deploy the stacks). */
  readonly inPool: boolean;
}

export async function runGroupsList(deps: Pick<UsersDeps, 'directory' | 'config'>): Promise<ListedGroup[]> {
  const cfg: Config = deps.config;
  const pool = await deps.directory.listGroups();
  const declared = cfg.cognito.groups;
  const names = [...new Set([...pool.map((g) => g.name), ...Object.keys(declared)])].sort();
  const result: ListedGroup[] = [];
  for (const name of names) {
    const inPool = pool.find((g) => g.name === name);
    result.push({
      name,
      description: inPool?.description ?? declared[name]?.description ?? '',
      members: inPool ? (await deps.directory.listGroupMembers(name)).length : 0,
      apps: cfg.apps.filter((a) => a.groups.includes(name)).map((a) => a.id),
      admin: cfg.shinyproxy.adminGroups.includes(name),
      declared: name in declared,
      inPool: Boolean(inPool),
    });
  }
  return result;
}

export interface GroupRename {
  readonly from: string;
  readonly to: string;
  /** Members of `from` added to `to` now. */
  readonly copied: number;
  /** Members of `from` that were in `to` already. */
  readonly already: number;
  /** Where shinykit.yaml still names `from` besides cognito.groups (to edit before the deploy that drops it). */
  readonly configReferences: string[];
}

/**
 * The safe way to rename a group: a deploy that renames it in shinykit.yaml
 * deletes the old group and every membership in it (plan says so). Instead the
 * new group is declared next to the old one and deployed (the stack must create
 * it: a group made outside the stack would make that deploy fail with "already
 * exists"), then this copies the members across, and only then the old one goes.
 * Members stay in the old group too, so the apps it opens keep working until then.
 */
export async function runGroupsRename(deps: Pick<UsersDeps, 'directory' | 'config'>, from: string, to: string): Promise<GroupRename> {
  if (from === to) throw new UsageError(`"${from}" and "${to}" are the same group`);
  const pool = await deps.directory.listGroups();
  const names = new Set(pool.map((g) => g.name));
  if (!names.has(from)) {
    throw new UsageError(`the user pool has no group "${from}"`, { hint: `its groups: ${[...names].join(', ') || '(none)'}` });
  }
  if (!names.has(to)) {
    throw new UsageError(`the user pool has no group "${to}" yet`, {
      hint: `declare ${to} in shinykit.yaml under cognito.groups, keeping ${from}, deploy (\`npx cdk deploy --all\`), then run this again. The stack must create ${to}: one made by hand would make that deploy fail.`,
    });
  }
  const target = new Set((await deps.directory.listGroupMembers(to)).map((u) => u.username));
  let copied = 0;
  let already = 0;
  for (const member of await deps.directory.listGroupMembers(from)) {
    if (target.has(member.username)) {
      already++;
      continue;
    }
    await deps.directory.addToGroup(member.username, to); // Cognito takes the user name here
    copied++;
  }
  return { from, to, copied, already, configReferences: groupReferences(deps.config, from) };
}

/** Paths in shinykit.yaml that name a group. */
function groupReferences(cfg: Config, group: string): string[] {
  const out: string[] = [];
  cfg.apps.forEach((a, i) => a.groups.includes(group) && out.push(`apps[${i}].groups (${a.id})`));
  if (cfg.shinyproxy.adminGroups.includes(group)) out.push('shinyproxy.adminGroups');
  for (const [key, targets] of Object.entries(cfg.cognito.groupMapping)) if (targets.includes(group)) out.push(`cognito.groupMapping["${key}"]`);
  if (cfg.cognito.defaultGroups.includes(group)) out.push('cognito.defaultGroups');
  return out;
}

export function groupsCommand(): Command {
  const groups = new Command('groups').description('the Cognito groups and the apps they open');
  groups.addCommand(
    new Command('list')
      .description('list the groups with description, member count and the apps each one opens (from shinykit.yaml)')
      .option('--json', 'print a JSON array of { name, description, members, apps, admin, declared, inPool }')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const ctx = createContext(cmd);
        const list = await runGroupsList(await usersDeps(ctx));
        if (o.json) return ctx.out.json(list);
        const rows = list.map((g) => [
          g.name,
          String(g.members),
          [...g.apps, ...(g.admin ? ['(admin page)'] : [])].join(', ') || '-',
          g.description || '-',
        ]);
        for (const line of table(['GROUP', 'MEMBERS', 'APPS', 'DESCRIPTION'], rows)) ctx.out.result(line);
        for (const g of list.filter((x) => !x.inPool)) {
          ctx.out.warn(`group ${g.name} is in shinykit.yaml but not in the user pool; deploy the stacks (\`npx shinykit deploy\`)`);
        }
        for (const g of list.filter((x) => !x.declared)) {
          ctx.out.warn(`group ${g.name} is in the user pool but not in shinykit.yaml, so it opens no app`);
        }
      }),
  );
  groups.addCommand(
    new Command('rename')
      .description('copy every member of group OLD into group NEW (declared and deployed beside OLD), so removing OLD from shinykit.yaml loses no one')
      .argument('<old>', 'the group being renamed')
      .argument('<new>', 'the new group, already declared in shinykit.yaml and deployed')
      .option('--json', 'print { from, to, copied, already, configReferences }')
      .action(async (from: string, to: string, o: { json?: boolean }, cmd: Command) => {
        const ctx = createContext(cmd);
        const result = await runGroupsRename(await usersDeps(ctx), from, to);
        if (o.json) return ctx.out.json(result);
        ctx.out.result(`copied ${result.copied} member(s) of ${from} into ${to}${result.already ? ` (${result.already} already there)` : ''}`);
        const refs = result.configReferences.length ? ` and replace it with ${to} in ${result.configReferences.join(', ')}` : '';
        ctx.out.result(`next: in ${ctx.options.config}, remove ${from} from cognito.groups${refs}`);
        ctx.out.result(`then \`shinykit plan\` (it shows ${from} deleted with its members, who are all in ${to} now) and \`npx cdk deploy --all\``);
      }),
  );
  return groups;
}
