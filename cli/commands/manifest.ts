/**
 * What the top-level `shinykit --help` shows for each command (its usage term and
 * description), written next to the compiled CLI at build time so that help lists
 * every command without importing any of them. Loading the nine command modules
 * (the AWS SDK clients, zod, the CDK helpers behind them) is what made `--help` slow.
 *
 * Running from source there is no manifest: the CLI then loads every command, as
 * before, and prints the same help.
 */
import { readFileSync } from 'node:fs';
import { Command, Help } from 'commander';
import { commandEntries } from './index.js';

export interface ManifestEntry {
  readonly name: string;
  /** Commander's subcommand term, e.g. `push [options] [apps...]`. */
  readonly term: string;
  readonly description: string;
}

/** dist/cli/commands.json beside dist/cli/index.js (cli/commands.json from source, never written there). */
export const MANIFEST_URL = new URL('../commands.json', import.meta.url);

/** Loads every command and records what top-level help says about it. */
export async function buildManifest(): Promise<ManifestEntry[]> {
  const help = new Help();
  const commands: Command[] = await Promise.all(commandEntries.map((e) => e.load()));
  return commands.map((cmd) => ({ name: cmd.name(), term: help.subcommandTerm(cmd), description: help.subcommandDescription(cmd) }));
}

/** The manifest when the build wrote one and it names exactly the registered commands. */
export function readManifest(url: URL = MANIFEST_URL): ManifestEntry[] | undefined {
  let entries: ManifestEntry[];
  try {
    entries = JSON.parse(readFileSync(url, 'utf8')) as ManifestEntry[];
  } catch {
    return undefined;
  }
  const same = entries.length === commandEntries.length && entries.every((e, i) => e.name === commandEntries[i]!.name);
  return same ? entries : undefined;
}

/**
 * Stand-ins for help: named and described like the real commands, with no options
 * or action. Only used when argv names no command, so none of them ever runs.
 */
export function placeholderCommands(entries: readonly ManifestEntry[]): Command[] {
  return entries.map((e) => new Command(e.name).description(e.description));
}

/** Help that prints each stand-in's recorded term (commander would print just its name). */
export function manifestHelp(entries: readonly ManifestEntry[]): Partial<Help> {
  const terms = new Map(entries.map((e) => [e.name, e.term]));
  const base = new Help();
  return { subcommandTerm: (cmd: Command) => terms.get(cmd.name()) ?? base.subcommandTerm(cmd) };
}
