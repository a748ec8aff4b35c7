/**
 * Every top-level command, in the order `--help` lists them. A new command is a
 * file in this folder (or a folder per command group) and one entry here.
 *
 * The placement rule: `commands/<cmd>.ts` (or `commands/<group>/<sub>.ts`) holds the
 * command's definition, its action, and the `runX(opts, ctx | deps)` the action calls,
 * together. Everything else the command uses (checks, formatting, parsing, builders)
 * lives in `cli/<cmd>/` (command-specific) or `cli/lib/` (shared), and never imports
 * from `commands/`. So a reader finds what `shinykit X` does in commands/X.ts.
 *
 * Commands are loaded on demand: a run imports only the command it was asked for,
 * so `shinykit validate` does not pay for the AWS SDK clients, the CDK library or
 * the builders that other commands use (about a second per run on a small machine).
 */
import type { Command } from 'commander';

export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<Command>;
}

export const commandEntries: readonly CommandEntry[] = [
  { name: 'init', load: async () => (await import('./init.js')).initCommand() },
  { name: 'validate', load: async () => (await import('./validate.js')).validateCommand() },
  { name: 'plan', load: async () => (await import('./plan.js')).planCommand() },
  { name: 'preflight', load: async () => (await import('./preflight.js')).preflightCommand() },
  { name: 'render', load: async () => (await import('./render.js')).renderCommand() },
  { name: 'users', load: async () => (await import('./users/index.js')).usersCommand() },
  { name: 'groups', load: async () => (await import('./groups.js')).groupsCommand() },
  { name: 'secrets', load: async () => (await import('./secrets.js')).secretsCommand() },
  { name: 'deploy', load: async () => (await import('./deploy.js')).deployCommand() },
  { name: 'open', load: async () => (await import('./open.js')).openCommand() },
  { name: 'destroy', load: async () => (await import('./destroy.js')).destroyCommand() },
  { name: 'push', load: async () => (await import('./push.js')).pushCommand() },
  { name: 'apply', load: async () => (await import('./apply.js')).applyCommand() },
  { name: 'doctor', load: async () => (await import('./doctor.js')).doctorCommand() },
  { name: 'completion', load: async () => (await import('./completion.js')).completionCommand() },
  { name: 'status', load: async () => (await import('./status.js')).statusCommand() },
  { name: 'logs', load: async () => (await import('./logs.js')).logsCommand() },
];
