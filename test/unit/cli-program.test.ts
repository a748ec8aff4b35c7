import { describe, expect, it } from 'vitest';
import { commandEntries } from '../../cli/commands/index.js';
import { createProgram, entriesFor } from '../../cli/index.js';
import { readManifest } from '../../cli/commands/manifest.js';
import { runCli } from '../support/cli.js';

const names = (args: string[]) => entriesFor(args).map((e) => e.name);
const all = commandEntries.map((e) => e.name);

describe('which commands a run loads', () => {
  it('loads only the command argv names, skipping global options and their values', () => {
    expect(names(['validate'])).toEqual(['validate']);
    expect(names(['--config', 'users', 'push', '--no-apply'])).toEqual(['push']);
    expect(names(['--outputs', 'x.json', '--region', 'eu-west-1', '--profile', 'p', 'users', 'list'])).toEqual(['users']);
    expect(names(['--debug', '--config=push', 'doctor'])).toEqual(['doctor']);
  });

  it('loads every command for help, no command, or a name it does not know (so commander can report it)', () => {
    expect(names([])).toEqual(all);
    expect(names(['--help'])).toEqual(all);
    expect(names(['help', 'push'])).toEqual(all);
    expect(names(['frobnicate'])).toEqual(all);
  });

  it('loads none for --version', () => {
    expect(names(['--version'])).toEqual([]);
    expect(names(['-v'])).toEqual([]);
  });

  it('the full program registers every entry under its own name', async () => {
    const program = await createProgram([], { manifest: false });
    expect(program.commands.map((c) => c.name())).toEqual(all);
  });
});

describe('top-level help from the build manifest (no command module loaded)', () => {
  it('the build wrote a manifest naming every registered command', () => {
    const manifest = readManifest(new URL('../../dist/cli/commands.json', import.meta.url));
    expect(manifest?.map((e) => e.name)).toEqual(all);
  });

  it('the built CLI prints the same --help as a program with every command loaded', async () => {
    const full = await createProgram([], { manifest: false });
    const r = await runCli(['--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(`${r.stdout}\n`).toBe(full.helpInformation()); // execa drops the final newline
  });
});
