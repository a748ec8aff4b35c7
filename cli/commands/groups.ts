/** `shinykit groups list`: the pool's groups, their members and which apps each opens. */
import { Command } from 'commander';
import type { Config } from '../../lib/config.js';
import { createContext } from '../lib/context.js';
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
  return groups;
}
