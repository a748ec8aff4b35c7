/**
 * `shinykit users export [--out file.csv]`: a backup of who may sign in. Cognito
 * has no export, and a lost pool takes every account and membership with it. The
 * file is exactly what `users import` reads (email,groups,name) plus status,
 * enabled and provider columns import ignores, so importing it recreates the
 * same local users in the same groups. Read-only.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { createContext } from '../../lib/context.js';
import { UsageError } from '../../lib/errors.js';
import { formatExportCsv, type ExportRow } from '../../users/csv.js';
import { usersDeps, type UsersDeps } from '../../users/deps.js';
import { LOCAL_PROVIDER } from '../../users/directory.js';

export async function runUsersExport(deps: Pick<UsersDeps, 'directory'>): Promise<ExportRow[]> {
  const dir = deps.directory;
  // Every group, one paginated walk each; every user, paginated (60 a page).
  const groups = (await dir.listGroups()).map((g) => g.name);
  const byEmail = await dir.groupsByEmail(groups);
  const users = await dir.listUsers();
  return users
    .map((u) => ({
      email: u.email,
      groups: byEmail.get(u.email) ?? [],
      ...(u.name ? { name: u.name } : {}),
      status: u.status,
      enabled: u.enabled,
      provider: u.provider ?? LOCAL_PROVIDER,
    }))
    .sort((a, b) => a.email.localeCompare(b.email) || a.provider.localeCompare(b.provider));
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write every user and their groups as the CSV `users import` reads (a backup: Cognito has no export)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      [
        '',
        'Columns: email,groups,name,status,enabled,provider. Import reads the first three and',
        'ignores the rest, except that federated users (provider other than COGNITO) are skipped:',
        'Cognito re-creates them at their next sign-in. Disabled users come back enabled.',
        'Keep the file private: it lists every user and what they may open.',
      ].join('\n'),
    )
    .action(async (o: { out?: string }, cmd: Command) => {
      const ctx = createContext(cmd);
      const rows = await runUsersExport(await usersDeps(ctx));
      const text = formatExportCsv(rows);
      if (!o.out) {
        ctx.out.result(text.replace(/\n$/, '')); // the result line's own newline ends the file
        return;
      }
      try {
        // 0600: the file names every user and their access.
        writeFileSync(o.out, text, { mode: 0o600 });
      } catch (err) {
        throw new UsageError(`cannot write ${o.out} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
          hint: 'pass a path in a directory you can write to',
        });
      }
      const groups = new Set(rows.flatMap((r) => r.groups)).size;
      ctx.out.info(`exported ${rows.length} user${rows.length === 1 ? '' : 's'} in ${groups} group${groups === 1 ? '' : 's'} to ${o.out}`);
    });
}
